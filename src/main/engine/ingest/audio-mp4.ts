// The order in which an M4A file's bytes are handed to the decoder. [Note: audio-memory]
// An MP4 decoder needs the `moov` box (the sample tables) before it can decode any audio. Many recorders and
// ffmpeg write it at the *end*, after the audio (`mdat`); fed in file order, the decoder would hold the whole file
// until the moov arrives and then decode it in one go. So, like `qt-faststart`, Trove reads the top-level box
// headers, and when moov comes after mdat it hands the decoder the boxes before mdat, then moov, then the rest:
// moov is moved in front of the audio and its chunk offsets (stco/co64) are shifted by its size, so each sample
// is found where it now sits. Only the moov is held (its tables grow with the length: about 1 MB per hour of
// AAC); the audio then streams in pieces. Reading the box headers is a few small reads.
import type { FileHandle } from 'node:fs/promises';

/** Moov boxes larger than this are not moved (the file is read in order instead; see the memory note). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/**
 * A file nests them five deep (moov > trak > mdia > minf > stbl); deeper is damage, left as it is for the decoder to
 * judge. Without a limit, a few thousand nested boxes overflowed the call stack: a RangeError instead of a reason
 * (found by test/unit/fuzz/audio.test.ts).
 */
const MAX_DEPTH = 8;

export type Piece = { readonly start: number; readonly end: number } | { readonly bytes: Uint8Array };

interface Box {
  readonly type: string;
  readonly start: number;
  readonly size: number;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

const type4 = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** The top-level boxes, or null when their headers do not add up (a truncated or damaged file: read in order). */
async function topLevelBoxes(fh: FileHandle, fileSize: number): Promise<Box[] | null> {
  const boxes: Box[] = [];
  let pos = 0;
  while (pos < fileSize) {
    const h = await readAt(fh, pos, 16);
    if (h.length < 8) return null;
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let size = view.getUint32(0);
    const type = type4(h, 4);
    if (size === 1) {
      if (h.length < 16) return null;
      size = view.getUint32(8) * 2 ** 32 + view.getUint32(12);
    } else if (size === 0) size = fileSize - pos;
    if (size < 8 || pos + size > fileSize) return null;
    boxes.push({ type, start: pos, size });
    pos += size;
    if (boxes.length > 10_000) return null;
  }
  return boxes;
}

/**
 * Shifts the chunk offsets of every track in a moov box, in place. `shift` maps an old file offset to its new
 * one; returns false when a 32-bit offset would overflow (then the file is read in order).
 */
export function shiftChunkOffsets(moov: Uint8Array, shift: (offset: number) => number): boolean {
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const walk = (from: number, to: number, depth: number): boolean => {
    let pos = from;
    while (pos + 8 <= to) {
      let size = view.getUint32(pos);
      const type = type4(moov, pos + 4);
      let header = 8;
      if (size === 1) {
        if (pos + 16 > to) return true;
        size = view.getUint32(pos + 8) * 2 ** 32 + view.getUint32(pos + 12);
        header = 16;
      } else if (size === 0) size = to - pos;
      if (size < header || pos + size > to) return true; // damaged: leave the rest for the decoder to judge
      const body = pos + header;
      if (CONTAINERS.has(type)) {
        if (depth < MAX_DEPTH && !walk(body, pos + size, depth + 1)) return false;
      } else if (type === 'stco' && body + 8 <= pos + size) {
        const n = Math.min(view.getUint32(body + 4), Math.floor((pos + size - body - 8) / 4));
        for (let i = 0; i < n; i++) {
          const at = body + 8 + i * 4;
          const moved = shift(view.getUint32(at));
          if (moved > 0xffffffff) return false;
          view.setUint32(at, moved);
        }
      } else if (type === 'co64' && body + 8 <= pos + size) {
        const n = Math.min(view.getUint32(body + 4), Math.floor((pos + size - body - 8) / 8));
        for (let i = 0; i < n; i++) {
          const at = body + 8 + i * 8;
          const offset = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
          const moved = shift(offset);
          // Written only when it moves: an offset past 2^53 (no file is that long, but damaged bytes say anything)
          // is read rounded, and writing it back changed bytes that were to stay (found by test/unit/fuzz/audio.test.ts).
          if (moved === offset) continue;
          view.setUint32(at, Math.floor(moved / 2 ** 32));
          view.setUint32(at + 4, moved % 2 ** 32);
        }
      }
      pos += size;
    }
    return true;
  };
  return walk(0, moov.length, 0);
}

/**
 * The pieces of an MP4 file in the order the decoder should get them: the file as it is when moov already comes
 * before the audio (or the layout is not understood), else with moov moved in front of the first mdat.
 */
export async function mp4Pieces(fh: FileHandle, fileSize: number): Promise<Piece[]> {
  const whole: Piece[] = [{ start: 0, end: fileSize }];
  const boxes = await topLevelBoxes(fh, fileSize);
  if (!boxes) return whole;
  const mdat = boxes.find((b) => b.type === 'mdat');
  const moov = boxes.find((b) => b.type === 'moov');
  if (!mdat || !moov || moov.start < mdat.start || moov.size > MAX_MOOV_BYTES) return whole;
  const bytes = await readAt(fh, moov.start, moov.size);
  if (bytes.length !== moov.size) return whole;
  const moovEnd = moov.start + moov.size;
  // Everything from the first mdat up to the moov moves back by the moov's size; what follows the moov stays.
  const ok = shiftChunkOffsets(bytes, (offset) => (offset >= mdat.start && offset < moov.start ? offset + moov.size : offset));
  if (!ok) return whole;
  const pieces: Piece[] = [];
  if (mdat.start > 0) pieces.push({ start: 0, end: mdat.start });
  pieces.push({ bytes });
  pieces.push({ start: mdat.start, end: moov.start });
  if (moovEnd < fileSize) pieces.push({ start: moovEnd, end: fileSize });
  return pieces;
}
