// Whisper decoding rules on constructed logits and token streams: suppression, OpenAI's timestamp rules, the
// no-speech probability, and token stream → transcript chunks with consumedSeconds. [Note: whisper-decoding]
import { describe, expect, it } from 'vitest';
import {
  applyLogitRules,
  greedy,
  noSpeechProbability,
  segmentTokens,
  transcriptOf,
  type DecodeRules,
  type SpecialTokens,
} from '../../../src/main/engine/models/whisper-decode.js';

// A small Whisper-like vocabulary: text ids 0..9, then the special tokens, then 1501 timestamps.
const TS = 20;
const tokens: SpecialTokens = {
  eot: 10,
  sot: 11,
  languages: new Map([
    ['en', 12],
    ['de', 13],
  ]),
  translate: 14,
  transcribe: 15,
  sotLm: 16,
  sotPrev: 17,
  noSpeech: 18,
  noTimestamps: 19,
  timestampBegin: TS,
  timestampCount: 1501,
  timePrecision: 0.02,
  multilingual: true,
};
const VOCAB = TS + 1501;
const rules: DecodeRules = { suppress: [3], beginSuppress: [0, 10], maxInitialTimestampIndex: 50, maxLength: 448 };
const ts = (seconds: number) => TS + Math.round(seconds / 0.02);
const words = ['', ' hello', ' world', ' !', ' yes', ' no', ' one', ' two', ' three', ' four'];
const decode = (ids: readonly number[]) => ids.map((i) => words[i] ?? '?').join('');

function logits(set: Record<number, number> = {}, base = 0): Float32Array {
  const l = new Float32Array(VOCAB).fill(base);
  for (const [id, v] of Object.entries(set)) l[Number(id)] = v;
  return l;
}

function next(l: Float32Array, sampled: number[]): number {
  applyLogitRules(l, sampled, tokens, rules);
  return greedy(l).token;
}

describe('Whisper logit rules', () => {
  it('never sample the special tokens or suppress_tokens, and suppress begin tokens at the first step', () => {
    const l = logits({ 3: 50, 11: 60, 12: 60, 14: 60, 15: 60, 16: 60, 17: 60, 18: 60, 19: 60, 1: 5, [ts(3)]: 1 }, -10);
    applyLogitRules(l, [ts(0), 1], tokens, rules);
    for (const id of [3, 11, 12, 13, 14, 15, 16, 17, 18, 19]) expect(l[id]).toBe(-Infinity);
    expect(greedy(l).token).toBe(1);
    const first = logits({ 0: 40, 10: 40 });
    applyLogitRules(first, [], tokens, rules);
    expect(first[0]).toBe(-Infinity);
    expect(first[10]).toBe(-Infinity);
    const later = logits({ 0: 40 });
    applyLogitRules(later, [ts(0), 1], tokens, rules);
    expect(later[0]).toBe(40);
  });

  it('start with a timestamp no later than 1 s', () => {
    expect(next(logits({ 1: 30, [ts(0.4)]: 2 }), [])).toBe(ts(0.4)); // text is not allowed first
    expect(next(logits({ [ts(5)]: 30, [ts(0.8)]: 1, [ts(1.02)]: 5 }), [])).toBe(ts(0.8)); // 5 s and 1.02 s are too late
    expect(next(logits({ [ts(1)]: 3 }), [])).toBe(ts(1));
  });

  it('put timestamps in pairs: after a pair comes text or the end, after one timestamp a timestamp or the end', () => {
    // After a lone first timestamp: text (the rule counts the missing token before it as a timestamp).
    expect(next(logits({ [ts(2)]: 30, 1: 1 }), [ts(0)])).toBe(1);
    // After text then a timestamp (a closed segment): another timestamp or the end, never text.
    expect(next(logits({ 2: 30, [ts(2)]: 1 }), [ts(0), 1, ts(1)])).toBe(ts(2));
    expect(next(logits({ 2: 30, 10: 2 }, -10), [ts(0), 1, ts(1)])).toBe(10);
    // After two timestamps in a row (end of one segment, start of the next): text or the end.
    expect(next(logits({ [ts(3)]: 30, 2: 1 }), [ts(0), 1, ts(1), ts(1.5)])).toBe(2);
  });

  it('keep timestamps from going back in time', () => {
    // After text, the closing timestamp must be later than the segment's start.
    const l = logits({ [ts(0.5)]: 30, [ts(0.4)]: 29, [ts(0.52)]: 2 }, -5);
    expect(next(l, [ts(0.5), 1])).toBe(ts(0.52));
    // After a closing timestamp, the next segment may start at the same time, not before.
    const m = logits({ [ts(0.9)]: 30, [ts(1)]: 2 }, -5);
    expect(next(m, [ts(0), 1, ts(1)])).toBe(ts(1));
  });

  it('force a timestamp when the timestamps together are likelier than any text token', () => {
    // No single timestamp beats text token 1 (logit 5), but 1501 timestamps at 0 sum to e^7.3 > e^5.
    expect(next(logits({ 1: 5 }, 0), [ts(0), 2])).toBeGreaterThanOrEqual(TS);
    // With text clearly ahead, text.
    expect(next(logits({ 1: 12 }, 0), [ts(0), 2])).toBe(1);
  });

  it('give the greedy token and its log-probability', () => {
    const l = logits({ 4: Math.log(3) }, -Infinity);
    l[5] = 0;
    const { token, logprob } = greedy(l);
    expect(token).toBe(4);
    expect(logprob).toBeCloseTo(Math.log(3 / 4), 6);
  });

  it('read the no-speech probability at the start-of-transcript position', () => {
    const l = logits({ 18: Math.log(9) }, -Infinity);
    l[10] = 0;
    expect(noSpeechProbability(l, tokens)).toBeCloseTo(0.9, 6);
    expect(noSpeechProbability(l, { ...tokens, noSpeech: null })).toBe(0);
  });
});

