// Windows for the transcriber: bounded, exact offsets, "next window starts where the transcript is complete".
import { describe, expect, it } from 'vitest';
import { speechWindows, transcribeStream, transcriptSegments, WindowStats, type SpeechWindow } from '../../../src/main/engine/ingest/audio-windows.js';
import type { Transcriber, TranscriptChunk, WindowTranscript } from '../../../src/main/engine/models/speech.js';

const RATE = 100; // a low rate keeps the arrays small; the code is rate-agnostic

/** A stream whose every sample says where it is: sample i holds i (exact in float32 below 2^24). */
async function* ramp(samples: number, pieces: readonly number[] = [37, 1, 250, 999, 3]): AsyncGenerator<Float32Array> {
  let i = 0;
  let k = 0;
  while (i < samples) {
    const n = Math.min(samples - i, pieces[k++ % pieces.length]!);
    const piece = new Float32Array(n);
    for (let j = 0; j < n; j++) piece[j] = i + j;
    i += n;
    yield piece;
  }
}

async function collect(samples: number, consume: (w: SpeechWindow) => number | undefined, options = {}, stats?: WindowStats): Promise<SpeechWindow[]> {
  const out: SpeechWindow[] = [];
  const gen = speechWindows(ramp(samples), { sampleRate: RATE, windowSeconds: 30, ...options }, stats);
  let r = await gen.next();
  while (!r.done) {
    out.push(r.value);
    r = await gen.next(consume(r.value));
  }
  return out;
}

describe('speech windows', () => {
  it('cut a stream into 30-second windows at exact offsets, the last one marked', async () => {
    const ws = await collect(75 * RATE + 7, () => undefined);
    expect(ws.map((w) => [w.offsetSeconds, w.pcm.length, w.isLast])).toEqual([
      [0, 3000, false],
      [30, 3000, false],
      [60, 1507, true],
    ]);
    for (const w of ws) expect(w.pcm[0]).toBe(w.offsetSeconds * RATE); // the samples are the stream's, in place
    expect(ws[2]!.pcm[1506]).toBe(75 * RATE + 6);
  });

  it('mark a window that ends exactly at the end of the stream as the last', async () => {
    const ws = await collect(60 * RATE, () => undefined);
    expect(ws.map((w) => [w.offsetSeconds, w.isLast])).toEqual([
      [0, false],
      [30, true],
    ]);
  });

  it('start the next window where the transcript is complete', async () => {
    const ws = await collect(70 * RATE, (w) => (w.isLast ? undefined : 25.5));
    expect(ws.map((w) => w.offsetSeconds)).toEqual([0, 25.5, 51]);
    expect(ws[1]!.pcm[0]).toBe(2550);
  });

  it('always move on, whatever the transcriber says it consumed', async () => {
    const ws = await collect(33 * RATE, (w) => (w.isLast ? undefined : 0.2)); // at least a second at a time
    expect(ws.map((w) => w.offsetSeconds)).toEqual([0, 1, 2, 3]);
    const nonsense = await collect(65 * RATE, (w) => (w.isLast ? undefined : w.offsetSeconds === 0 ? 0 : Number.NaN));
    expect(nonsense.map((w) => w.offsetSeconds)).toEqual([0, 30, 60]); // no answer: the whole window was read
  });

  it('hold one window of audio however long the recording', async () => {
    const stats = new WindowStats();
    const ws = await collect(600 * RATE, () => undefined, {}, stats); // ten minutes
    expect(ws.length).toBe(20);
    expect(stats.bufferSamples).toBe(30 * RATE + 1);
    expect(stats.largestPiece).toBe(999);
    expect(stats.samples).toBe(600 * RATE);
  });

  it('skip what a resumed transcription already has', async () => {
    const ws = await collect(50 * RATE, () => undefined, { startSeconds: 12.34 });
    expect(ws.map((w) => [w.offsetSeconds, w.pcm[0]])).toEqual([
      [12.34, 1234],
      [42.34, 4234],
    ]);
  });

  it('hand out copies and give nothing for an empty stream', async () => {
    const ws = await collect(40 * RATE, (w) => {
      w.pcm.fill(-1);
      return undefined;
    });
    expect(ws[1]!.pcm[0]).toBe(-1);
    expect((await collect(40 * RATE, () => undefined))[1]!.pcm[0]).toBe(3000);
    expect(await collect(0, () => undefined)).toEqual([]);
  });
});

/**
 * A transcriber for a ramp: the stream is made of 7-second "utterances"; it reports each one that lies wholly in
 * the window, and says the window is consumed up to the start of an utterance cut off at its end.
 */
