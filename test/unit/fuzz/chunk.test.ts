// Property tests of the note chunker (src/main/engine/ingest/chunk.ts). [Note: fuzzing] [Note: bounded-chunking]
// For any text and any context size: every chunk fits (a single character that cannot is kept rather than lost), no
// character is lost or duplicated (whitespace aside), each chunk's offsets point at its text, chunks come in order,
// and the tokenizer and Intl.Segmenter are never handed more than a bounded window.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkMarkdown, chunkPlainText, MAX_FIT_CHARS, WINDOW, type Fits } from '../../../src/main/engine/ingest/chunk.js';
import { holds } from './fuzz.js';

const squeeze = (s: string) => s.replace(/\s+/g, '');

/** A context of n "tokens": words for Latin-like text, characters for runs without spaces, as tokenizers count. */
const budget = (n: number): Fits => (t) => {
  let tokens = 0;
  for (const w of t.split(/\s+/)) if (w) tokens += Math.ceil([...w].length / 4);
  return tokens <= n;
};

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.array(fc.constantFrom('word', 'The', 'sea.', 'Hi!', '\n', '\n\n', ' ', '今天天气很好。', '海水是蓝色的', 'ß', '🙂', '\r\n', 'a'.repeat(90), '# Head', '```'), { maxLength: 120 }).map((xs) => xs.join(' ')),
);

let biggestSegment = 0;
const realSegment = Intl.Segmenter.prototype.segment;

describe('the chunker, on any text', () => {
  beforeEach(() => {
    biggestSegment = 0;
    Intl.Segmenter.prototype.segment = function (this: Intl.Segmenter, input: string) {
      biggestSegment = Math.max(biggestSegment, input.length);
      return realSegment.call(this, input);
    };
  });
  afterEach(() => {
    Intl.Segmenter.prototype.segment = realSegment;
  });

  it('keeps every character once, in chunks that fit, with offsets that point at them', async () => {
    await holds(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (source, n) => {
        const fits = budget(n);
        const chunks = chunkPlainText(source, fits);
        expect(squeeze(chunks.map((c) => c.text).join(''))).toBe(squeeze(source));
        let last = -1;
        for (const c of chunks) {
          expect(fits(c.text) || [...c.text].length === 1, JSON.stringify(c.text)).toBe(true);
          expect(squeeze(source.slice(c.start, c.end))).toBe(squeeze(c.text));
          expect(c.start).toBeGreaterThan(last);
          last = c.start;
        }
      }),
      { runs: 1500 },
    );
  });

  it('chunks any Markdown into fitting chunks in order, never throwing', async () => {
    await holds(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (source, n) => {
        const fits = budget(n);
        const { chunks } = chunkMarkdown(source, fits);
        let last = -1;
        for (const c of chunks) {
          expect(fits(c.text) || [...c.text].length === 1).toBe(true);
          expect(c.start).toBeGreaterThanOrEqual(last);
          last = c.start;
        }
      }),
      { runs: 1500 },
    );
  });

  it('never hands the segmenter or the tokenizer more than a window, however long the line', () => {
    let longestAsked = 0;
    let calls = 0;
    const fits: Fits = (t) => {
      calls++;
      longestAsked = Math.max(longestAsked, t.length);
      return budget(30)(t);
    };
    const line = Array.from({ length: 120_000 }, (_, i) => `w${i % 997}`).join(' '); // ~600 KB on one line
    const chunks = chunkPlainText(line, fits);
    expect(squeeze(chunks.map((c) => c.text).join(''))).toBe(squeeze(line));
    expect(longestAsked).toBeLessThanOrEqual(MAX_FIT_CHARS);
    expect(biggestSegment).toBeLessThanOrEqual(WINDOW);
    expect(calls).toBeLessThan(chunks.length * 8); // a few tokenizer calls per chunk, not one per word
    // A giant "word" (no spaces at all) and Chinese without punctuation are cut just as boundedly.
    const giant = 'x'.repeat(200_000);
    expect(chunkPlainText(giant, budget(30)).map((c) => c.text).join('')).toBe(giant);
    const zh = '我们去了海边海水是蓝色的'.repeat(5_000);
    expect(chunkPlainText(zh, (t) => [...t].length <= 25).map((c) => c.text).join('')).toBe(zh);
    expect(biggestSegment).toBeLessThanOrEqual(WINDOW);
  });
});
