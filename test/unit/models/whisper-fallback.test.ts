// Whisper's guards against a decoding that goes round in a loop: OpenAI's compression-ratio test, an early stop
// when the same run of tokens keeps coming, and sampling at a temperature for the retry.
import { describe, expect, it } from 'vitest';
import { compressionRatio, loopsAtEnd, sampleAt, seededRandom } from '../../../src/main/engine/models/whisper-decode.js';

describe('compression ratio', () => {
  it('is high for text that repeats itself and low for speech', () => {
    expect(compressionRatio('Thank you. '.repeat(30))).toBeGreaterThan(2.4);
    expect(compressionRatio('We took the kids to the open day at the fire station, and they sat in the cab of the big red engine.')).toBeLessThan(2.4);
    expect(compressionRatio('')).toBe(0);
  });
});

describe('loopsAtEnd', () => {
  const EOT = 1000;
  it('sees one token, or a phrase, said over and over at the end', () => {
    expect(loopsAtEnd([5, 6, ...Array(20).fill(7)], EOT)).toBe(true);
    expect(loopsAtEnd([1, 2, 3, ...Array.from({ length: 7 }, () => [10, 11, 12, 13]).flat()], EOT)).toBe(true);
    // Between timestamps that move on, as a looping Whisper writes it: only the text tokens are compared.
    expect(loopsAtEnd(Array.from({ length: 8 }, (_, i) => [EOT + 1 + 2 * i, 20, 21, 22, EOT + 2 + 2 * i]).flat(), EOT)).toBe(true);
  });

  it('leaves ordinary speech, timestamps and a few repeats alone', () => {
    expect(loopsAtEnd([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], EOT)).toBe(false);
    expect(loopsAtEnd([7, 7, 7, 8], EOT)).toBe(false); // "no, no, no" is speech
    expect(loopsAtEnd(Array.from({ length: 3 }, (_, i) => [EOT + 1 + i, 20, 21, 22, EOT + 2 + i]).flat(), EOT)).toBe(false); // said three times
  });
});

describe('sampleAt', () => {
  it('never picks a banned token, and is deterministic for a seed', () => {
    const logits = new Float32Array([2, -Infinity, 1, 0.5]);
    const rng = seededRandom(42);
    const picks = Array.from({ length: 2000 }, () => sampleAt(logits, 1, rng).token);
    expect(picks).not.toContain(1);
    const share = picks.filter((t) => t === 0).length / picks.length;
    expect(share).toBeGreaterThan(0.55); // softmax([2, 1, 0.5]) gives token 0 about 63%
    expect(share).toBeLessThan(0.71);
    const again = seededRandom(42);
    expect(Array.from({ length: 2000 }, () => sampleAt(logits, 1, again).token)).toEqual(picks);
  });

  it('reports the log-probability of the token under the untempered distribution', () => {
    const logits = new Float32Array([0, 0]);
    const { logprob } = sampleAt(logits, 0.5, seededRandom(1));
    expect(logprob).toBeCloseTo(Math.log(0.5), 6);
  });
});

describe('a retry at a temperature, through the fixture pack', () => {
  it('samples through the real decoder and cache: near 0 it is greedy, and a seed repeats itself', async () => {
    const { WhisperModel } = await import('../../../src/main/engine/models/whisper.js');
    const { REPO } = await import('../../helpers.js');
    const { join } = await import('node:path');
    const model = await WhisperModel.open(join(REPO, 'test/fixtures/packs/whisper-tiny-fixture'), { threads: 1 });
    try {
      // Two seconds of a voiced tone between silences: the fixture hears it as one span.
      const pcm = new Float32Array(16_000 * 5);
      for (let i = 16_000; i < 16_000 * 3; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16_000) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / 16_000));
      const hidden = await model.encode(model.featuresOf(pcm));
      const greedy = await model.decodeOnce(hidden, 'en', 0, null);
      expect(greedy.sampled.length).toBeGreaterThan(0);
      expect((await model.decodeOnce(hidden, 'en', 0.01, seededRandom(5))).sampled).toEqual(greedy.sampled);
      const hot = await model.decodeOnce(hidden, 'en', 1, seededRandom(9));
      expect(hot.temperature).toBe(1);
      expect(hot.sampled.length).toBeLessThan(448);
      expect((await model.decodeOnce(hidden, 'en', 1, seededRandom(9))).sampled).toEqual(hot.sampled);
    } finally {
      await model.close();
    }
  });
});
