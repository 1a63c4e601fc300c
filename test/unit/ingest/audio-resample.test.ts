// The resampler that brings every recording to Whisper's 16 kHz, and the downmix to mono. [Note: audio]
import { describe, expect, it } from 'vitest';
import { downmix, resample, Resampler, resamplerLength } from '../../../src/main/engine/ingest/audio-resample.js';

function sine(freq: number, rate: number, seconds: number, amplitude = 0.5, phase = 0): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin(2 * Math.PI * freq * (i / rate) + phase);
  return out;
}

/** Amplitude and phase of the component at `freq`, by correlation over [from, to) (whole periods preferred). */
function component(x: Float32Array, rate: number, freq: number, from: number, to: number): { amplitude: number; residual: number } {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    s += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
    c += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
  }
  const n = to - from;
  const a = (2 * s) / n;
  const b = (2 * c) / n;
  let residual = 0;
  for (let i = from; i < to; i++) {
    const fit = a * Math.sin((2 * Math.PI * freq * i) / rate) + b * Math.cos((2 * Math.PI * freq * i) / rate);
    residual = Math.max(residual, Math.abs(x[i]! - fit));
  }
  return { amplitude: Math.hypot(a, b), residual };
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

const RATES = [8000, 11025, 22050, 24000, 32000, 44100, 48000, 96000];

describe('resampling to 16 kHz', () => {
  it.each(RATES)('keeps a 1 kHz sine at its frequency and amplitude (from %i Hz)', (rate) => {
    const out = resample(sine(1000, rate, 1.5), rate, 16_000);
    // Away from the edges (where the signal starts and stops abruptly), the output is the same sine at 16 kHz.
    const { amplitude, residual } = component(out, 16_000, 1000, 4000, 20_000);
    expect(amplitude).toBeCloseTo(0.5, 3);
    expect(residual).toBeLessThan(1e-3);
  });

  it.each([
    [44_100, 10_000],
    [44_100, 9_000],
    [48_000, 12_000],
    [48_000, 8_400],
    [96_000, 30_000],
    [22_050, 10_500],
  ])('attenuates content above 8 kHz instead of folding it back (from %i Hz, %i Hz tone)', (rate, freq) => {
    const out = resample(sine(freq, rate, 1), rate, 16_000);
    // A naive decimator would fold 10 kHz to 6 kHz at full strength; here it is at least 60 dB down.
    expect(rms(out, 2000, 14_000)).toBeLessThan(0.5 * Math.SQRT1_2 * 1e-3);
  });

  it('passes speech frequencies untouched and rolls off only near 8 kHz', () => {
    for (const freq of [300, 3000, 6000]) {
      const out = resample(sine(freq, 44_100, 1), 44_100, 16_000);
      expect(component(out, 16_000, freq, 2000, 14_000).amplitude).toBeCloseTo(0.5, 3);
    }
  });

  it.each(RATES)('gives exactly ceil(n × 16000 / rate) samples, with no delay (from %i Hz)', (rate) => {
    for (const n of [0, 1, 7, rate, rate + 13]) {
      expect(resample(new Float32Array(n), rate, 16_000).length).toBe(Math.ceil((n * 16_000) / rate));
      expect(resamplerLength(n, rate, 16_000)).toBe(Math.ceil((n * 16_000) / rate));
    }
    // A click at input sample k peaks at output sample k × 16000 / rate: the filter is centred, no delay.
    const k = Math.round(rate * 0.6);
    const click = new Float32Array(rate);
    click[k] = 1;
    const out = resample(click, rate, 16_000);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
    expect(Math.abs(peak - (k * 16_000) / rate)).toBeLessThanOrEqual(0.5);
  });

  it.each(RATES)('gives the same samples whether the input comes whole or in pieces (from %i Hz)', (rate) => {
    const input = new Float32Array(rate * 2);
    let seed = 7;
    for (let i = 0; i < input.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      input[i] = seed / 0x7fffffff - 0.5;
    }
    const whole = resample(input, rate, 16_000);
    const r = new Resampler(rate, 16_000);
    const parts: Float32Array[] = [];
    let pos = 0;
    for (const size of [1, 0, 3, 17, 250, 1, 4096, 999, 10_000]) {
      parts.push(r.push(input.subarray(pos, pos + size)));
      pos += size;
    }
    parts.push(r.push(input.subarray(pos)));
    parts.push(r.flush());
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    expect(joined).toEqual(whole);
  });

  it('holds a bounded amount of input however long the stream', () => {
    const r = new Resampler(44_100, 16_000);
    const piece = sine(440, 44_100, 0.5);
    for (let i = 0; i < 200; i++) r.push(piece); // 100 s
    expect(r.heldSamples).toBeLessThan(piece.length + 1024);
  });

  it('copies 16 kHz through unchanged', () => {
    const x = sine(1000, 16_000, 0.1);
    expect(resample(x, 16_000, 16_000)).toEqual(x);
  });

  it('resamples between odd rates whose ratio needs many phases', () => {
    const out = resample(sine(1000, 44_056, 1.5), 44_056, 16_000);
    expect(out.length).toBe(Math.ceil((Math.round(44_056 * 1.5) * 16_000) / 44_056));
    const { amplitude, residual } = component(out, 16_000, 1000, 4000, 20_000);
    expect(amplitude).toBeCloseTo(0.5, 3);
    expect(residual).toBeLessThan(2e-3);
  });

  it('refuses rates that are not positive whole numbers', () => {
    expect(() => new Resampler(0, 16_000)).toThrow();
    expect(() => new Resampler(44_100.5, 16_000)).toThrow();
  });
});

describe('downmix', () => {
  it('averages the channels', () => {
    const l = new Float32Array([1, 0.5, -1]);
    const r = new Float32Array([0, 0.5, 1]);
    expect(Array.from(downmix([l, r]))).toEqual([0.5, 0.5, 0]);
  });

  it('passes mono through and treats no channels as silence', () => {
    const m = new Float32Array([0.25, -0.25]);
    expect(downmix([m])).toBe(m);
    expect(downmix([]).length).toBe(0);
  });

  it('uses the shortest channel when a decoder hands channels of different lengths', () => {
    expect(Array.from(downmix([new Float32Array([1, 1, 1]), new Float32Array([1, 1])]))).toEqual([1, 1]);
  });
});
