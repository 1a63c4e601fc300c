// FLAC frames, found in a stream read in pieces, for the libFLAC decoder. [Note: audio-memory]
// Why by hand: both npm FLAC paths lose audio when fed in pieces. @audio/decode-flac (audio-decode 3.12) drops a
// frame whose header straddles two pieces (0.3 s of a 10-minute file read in 32 KB pieces), and the codec-parser
// behind @wasm-audio-decoders/flac's `decode` drops the short last frame of some files (44 ms of a 4 s espeak
// recording). Splitting frames is simple and fully specified (https://xiph.org/flac/format.html): a frame starts
// with a sync code and a header protected by a CRC-8, and ends where the next such header begins, at a point where
// the CRC-16 of the frame's bytes is zero. Complete frames then go to libFLAC (@wasm-audio-decoders/flac's
// `decodeFrames`). Only one frame (plus one piece) is held at a time.

/** No frame is this long (the format allows 16 MB only in theory; encoders write a few KB to a few hundred KB). */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The longest frame header: sync + codes (4), 7-byte sample number, 16-bit block size, 16-bit rate, CRC-8. */
const MAX_HEADER_BYTES = 16;

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let k = 0; k < 8; k++) {
    c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
  }
  CRC8[i] = c8;
  CRC16[i] = c16;
}

/**
 * Whether a valid frame header starts at `p` (sync code, no reserved values, CRC-8 right). `undefined` when the
 * bytes end before the header can be judged.
 */
export function isFrameHeader(b: Uint8Array, p: number): boolean | undefined {
  if (p + 1 < b.length && (b[p] !== 0xff || (b[p + 1]! & 0xfe) !== 0xf8)) return false;
  if (p + 5 > b.length) return undefined;
  if (b[p] !== 0xff || (b[p + 1]! & 0xfe) !== 0xf8) return false;
  const blockCode = b[p + 2]! >> 4;
  const rateCode = b[p + 2]! & 0x0f;
  const channels = b[p + 3]! >> 4;
  const bits = (b[p + 3]! >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || channels > 10 || bits === 3 || b[p + 3]! & 1) return false;
  // The frame or sample number, UTF-8 style: the first byte says how many follow.
  const lead = b[p + 4]!;
  const extra = lead < 0x80 ? 0 : lead >= 0xc0 && lead < 0xe0 ? 1 : lead >= 0xe0 && lead < 0xf0 ? 2 : lead >= 0xf0 && lead < 0xf8 ? 3 : lead >= 0xf8 && lead < 0xfc ? 4 : lead >= 0xfc && lead < 0xfe ? 5 : lead === 0xfe ? 6 : -1;
  if (extra < 0) return false;
  let q = p + 5;
  for (let i = 0; i < extra; i++, q++) {
    if (q >= b.length) return undefined;
    if ((b[q]! & 0xc0) !== 0x80) return false;
  }
  q += blockCode === 6 ? 1 : blockCode === 7 ? 2 : 0;
  q += rateCode === 12 ? 1 : rateCode === 13 || rateCode === 14 ? 2 : 0;
  if (q >= b.length) return undefined;
  let crc = 0;
  for (let i = p; i < q; i++) crc = CRC8[crc ^ b[i]!]!;
  return crc === b[q];
}

/** Splits a FLAC stream, fed in pieces of any size, into its frames. */
export class FlacFrames {
  private buf: Uint8Array = new Uint8Array(0);
  private inMetadata = true;
  private start = -1; // where the current frame starts in buf; -1 until the first frame is found
  private scan = 0; // how far the CRC-16 of the current frame has been computed
  private crc = 0;
  private phase: 'start' | 'magic' | 'blocks' | 'end' = 'start'; // where the metadata reading is
  private skip = 0; // bytes of a tag or metadata block still to skip

  /** The frames that the bytes so far complete. Throws on what is not FLAC. */
  push(piece: Uint8Array): Uint8Array[] {
    if (this.skip > 0) {
      // Inside a tag or metadata block: these bytes are not kept at all.
      const n = Math.min(this.skip, piece.length);
      this.skip -= n;
      piece = piece.subarray(n);
    }
    this.buf = this.buf.length === 0 ? piece : concat(this.buf, piece);
    return this.frames(false);
  }

  /** The stream ended: the last frame, if it is whole (a truncated last frame is dropped). */
  end(): Uint8Array[] {
    return this.frames(true);
  }

  private frames(atEnd: boolean): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.inMetadata && !this.skipMetadata()) return out;
    const b = this.buf;
    if (this.start < 0) {
      // The first frame: the first valid header after the metadata.
      let p = 0;
      for (; p < b.length; p++) {
        const ok = isFrameHeader(b, p);
        if (ok) break;
        if (ok === undefined && !atEnd) {
          this.drop(p);
          return out;
        }
      }
      if (p >= b.length) {
        this.drop(b.length);
        return out;
      }
      this.start = p;
      this.scan = p;
      this.crc = 0;
    }
    // A frame ends where the next valid header begins with the CRC-16 of the bytes before it at zero.
    const limit = atEnd ? b.length : b.length - MAX_HEADER_BYTES;
    let crc = this.crc;
    let scan = this.scan;
    while (scan < limit) {
      if (crc === 0 && scan > this.start + 4 && b[scan] === 0xff && isFrameHeader(b, scan)) {
        out.push(b.slice(this.start, scan));
        this.start = scan;
      }
      crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ b[scan]!]!;
      scan++;
    }
    if (atEnd) {
      if (crc === 0 && scan > this.start + 4) out.push(b.slice(this.start, scan));
      this.buf = new Uint8Array(0);
      this.start = -1;
      return out;
    }
    if (scan - this.start > MAX_FRAME_BYTES) throw new Error('FLAC frame sync lost (damaged audio data)');
    this.crc = crc;
    this.scan = scan - this.start;
    this.buf = b.subarray(this.start);
    this.start = 0;
    return out;
  }

  /**
   * Skips an ID3v2 tag (some taggers put one first), "fLaC" and the metadata blocks; false while they are not all
   * there yet. Only their headers are kept: a tag or block is skipped as its bytes arrive (`skip` counts what is left
   * of it), so album art or a crafted 256 MB tag costs nothing to hold, and each byte is looked at once.
   */
  private skipMetadata(): boolean {
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.drop(n);
        this.skip -= n;
        if (this.skip > 0) return false;
      }
      const b = this.buf;
      if (this.phase === 'start') {
        if (b.length < 3) return false;
        this.phase = 'magic';
        if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) {
          if (b.length < 10) {
            this.phase = 'start';
            return false;
          }
          this.skip = (((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f)) + (b[5]! & 0x10 ? 10 : 0);
          this.drop(10);
        }
        continue;
      }
      if (this.phase === 'magic') {
        if (b.length < 4) return false;
        if (b[0] !== 0x66 || b[1] !== 0x4c || b[2] !== 0x61 || b[3] !== 0x43) throw new Error('not a FLAC stream');
        this.drop(4);
        this.phase = 'blocks';
        continue;
      }
      if (this.phase === 'blocks') {
        if (b.length < 4) return false;
        const last = (b[0]! & 0x80) !== 0;
        this.skip = (b[1]! << 16) | (b[2]! << 8) | b[3]!;
        this.drop(4);
        if (last) this.phase = 'end';
        continue;
      }
      // 'end': the last block's bytes are skipped; the frames begin.
      this.inMetadata = false;
      return true;
    }
  }

  private drop(n: number): void {
    this.buf = this.buf.subarray(n);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
