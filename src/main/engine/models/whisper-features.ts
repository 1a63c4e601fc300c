// Whisper's log-mel features, as transformers' WhisperFeatureExtractor computes them. [Note: whisper-features]
// pcm (16 kHz mono) padded with zeros or cut to the window (30 s = 480,000 samples) → STFT with a periodic Hann
// window of n_fft (400) samples every hop (160), centred (reflect padding of n_fft/2 on both sides) → power
// spectrum of the n_fft/2 + 1 bins → Slaney mel filter bank (Slaney mel scale and area normalisation, 0–8 kHz)
// → log10(max(x, 1e-10)) → floor at the window's maximum − 8 → (x + 4) / 4 → the last frame dropped (3,000).
// The DFT is over n_fft points exactly: zero padding 400 samples to a 512-point FFT would sample the spectrum at
// other frequencies, and the model was trained on 400. A real DFT of n points is one complex FFT of n/2 points
// (mixed radix: 200 = 4·2·5·5) plus a split step; frames wholly inside the zero padding are not transformed.
// Parity with the reference (numpy, float64) is tested on espeak-ng recordings: test/unit/models/whisper-features.test.ts.

export interface FeatureConfig {
  readonly nMels: number; // feature_size: 80 (128 for large-v3)
  readonly nFft: number; // 400
  readonly hop: number; // 160
  readonly samplingRate: number; // 16,000
  readonly nSamples: number; // chunk_length × sampling_rate: 480,000
  readonly nFrames: number; // nSamples / hop: 3,000
}

/** Reads preprocessor_config.json (WhisperFeatureExtractor's keys). */
export function parseFeatureConfig(json: Record<string, unknown>): FeatureConfig {
  const num = (key: string, fallback: number): number => {
    const v = json[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`preprocessor_config.json: "${key}" must be a positive integer`);
    return v;
  };
  const nMels = num('feature_size', 80);
  const nFft = num('n_fft', 400);
  const hop = num('hop_length', 160);
  const samplingRate = num('sampling_rate', 16_000);
  const chunkLength = num('chunk_length', 30);
  const nSamples = num('n_samples', chunkLength * samplingRate);
  const nFrames = num('nb_max_frames', Math.floor(nSamples / hop));
  if (nFft % 2 !== 0) throw new Error(`preprocessor_config.json: n_fft ${nFft} must be even`);
  if (nFrames !== Math.floor(nSamples / hop)) throw new Error(`preprocessor_config.json: nb_max_frames ${nFrames} is not n_samples / hop_length`);
  return { nMels, nFft, hop, samplingRate, nSamples, nFrames };
}

// --- Mel scale (Slaney): linear below 1 kHz, logarithmic above. ---

const F_SP = 200 / 3; // Hz per mel in the linear part
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

export function melToHz(mel: number): number {
  return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

/** One triangular filter as its non-zero run of FFT bins. */
export interface MelFilter {
  readonly start: number; // first bin with a non-zero weight
  readonly weights: Float64Array;
}

/**
 * The Slaney-normalised triangular mel filters: n_mels + 2 points equally spaced on the mel scale between fMin and
 * fMax; filter m rises from point m to m + 1 and falls to m + 2 over the FFT bin frequencies, scaled by 2 / (width
 * in Hz) so each has the same area.
 */
export function melFilters(nMels: number, nFft: number, samplingRate: number, fMin = 0, fMax = 8000): MelFilter[] {
  const bins = nFft / 2 + 1;
  const melMin = hzToMel(fMin);
  const melMax = hzToMel(fMax);
  const points = Array.from({ length: nMels + 2 }, (_, i) => melToHz(melMin + ((melMax - melMin) * i) / (nMels + 1)));
  const filters: MelFilter[] = [];
  for (let m = 0; m < nMels; m++) {
    const [lo, mid, hi] = [points[m]!, points[m + 1]!, points[m + 2]!];
    const norm = 2 / (hi - lo);
    const row = new Float64Array(bins);
    let first = -1;
    let last = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * samplingRate) / nFft;
      const w = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (w > 0) {
        row[k] = w * norm;
        if (first < 0) first = k;
        last = k;
      }
    }
    filters.push(first < 0 ? { start: 0, weights: new Float64Array(0) } : { start: first, weights: row.slice(first, last + 1) });
  }
  return filters;
}

// --- FFT: mixed-radix Stockham autosort, complex, any length whose factors are small. ---

interface Stage {
  readonly radix: number;
  readonly l: number; // length of the sub-transforms already done
  readonly m: number; // how many of them each output combines: n / (l · radix)
  readonly twRe: Float64Array; // W_{l·radix}^{q·j} for q = 1..radix-1, j = 0..l-1, at (q-1)·l + j
  readonly twIm: Float64Array;
}

