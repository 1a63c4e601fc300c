// Perceptual hashes of photos, for near-duplicates. [Note: duplicates]
// `sharp-phash` (DCT of a 32×32 grey image, 64 bits) over the pixels Trove has already decoded for the image
// tower: the whole upright photo at its decode size (a few hundred pixels a side), so nothing is decoded twice.
// ~7 ms a photo here, most of it the library's plain-JS DCT; the embedding it rides along with costs far more.
import { createRequire } from 'node:module';

// A CommonJS module whose types declare a default export it does not have: required as what it is.
const phash = createRequire(import.meta.url)('sharp-phash') as typeof import('sharp-phash').default;

/** The perceptual hash of raw RGB pixels, as 16 hex digits; null when it cannot be made. */
export async function perceptualHash(rgb: Buffer, width: number, height: number): Promise<string | null> {
  try {
    return bitsToHex(await phash(rgb, { raw: { width, height, channels: 3 } }));
  } catch {
    return null;
  }
}

/** The hash of an image file or buffer (a thumbnail, for photos indexed before hashes were kept). */
export async function perceptualHashOf(image: Buffer | string): Promise<string | null> {
  try {
    return bitsToHex(await phash(image));
  } catch {
    return null;
  }
}

function bitsToHex(bits: string): string | null {
  if (!/^[01]{64}$/.test(bits)) return null;
  let out = '';
  for (let i = 0; i < 64; i += 4) out += parseInt(bits.slice(i, i + 4), 2).toString(16);
  return out;
}

const POPCOUNT = Uint8Array.from({ length: 16 }, (_, i) => (i & 1) + ((i >> 1) & 1) + ((i >> 2) & 1) + ((i >> 3) & 1));

/** How many of the 64 bits differ between two hashes (hex). */
export function hashDistance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < 16; i++) d += POPCOUNT[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}
