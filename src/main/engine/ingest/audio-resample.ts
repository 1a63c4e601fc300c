// Downmix and resampling to the speech model's 16 kHz mono. [Note: audio]
// A streaming polyphase resampler with a Kaiser-windowed sinc filter, written here because it is small, exact and
// allocation-free per sample, and because none of the npm resamplers is both streaming and band-limited (the
// decoders hand out whatever rate the file has: 8, 22.05, 44.1, 48 kHz…). Output sample n sits at input position
// n × inRate / outRate exactly (the filter is centred, so nothing is delayed); each output is a dot product of one
// precomputed filter phase with the input around that position, so resampling a stream in pieces gives the same
// samples, bit for bit, as resampling it whole. The filter passes everything below 85% of the lower Nyquist
// frequency (6.8 kHz at 16 kHz) and is at least 80 dB down from the lower Nyquist frequency up, so content above
// 8 kHz is removed instead of folding back into the speech band.

/** Stopband attenuation of the anti-aliasing filter, in dB. */
const ATTENUATION_DB = 80;
/** Where the passband ends, as a fraction of the lower of the two Nyquist frequencies. */
const PASSBAND = 0.85;
/** Ratios needing more filter phases than this use the nearest of this many (a timing error ≤ 1/2048 sample). */
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) * (x / 2);
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/** How many samples resampling `n` input samples gives: every output instant before the input's end. */
export function resamplerLength(n: number, inRate: number, outRate: number): number {
  const g = gcd(inRate, outRate);
  return Math.ceil((n * (outRate / g)) / (inRate / g));
}

export class Resampler {
  private readonly up: number; // L: outRate / gcd
  private readonly down: number; // M: inRate / gcd — output n sits at input position n × M / L
  private readonly half: number; // K: the filter reaches K samples either side
  private readonly taps: number; // 2K
  private readonly phases: number; // rows of `coefs` (L exactly, or MAX_PHASES when L is larger)
  private readonly exact: boolean;
  private readonly coefs: Float64Array;
  private buf: Float32Array;
  private bufStart: number; // absolute input index of buf[0]
  private bufLen = 0;
  private received = 0; // input samples pushed so far
  private outputs = 0; // output samples returned so far
  private base = 0; // integer part of the next output's input position
  private frac = 0; // its fractional part, in units of 1/L
  private done = false;

  constructor(
    readonly inRate: number,
    readonly outRate: number,
  ) {
    if (!Number.isInteger(inRate) || !Number.isInteger(outRate) || inRate <= 0 || outRate <= 0) {
      throw new RangeError(`sample rates must be positive whole numbers (got ${inRate} → ${outRate})`);
    }
    const g = gcd(inRate, outRate);
    this.up = outRate / g;
    this.down = inRate / g;
    const nyquist = Math.min(inRate, outRate) / 2;
    const transition = (1 - PASSBAND) * nyquist; // Hz
    const cutoff = (nyquist * (1 + PASSBAND)) / 2 / inRate; // cycles per input sample, mid-transition
    // Kaiser's estimates: the window's shape for the attenuation, its length for the transition width.
    const beta = 0.1102 * (ATTENUATION_DB - 8.7);
    const length = Math.ceil((ATTENUATION_DB - 7.95) / (2.285 * 2 * Math.PI * (transition / inRate))) + 1;
    this.half = inRate === outRate ? 0 : 2 * Math.ceil(length / 4); // even, so the taps come in fours
    this.taps = 2 * this.half;
    this.exact = this.up <= MAX_PHASES;
    this.phases = this.exact ? this.up : MAX_PHASES + 1;
    this.coefs = new Float64Array(this.phases * this.taps);
    const i0beta = besselI0(beta);
    for (let p = 0; p < this.phases; p++) {
      const phi = this.exact ? p / this.up : p / MAX_PHASES; // fractional input position of this phase
      let sum = 0;
      for (let j = 0; j < this.taps; j++) {
        const d = this.half - 1 - j + phi; // distance from the output instant to input sample j of the support
        const r = d / this.half;
        const window = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
        const x = 2 * cutoff * d;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const h = 2 * cutoff * sinc * window;
        this.coefs[p * this.taps + j] = h;
        sum += h;
      }
      // Unity gain at DC for every phase (so a phase's own ripple never modulates the level).
      for (let j = 0; j < this.taps; j++) this.coefs[p * this.taps + j]! /= sum;
    }
    // Input before the start is silence: K − 1 zeros let the first outputs see a full support.
    this.buf = new Float32Array(Math.max(4096, this.taps * 4));
    this.bufLen = Math.max(0, this.half - 1);
    this.bufStart = -this.bufLen;
  }