function factorise(n: number): number[] {
  const radices: number[] = [];
  let rest = n;
  for (const p of [4, 2, 3, 5]) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  for (let p = 7; rest > 1; p += 2) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  return radices;
}

/** A complex DFT of a fixed length n (forward, unnormalised), in place on (re, im). */
export class ComplexFft {
  private readonly stages: Stage[] = [];
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  // Scratch for the generic radix.
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;

  constructor(readonly n: number) {
    let l = 1;
    const radices = factorise(n);
    for (const radix of radices) {
      const m = n / (l * radix);
      const twRe = new Float64Array((radix - 1) * l);
      const twIm = new Float64Array((radix - 1) * l);
      for (let q = 1; q < radix; q++) {
        for (let j = 0; j < l; j++) {
          const angle = (-2 * Math.PI * q * j) / (l * radix);
          twRe[(q - 1) * l + j] = Math.cos(angle);
          twIm[(q - 1) * l + j] = Math.sin(angle);
        }
      }
      this.stages.push({ radix, l, m, twRe, twIm });
      l *= radix;
    }
    this.bufRe = new Float64Array(n);
    this.bufIm = new Float64Array(n);
    const maxRadix = Math.max(2, ...radices);
    this.tRe = new Float64Array(maxRadix);
    this.tIm = new Float64Array(maxRadix);
  }

  /** Transforms (re, im) in place. */
  transform(re: Float64Array, im: Float64Array): void {
    let srcRe = re;
    let srcIm = im;
    let dstRe = this.bufRe;
    let dstIm = this.bufIm;
    for (const stage of this.stages) {
      this.stage(stage, srcRe, srcIm, dstRe, dstIm);
      [srcRe, dstRe] = [dstRe, srcRe];
      [srcIm, dstIm] = [dstIm, srcIm];
    }
    if (srcRe !== re) {
      re.set(srcRe);
      im.set(srcIm);
    }
  }

