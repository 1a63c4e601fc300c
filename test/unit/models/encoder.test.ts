import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxEncoder } from '../../../src/main/engine/models/encoder.js';
import { TextTokenizer } from '../../../src/main/engine/models/tokenizer.js';
import { loadPack } from '../../../src/main/engine/models/pack.js';
import { COLOURS_PACK } from '../../helpers.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('OnnxEncoder with the colours pack', () => {
  let encoder: OnnxEncoder;
  beforeAll(async () => {
    encoder = await OnnxEncoder.open(COLOURS_PACK, { device: 'cpu', threads: 1 });
  });
  afterAll(() => encoder.close());

  it('returns unit vectors of the manifest dimensions and counts what it runs', async () => {
    const before = encoder.stats.texts;
    const vs = await encoder.embedTexts(['red', 'a note with no colour at all']);
    expect(vs).toHaveLength(2);
    for (const v of vs) {
      expect(v).toHaveLength(16);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(encoder.stats.texts - before).toBe(2);
    expect(encoder.space).toEqual({ modelId: 'fixture-colours', revision: '1', dimensions: 16 });
  });

  it('gives a text the same vector alone or padded in a batch', async () => {
    const [alone] = await encoder.embedTexts(['the red car']);
    const [inBatch] = await encoder.embedTexts(['the red car', 'a much longer sentence about a blue house and a green garden']);
    expect(dot(alone!, inBatch!)).toBeCloseTo(1, 5);
  });

  it('maps an image and the word for its colour close together, through real decoding', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#1030e0' } }).png().toBuffer();
    const img = await encoder.prepareImage(png);
    expect([img.width, img.height, img.format]).toEqual([300, 200, 'png']);
    const [iv] = await encoder.embedImages([img]);
    const [blue, red] = await encoder.embedTexts(['blue', 'red']);
    expect(dot(iv!, blue!)).toBeGreaterThan(0.9);
    expect(dot(iv!, red!)).toBeLessThan(0.2);
  });

  it('refuses images larger than the pixel limit instead of decoding them', async () => {
    const small = await OnnxEncoder.open(COLOURS_PACK, { maxInputPixels: 1000 });
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } }).png().toBuffer();
    await expect(small.prepareImage(png)).rejects.toThrow(/pixel limit/i);
    await small.close();
  });
});

describe('TextTokenizer', () => {
  it('pads to the longest text of the batch with a mask, not to the full context', async () => {
    const pack = await loadPack(COLOURS_PACK);
    const t = new TextTokenizer(pack.tokenizer!.json, pack.tokenizer!.config, 32);
    const b = t.encodeBatch(['red', 'red and blue']);
    expect(b.length).toBe(3);
    expect(Array.from(b.mask)).toEqual([1n, 0n, 0n, 1n, 1n, 1n]);
    expect(b.ids[1]).toBe(0n); // [PAD]
    expect(b.truncated).toBe(0);
  });

  it('cuts a text that does not fit, keeping its last token', async () => {
    const pack = await loadPack(COLOURS_PACK);
    const t = new TextTokenizer(pack.tokenizer!.json, pack.tokenizer!.config, 4);
    const ids = t.ids('one two three four five red');
    const b = t.encodeBatch(['one two three four five red']);
    expect(b.length).toBe(4);
    expect(b.truncated).toBe(1);
    expect(b.ids[3]).toBe(BigInt(ids[ids.length - 1]!));
  });
});

describe('TextTokenizer padding', () => {
  it('pads to the full context for towers trained that way (SigLIP)', async () => {
    const pack = await loadPack(COLOURS_PACK);
    const t = new TextTokenizer(pack.tokenizer!.json, pack.tokenizer!.config, 8, 'max_length');
    const b = t.encodeBatch(['red']);
    expect(b.length).toBe(8);
    expect(Array.from(b.mask)).toEqual([1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
  });
});