  /** Input samples held between calls (bounded by the filter length plus the last piece pushed). */
  get heldSamples(): number {
    return this.bufLen;
  }

  /** Takes the next piece of input; returns every output sample it completes. */
  push(input: Float32Array): Float32Array {
    if (this.done) throw new Error('the resampler was flushed');
    if (this.inRate === this.outRate) {
      this.received += input.length;
      return input.slice();
    }
    if (this.bufLen + input.length > this.buf.length) {
      const grown = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + input.length));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    this.buf.set(input, this.bufLen);
    this.bufLen += input.length;
    this.received += input.length;
    return this.drain(Infinity);
  }

  /** The end of the input: the outputs up to its last instant, with silence after it. */
  flush(): Float32Array {
    if (this.done) return new Float32Array(0);
    this.done = true;
    if (this.inRate === this.outRate) return new Float32Array(0);
    const total = resamplerLength(this.received, this.inRate, this.outRate);
    const produced = this.outputs;
    if (total <= produced) return new Float32Array(0);
    const lastBase = Math.floor(((total - 1) * this.down) / this.up);
    const zeros = Math.max(0, lastBase + this.half + 1 - (this.bufStart + this.bufLen));
    if (zeros > 0) {
      const grown = new Float32Array(this.bufLen + zeros);
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
      this.bufLen += zeros;
    }
    return this.drain(total - produced);
  }

  /** Emits outputs whose whole support is in the buffer (at most `limit`), then drops input no longer needed. */
  private drain(limit: number): Float32Array {
    const end = this.bufStart + this.bufLen; // one past the last input index held
    const K = this.half;
    const T = this.taps;
    // How many outputs fit: base + K < end, stepping base by M/L per output.
    const room = Math.max(0, Math.ceil(((end - K - this.base) * this.up - this.frac) / this.down));
    const count = Math.min(room, limit);
    const out = new Float32Array(count);
    const c = this.coefs;
    const buf = this.buf;
    const L = this.up;
    const M = this.down;
    let base = this.base;
    let frac = this.frac;
    for (let o = 0; o < count; o++) {
      const row = this.exact ? frac : Math.round((frac * MAX_PHASES) / L);
      const rowOff = row * T;
      const start = base - K + 1 - this.bufStart;
      // Four running sums: shorter dependency chains let the CPU overlap the multiply-adds (≈ 2× faster).
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < T; j += 4) {
        a0 += c[rowOff + j]! * buf[start + j]!;
        a1 += c[rowOff + j + 1]! * buf[start + j + 1]!;
        a2 += c[rowOff + j + 2]! * buf[start + j + 2]!;
        a3 += c[rowOff + j + 3]! * buf[start + j + 3]!;
      }
      out[o] = a0 + a1 + (a2 + a3);
      frac += M;
      if (frac >= L) {
        base += Math.floor(frac / L);
        frac %= L;
      }
    }
    this.base = base;
    this.frac = frac;
    this.outputs += count;
    // Keep only the input the next output needs.
    const keepFrom = base - K + 1;
    const drop = Math.min(this.bufLen, keepFrom - this.bufStart);
    if (drop > 0) {
      buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    return out;
  }
}

/** Resamples a whole signal (tests, and short inputs). */
export function resample(input: Float32Array, inRate: number, outRate: number): Float32Array {
  const r = new Resampler(inRate, outRate);
  const a = r.push(input);
  const b = r.flush();
  if (b.length === 0) return a;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The average of the channels (a stereo recording of one voice is the same voice twice). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return channels[0]!;
  const n = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < n; i++) out[i]! += ch[i]!;
  for (let i = 0; i < n; i++) out[i]! *= scale;
  return out;
}
