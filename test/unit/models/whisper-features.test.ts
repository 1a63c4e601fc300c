// Whisper feature parity: Trove's log-mel (whisper-features.ts) against the reference numpy computes the way
// transformers' WhisperFeatureExtractor does, for espeak-ng recordings and a synthetic signal
// (scripts/make-mel-fixtures.py → test/fixtures/speech/). [Note: whisper-features]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComplexFft, hzToMel, LogMelExtractor, melFilters, melToHz, parseFeatureConfig, RealPowerSpectrum } from '../../../src/main/engine/models/whisper-features.js';
import { readWav16 } from '../../fixtures/speech-audio.js';
import { REPO } from '../../helpers.js';

const DIR = join(REPO, 'test/fixtures/speech');

interface Case {
  name: string;
  wav: string;
  tileSeconds: number | null;
  nMels: number;
  frames: string;
  coveredFrames: number;
  floor: number;
  values: string;
}

const reference = JSON.parse(readFileSync(join(DIR, 'mel-reference.json'), 'utf8')) as { config: Record<string, unknown>; cases: Case[] };

// The reference runs in float64 like this code, but keeps the spectrum as complex64 and the logs as float32, as
// transformers does: the differences are float32 rounding (measured: at most 1.2e-7, one ulp). The bar is 1e-5
// per value, a hundred times below the 1e-3 the issue allows and far below anything the model could notice.
const TOLERANCE = 1e-5;

function floats(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function audioOf(c: Case): Float32Array {
  const pcm = readWav16(join(DIR, c.wav));
  if (!c.tileSeconds) return pcm;
  const out = new Float32Array(c.tileSeconds * 16_000);
  for (let i = 0; i < out.length; i++) out[i] = pcm[i % pcm.length]!;
  return out;
}

describe('Whisper log-mel features', () => {
  for (const c of reference.cases) {
    it(`match the numpy reference: ${c.name}`, () => {
      const config = parseFeatureConfig({ ...reference.config, feature_size: c.nMels });
      const features = new LogMelExtractor(config).compute(audioOf(c));
      expect(features).toHaveLength(c.nMels * 3000);
      const frames = c.frames.split(' ').map(Number);
      const expected = floats(c.values); // [nMels, frames.length]
      let worst = 0;
      for (let m = 0; m < c.nMels; m++) {
        frames.forEach((t, i) => {
          worst = Math.max(worst, Math.abs(features[m * 3000 + t]! - expected[m * frames.length + i]!));
        });
      }
      expect(worst).toBeLessThan(TOLERANCE);
      // Every frame after the audio holds the floor (max − 8, normalised).
      let off = 0;
      for (let m = 0; m < c.nMels; m++) {
        for (let t = c.coveredFrames; t < 3000; t++) off = Math.max(off, Math.abs(features[m * 3000 + t]! - c.floor));
      }
      expect(off).toBeLessThan(TOLERANCE);
    });
  }

  it('read the extractor settings of preprocessor_config.json and refuse nonsense', () => {
    expect(parseFeatureConfig({ feature_size: 128, n_fft: 400, hop_length: 160, chunk_length: 30, sampling_rate: 16000 })).toEqual({
      nMels: 128, nFft: 400, hop: 160, samplingRate: 16000, nSamples: 480000, nFrames: 3000,
    });
    expect(() => parseFeatureConfig({ n_fft: 401 })).toThrow(/must be even/);
    expect(() => parseFeatureConfig({ hop_length: -1 })).toThrow(/positive integer/);
    expect(() => parseFeatureConfig({ nb_max_frames: 3001 })).toThrow(/nb_max_frames/);
  });
});

describe('FFT and mel filters', () => {
  function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
    const n = re.length;
    const outRe = new Float64Array(n);
    const outIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        outRe[k]! += re[t]! * Math.cos(a) - im[t]! * Math.sin(a);
        outIm[k]! += re[t]! * Math.sin(a) + im[t]! * Math.cos(a);
      }
    }
    return [outRe, outIm];
  }

  it('the mixed-radix FFT equals a direct DFT for lengths with factors 2, 3, 4, 5 and 7', () => {
    for (const n of [1, 2, 5, 8, 12, 49, 200, 210]) {
      const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + (i % 3));
      const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
      const [wantRe, wantIm] = naiveDft(re, im);
      new ComplexFft(n).transform(re, im);
      for (let k = 0; k < n; k++) {
        expect(re[k]).toBeCloseTo(wantRe[k]!, 9);
        expect(im[k]).toBeCloseTo(wantIm[k]!, 9);
      }
    }
  });

  it('the real power spectrum of 400 points is |DFT|² at 201 bins, not a 512-point FFT', () => {
    const frame = Float64Array.from({ length: 400 }, (_, i) => Math.sin((2 * Math.PI * 1234 * i) / 16000) + 0.1 * Math.cos(i));
    const [re, im] = naiveDft(frame, new Float64Array(400));
    const power = new Float64Array(201);
    new RealPowerSpectrum(400).power(frame, power);
    for (let k = 0; k <= 200; k++) expect(power[k]).toBeCloseTo(re[k]! ** 2 + im[k]! ** 2, 6);
  });

  it('the Slaney mel scale is linear to 1 kHz and logarithmic above, and round-trips', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(500)).toBeCloseTo(7.5, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 9);
    for (const hz of [0, 300, 999, 1001, 4000, 8000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 6);
  });

  it('the filters are area-normalised triangles covering 0–8 kHz', () => {
    const filters = melFilters(80, 400, 16000);
    expect(filters).toHaveLength(80);
    // Each triangle's area over frequency is 1 (2 / width × width / 2) up to the sampling of the bins.
    for (const f of filters.slice(20)) {
      const area = f.weights.reduce((s, w) => s + w, 0) * 40;
      expect(area).toBeGreaterThan(0.9);
      expect(area).toBeLessThan(1.1);
    }
    expect(filters.at(-1)!.start + filters.at(-1)!.weights.length).toBeLessThanOrEqual(201);
  });
});