class UtteranceReader implements Transcriber {
  readonly id = 'utterances@1';
  readonly seen: { offset: number; length: number; isLast: boolean }[] = [];
  async transcribe(pcm: Float32Array, offsetSeconds: number, isLast: boolean): Promise<WindowTranscript> {
    const from = pcm[0]! / RATE; // the ramp says where the window really is
    expect(from).toBeCloseTo(offsetSeconds, 6);
    const to = from + pcm.length / RATE;
    this.seen.push({ offset: offsetSeconds, length: pcm.length / RATE, isLast });
    const chunks: TranscriptChunk[] = [];
    let consumed = to - from;
    for (let u = Math.ceil(from / 7 - 1e-9) * 7; u < to; u += 7) {
      if (u + 7 <= to + 1e-9 || isLast) chunks.push({ start: u, end: Math.min(u + 7, to), text: `utterance ${u / 7}` });
      else {
        consumed = u - from;
        break;
      }
    }
    return { chunks, consumedSeconds: consumed, language: 'en' };
  }
  async close(): Promise<void> {}
}

describe('transcribing window by window', () => {
  it('hears every utterance once, with its time, even those cut by a window edge', async () => {
    const t = new UtteranceReader();
    const result = await transcribeStream(ramp(100 * RATE), t, { sampleRate: RATE });
    expect(t.seen.map((s) => s.offset)).toEqual([0, 28, 56, 84]);
    expect(result.chunks.map((c) => c.text)).toEqual(Array.from({ length: 15 }, (_, i) => `utterance ${i}`));
    expect(result.chunks.map((c) => c.start)).toEqual(Array.from({ length: 15 }, (_, i) => i * 7));
    expect(result.chunks.at(-1)!.end).toBe(100);
    expect(result).toMatchObject({ complete: true, durationSeconds: 100, doneSeconds: 100, language: 'en' });
  });

  it('checkpoints after each window and resumes from a checkpoint without repeating work', async () => {
    const checkpoints: { doneSeconds: number; texts: string[] }[] = [];
    let windows = 0;
    const first = await transcribeStream(ramp(100 * RATE), new UtteranceReader(), {
      sampleRate: RATE,
      beforeWindow: async () => windows++ < 2, // "killed" before the third window
      afterWindow: (p) => void checkpoints.push({ doneSeconds: p.doneSeconds, texts: p.chunks.map((c) => c.text) }),
    });
    expect(first.complete).toBe(false);
    expect(checkpoints.map((c) => c.doneSeconds)).toEqual([28, 56]);
    const again = new UtteranceReader();
    const resumed = await transcribeStream(ramp(100 * RATE), again, {
      sampleRate: RATE,
      resume: { doneSeconds: 56, chunks: first.chunks, language: first.language },
    });
    expect(again.seen.map((s) => s.offset)).toEqual([56, 84]);
    expect(resumed.chunks.map((c) => c.text)).toEqual(Array.from({ length: 15 }, (_, i) => `utterance ${i}`));
  });

  it('keeps chunks inside their window and drops empty ones', async () => {
    const sloppy: Transcriber = {
      id: 'sloppy',
      async transcribe(pcm, offsetSeconds) {
        return {
          chunks: [
            { start: offsetSeconds - 5, end: offsetSeconds + 1, text: '  early\n start ' },
            { start: offsetSeconds + 2, end: offsetSeconds + 1, text: 'backwards' },
            { start: offsetSeconds + 3, end: offsetSeconds + 999, text: 'runs past the end' },
            { start: offsetSeconds + 4, end: offsetSeconds + 5, text: '   ' },
            { start: Number.NaN, end: 1, text: 'no time' },
          ],
          consumedSeconds: pcm.length / RATE,
          language: null,
        };
      },
      async close() {},
    };
    const result = await transcribeStream(ramp(10 * RATE), sloppy, { sampleRate: RATE });
    expect(result.chunks).toEqual([
      { start: 0, end: 1, text: 'early start' },
      { start: 2, end: 2, text: 'backwards' },
      { start: 3, end: 10, text: 'runs past the end' },
    ]);
  });
});

describe('transcript segments', () => {
  it('make one segment per chunk, times in ms', () => {
    const segs = transcriptSegments([{ start: 1.5, end: 3.25, text: 'hello there' }, { start: 4, end: 5, text: 'again' }], () => true);
    expect(segs).toEqual([
      { kind: 'transcript', text: 'hello there', breadcrumb: [], start: 1500, end: 3250 },
      { kind: 'transcript', text: 'again', breadcrumb: [], start: 4000, end: 5000 },
    ]);
  });

  it('split a chunk too long for the text encoder, sharing out its time, never dropping words', () => {
    const text = 'One two three four. Five six seven eight. Nine ten eleven twelve.';
    const fourWords = (t: string) => t.split(/\s+/).filter(Boolean).length <= 4;
    const segs = transcriptSegments([{ start: 10, end: 16.6, text }], fourWords);
    expect(segs.map((s) => s.text)).toEqual(['One two three four.', 'Five six seven eight.', 'Nine ten eleven twelve.']);
    expect(segs[0]!.start).toBe(10_000);
    expect(segs.at(-1)!.end).toBe(16_600);
    for (let i = 1; i < segs.length; i++) expect(segs[i]!.start).toBeGreaterThan(segs[i - 1]!.start!);
  });
});