describe('Whisper token stream → transcript', () => {
  const window = { offset: 60, duration: 30, isLast: false };

  it('split segments at timestamps', () => {
    expect(segmentTokens([ts(0), 1, 2, ts(1.5), ts(2), 4, ts(3)], tokens)).toEqual({
      complete: [
        { start: 0, end: 1.5, tokens: [1, 2] },
        { start: 2, end: 3, tokens: [4] },
      ],
      incomplete: null,
    });
    expect(segmentTokens([ts(0), 1, ts(1), ts(1.2), 5, 6], tokens).incomplete).toEqual({ start: 1.2, end: null, tokens: [5, 6] });
  });

  it('a window ending with a closing timestamp is consumed up to it; chunk times include the offset', () => {
    const t = transcriptOf([ts(0.5), 1, 2, ts(1.5), ts(2), 4, ts(3.2)], tokens, decode, window);
    expect(t.chunks).toEqual([
      { start: 60.5, end: 61.5, text: 'hello world' },
      { start: 62, end: 63.2, text: 'yes' },
    ]);
    expect(t.consumedSeconds).toBeCloseTo(3.2, 9);
  });

  it('an unfinished last segment is left for the next window: consumed up to the last complete timestamp', () => {
    const t = transcriptOf([ts(0), 1, ts(4), ts(25), 2, 6], tokens, decode, window);
    expect(t.chunks).toEqual([{ start: 60, end: 64, text: 'hello' }]);
    expect(t.consumedSeconds).toBeCloseTo(4, 9);
    // Ending on a lone start timestamp is the same: that segment has not begun.
    const u = transcriptOf([ts(0), 1, ts(4), ts(25)], tokens, decode, window);
    expect(u.consumedSeconds).toBeCloseTo(4, 9);
  });

  it('the last window is consumed whole, its unfinished segment kept up to the end of the audio', () => {
    const t = transcriptOf([ts(0), 1, ts(4), ts(7), 2, 6], tokens, decode, { offset: 60, duration: 9.5, isLast: true });
    expect(t.chunks).toEqual([
      { start: 60, end: 64, text: 'hello' },
      { start: 67, end: 69.5, text: 'world one' },
    ]);
    expect(t.consumedSeconds).toBe(9.5);
  });

  it('without a complete segment, the whole window is consumed and its text kept', () => {
    const t = transcriptOf([ts(0), 1, 2, 6, 7], tokens, decode, window);
    expect(t.chunks).toEqual([{ start: 60, end: 90, text: 'hello world one two' }]);
    expect(t.consumedSeconds).toBe(30);
    const none = transcriptOf([1, 2], tokens, decode, window);
    expect(none).toEqual({ chunks: [{ start: 60, end: 90, text: 'hello world' }], consumedSeconds: 30 });
    expect(transcriptOf([], tokens, decode, window)).toEqual({ chunks: [], consumedSeconds: 30 });
  });

  it('a complete segment ending at 0 s does not stall the recording', () => {
    const t = transcriptOf([ts(0), 3, ts(0), ts(0), 1, 2], tokens, decode, window);
    expect(t.consumedSeconds).toBe(30);
    expect(t.chunks.map((c) => c.text)).toEqual(['!', 'hello world']);
  });

  it('clamp times to the audio in a short window, and drop segments without text', () => {
    const t = transcriptOf([ts(0), ts(1), 1, ts(12)], tokens, decode, { offset: 0, duration: 10, isLast: true });
    expect(t.chunks).toEqual([{ start: 1, end: 10, text: 'hello' }]);
  });
});
