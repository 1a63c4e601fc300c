// Vectors as 16-bit fixed point, for the plain copy in `vectors_q15` that is quick to read back. [Note: ann]
// A unit vector's components lie in [-1, 1]; × 32767 and rounded, each keeps ~4.5 decimal digits, so a cosine read
// from two of them is off by ~1e-4 at most: below any difference a ranking or a person would notice.
import type { Database } from 'better-sqlite3';

const SCALE = 32767;

export function toQ15(v: Float32Array): Buffer {
  const out = new Int16Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(-SCALE, Math.min(SCALE, Math.round(v[i]! * SCALE)));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

export function fromQ15(b: Buffer | Uint8Array): Float32Array {
  const ints = new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const out = new Float32Array(ints.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i]! / SCALE;
  return out;
}

/** The cosine of a 16-bit vector with a unit float vector, without unpacking it (a scan reads thousands). */
export function dotQ15(b: Buffer | Uint8Array, query: Float32Array): number {
  const n = Math.min(b.byteLength >> 1, query.length);
  let sum = 0;
  if ((b.byteOffset & 1) === 0) {
    const ints = new Int16Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) sum += ints[i]! * query[i]!;
  } else {
    for (let i = 0; i < n; i++) sum += ((b[2 * i]! | (b[2 * i + 1]! << 8)) << 16 >> 16) * query[i]!;
  }
  return sum / SCALE;
}

/** `trove_q15(float32 blob)`: the same vector in 16-bit fixed point (migration 009 fills the copy with it). */
export function registerVectorFunctions(db: Database): void {
  db.function('trove_q15', { deterministic: true }, (blob: unknown) => {
    const b = blob as Buffer;
    return toQ15(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
  });
}