  // Combines `radix` interleaved transforms of length l into transforms of length l·radix:
  // out[r·l·p + j + s·l] = Σ_q W_p^{q·s} · W_{l·p}^{q·j} · in[(r + q·m)·l + j].
  private stage(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
    const { radix: p, l, m, twRe, twIm } = st;
    const stride = m * l;
    if (p === 4) {
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < l; j++) {
          const i0 = r * l + j;
          const i1 = i0 + stride;
          const i2 = i1 + stride;
          const i3 = i2 + stride;
          const w1r = twRe[j]!, w1i = twIm[j]!;
          const w2r = twRe[l + j]!, w2i = twIm[l + j]!;
          const w3r = twRe[2 * l + j]!, w3i = twIm[2 * l + j]!;
          const a0r = xr[i0]!, a0i = xi[i0]!;
          const a1r = xr[i1]! * w1r - xi[i1]! * w1i, a1i = xr[i1]! * w1i + xi[i1]! * w1r;
          const a2r = xr[i2]! * w2r - xi[i2]! * w2i, a2i = xr[i2]! * w2i + xi[i2]! * w2r;
          const a3r = xr[i3]! * w3r - xi[i3]! * w3i, a3i = xr[i3]! * w3i + xi[i3]! * w3r;
          const s02r = a0r + a2r, s02i = a0i + a2i, d02r = a0r - a2r, d02i = a0i - a2i;
          const s13r = a1r + a3r, s13i = a1i + a3i, d13r = a1r - a3r, d13i = a1i - a3i;
          const o = r * l * 4 + j;
          yr[o] = s02r + s13r;
          yi[o] = s02i + s13i;
          // W_4 = -i: (d02 - i·d13) for s = 1, (d02 + i·d13) for s = 3
          yr[o + l] = d02r + d13i;
          yi[o + l] = d02i - d13r;
          yr[o + 2 * l] = s02r - s13r;
          yi[o + 2 * l] = s02i - s13i;
          yr[o + 3 * l] = d02r - d13i;
          yi[o + 3 * l] = d02i + d13r;
        }
      }
      return;
    }
    if (p === 2) {
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < l; j++) {
          const i0 = r * l + j;
          const i1 = i0 + stride;
          const wr = twRe[j]!, wi = twIm[j]!;
          const br = xr[i1]! * wr - xi[i1]! * wi, bi = xr[i1]! * wi + xi[i1]! * wr;
          const o = r * l * 2 + j;
          yr[o] = xr[i0]! + br;
          yi[o] = xi[i0]! + bi;
          yr[o + l] = xr[i0]! - br;
          yi[o + l] = xi[i0]! - bi;
        }
      }
      return;
    }
    if (p === 5) {
      const c1 = Math.cos((2 * Math.PI) / 5), c2 = Math.cos((4 * Math.PI) / 5);
      const s1 = Math.sin((2 * Math.PI) / 5), s2 = Math.sin((4 * Math.PI) / 5);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < l; j++) {
          const i0 = r * l + j;
          const a0r = xr[i0]!, a0i = xi[i0]!;
          let k = i0 + stride;
          const a1r = xr[k]! * twRe[j]! - xi[k]! * twIm[j]!, a1i = xr[k]! * twIm[j]! + xi[k]! * twRe[j]!;
          k += stride;
          const a2r = xr[k]! * twRe[l + j]! - xi[k]! * twIm[l + j]!, a2i = xr[k]! * twIm[l + j]! + xi[k]! * twRe[l + j]!;
          k += stride;
          const a3r = xr[k]! * twRe[2 * l + j]! - xi[k]! * twIm[2 * l + j]!, a3i = xr[k]! * twIm[2 * l + j]! + xi[k]! * twRe[2 * l + j]!;
          k += stride;
          const a4r = xr[k]! * twRe[3 * l + j]! - xi[k]! * twIm[3 * l + j]!, a4i = xr[k]! * twIm[3 * l + j]! + xi[k]! * twRe[3 * l + j]!;
          const b1r = a1r + a4r, b1i = a1i + a4i, e1r = a1r - a4r, e1i = a1i - a4i;
          const b2r = a2r + a3r, b2i = a2i + a3i, e2r = a2r - a3r, e2i = a2i - a3i;
          const t1r = a0r + c1 * b1r + c2 * b2r, t1i = a0i + c1 * b1i + c2 * b2i;
          const t2r = a0r + c2 * b1r + c1 * b2r, t2i = a0i + c2 * b1i + c1 * b2i;
          // −i·(s1·e1 + s2·e2) and −i·(s2·e1 − s1·e2)
          const u1r = s1 * e1i + s2 * e2i, u1i = -(s1 * e1r + s2 * e2r);
          const u2r = s2 * e1i - s1 * e2i, u2i = -(s2 * e1r - s1 * e2r);
          const o = r * l * 5 + j;
          yr[o] = a0r + b1r + b2r;
          yi[o] = a0i + b1i + b2i;
          yr[o + l] = t1r + u1r;
          yi[o + l] = t1i + u1i;
          yr[o + 2 * l] = t2r + u2r;
          yi[o + 2 * l] = t2i + u2i;
          yr[o + 3 * l] = t2r - u2r;
          yi[o + 3 * l] = t2i - u2i;
          yr[o + 4 * l] = t1r - u1r;
          yi[o + 4 * l] = t1i - u1i;
        }
      }
      return;
    }
    // Any other radix: a direct p-point DFT per butterfly.
    const { tRe, tIm } = this;
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < l; j++) {
        for (let q = 0; q < p; q++) {
          const k = (r + q * m) * l + j;
          if (q === 0) {
            tRe[0] = xr[k]!;
            tIm[0] = xi[k]!;
          } else {
            const wr = twRe[(q - 1) * l + j]!, wi = twIm[(q - 1) * l + j]!;
            tRe[q] = xr[k]! * wr - xi[k]! * wi;
            tIm[q] = xr[k]! * wi + xi[k]! * wr;
          }
        }
        const o = r * l * p + j;
        for (let s = 0; s < p; s++) {
          let accR = 0;
          let accI = 0;
          for (let q = 0; q < p; q++) {
            const angle = (-2 * Math.PI * ((q * s) % p)) / p;
            const c = Math.cos(angle), sn = Math.sin(angle);
            accR += tRe[q]! * c - tIm[q]! * sn;
            accI += tRe[q]! * sn + tIm[q]! * c;
          }
          yr[o + s * l] = accR;
          yi[o + s * l] = accI;
        }
      }
    }
  }
}

/** The power spectrum |X[k]|², k = 0..n/2, of a real frame of even length n: one complex FFT of n/2 points. */
export class RealPowerSpectrum {
  private readonly half: number;
  private readonly fft: ComplexFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly wRe: Float64Array; // e^{-2πik/n}, k = 0..n/2
  private readonly wIm: Float64Array;

  constructor(readonly n: number) {
    this.half = n / 2;
    this.fft = new ComplexFft(this.half);
    this.re = new Float64Array(this.half);
    this.im = new Float64Array(this.half);
    this.wRe = new Float64Array(this.half + 1);
    this.wIm = new Float64Array(this.half + 1);
    for (let k = 0; k <= this.half; k++) {
      this.wRe[k] = Math.cos((-2 * Math.PI * k) / n);
      this.wIm[k] = Math.sin((-2 * Math.PI * k) / n);
    }
  }

  /** frame: n real samples; out: n/2 + 1 powers. */
  power(frame: Float64Array, out: Float64Array): void {
    const { half, re, im, wRe, wIm } = this;
    for (let i = 0; i < half; i++) {
      re[i] = frame[2 * i]!;
      im[i] = frame[2 * i + 1]!;
    }
    this.fft.transform(re, im);
    // Even part E[k] = (Z[k] + conj Z[h−k]) / 2, odd part O[k] = (Z[k] − conj Z[h−k]) / 2i; X[k] = E[k] + W^k O[k].
    for (let k = 0; k <= half; k++) {
      const a = k % half;
      const b = (half - k) % half;
      const zr = re[a]!, zi = im[a]!, cr = re[b]!, ci = -im[b]!;
      const er = (zr + cr) / 2, ei = (zi + ci) / 2;
      const dr = (zr - cr) / 2, di = (zi - ci) / 2;
      const or = di, oi = -dr; // (d) / i
      const xr = er + wRe[k]! * or - wIm[k]! * oi;
      const xi = ei + wRe[k]! * oi + wIm[k]! * or;
      out[k] = xr * xr + xi * xi;
    }
  }
}

/** Computes Whisper's input_features for one window. Reusable; not safe to share between threads. */
export class LogMelExtractor {
  private readonly window: Float64Array;
  private readonly filters: MelFilter[];
  private readonly spectrum: RealPowerSpectrum;
  private readonly frame: Float64Array;
  private readonly power: Float64Array;

  constructor(readonly config: FeatureConfig) {
    const { nFft, nMels, samplingRate } = config;
    // Periodic Hann (the DFT-even window torch.hann_window and numpy's window_function use): cos over n, not n − 1.
    this.window = Float64Array.from({ length: nFft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft));
    this.filters = melFilters(nMels, nFft, samplingRate, 0, samplingRate / 2);
    this.spectrum = new RealPowerSpectrum(nFft);
    this.frame = new Float64Array(nFft);
    this.power = new Float64Array(nFft / 2 + 1);
  }

  /** pcm: mono at the config's sampling rate (longer than the window: cut). Returns [nMels × nFrames], row-major. */
  compute(pcm: Float32Array): Float32Array {
    const { nFft, hop, nMels, nSamples, nFrames } = this.config;
    const n = Math.min(pcm.length, nSamples);
    const pad = nFft / 2;
    // The padded signal is pcm (zero-padded to nSamples) with `pad` reflected samples on each side.
    const sample = (i: number): number => {
      let j = i - pad;
      if (j < 0) j = -j;
      else if (j >= nSamples) j = 2 * nSamples - 2 - j;
      return j < n ? pcm[j]! : 0;
    };
    const out = new Float32Array(nMels * nFrames);
    const logs = new Float64Array(nMels * nFrames);
    const silentLog = Math.log10(1e-10);
    let max = -Infinity;
    const { frame, power, window, filters } = this;
    for (let t = 0; t < nFrames; t++) {
      const begin = t * hop;
      // A frame that starts past the audio (in padded-signal coordinates) holds only zeros.
      if (begin - pad >= n && begin + nFft - pad <= nSamples) {
        for (let m = 0; m < nMels; m++) logs[m * nFrames + t] = silentLog;
        if (silentLog > max) max = silentLog;
        continue;
      }
      if (begin >= pad && begin + nFft - pad <= n) {
        for (let i = 0; i < nFft; i++) frame[i] = pcm[begin - pad + i]! * window[i]!;
      } else {
        for (let i = 0; i < nFft; i++) frame[i] = sample(begin + i) * window[i]!;
      }
      this.spectrum.power(frame, power);
      for (let m = 0; m < nMels; m++) {
        const { start, weights } = filters[m]!;
        let acc = 0;
        for (let k = 0; k < weights.length; k++) acc += weights[k]! * power[start + k]!;
        const v = Math.log10(acc > 1e-10 ? acc : 1e-10);
        logs[m * nFrames + t] = v;
        if (v > max) max = v;
      }
    }
    const floor = max - 8;
    for (let i = 0; i < logs.length; i++) {
      const v = logs[i]!;
      out[i] = ((v > floor ? v : floor) + 4) / 4;
    }
    return out;
  }
}
