// The embedded preview of a camera RAW file. [Note: image-formats]
// TIFF-based RAW formats (DNG, CR2, NEF, NRW, ARW, SRF, SR2, ORF, RW2, PEF, RAF's and 3FR's TIFF part) and Canon's
// CR3 (ISO base media boxes, below) carry one or
// more full-size or reduced JPEG previews the camera made. Demosaicing the raw sensor data is not needed to search
// a photo, so Trove indexes the largest embedded JPEG and applies the RAW's own orientation. Pure: bytes in,
// a JPEG and an orientation out (null when the file holds no usable preview).
const RAW_EXTENSIONS = ['dng', 'cr2', 'cr3', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'orf', 'rw2', 'pef', '3fr', 'erf', 'kdc', 'mef', 'mos'];

export function isRawExtension(ext: string): boolean {
  return RAW_EXTENSIONS.includes(ext.toLowerCase().replace(/^\./, ''));
}

export const RAW_EXTENSION_LIST: readonly string[] = RAW_EXTENSIONS;

export interface RawPreview {
  readonly jpeg: Buffer;
  readonly orientation: number; // EXIF orientation 1..8 of the RAW (IFD0)
  /** The RAW's EXIF as one TIFF block, when it is not simply the file's start (CR3); null: read the file itself. */
  readonly exif: Buffer | null;
}

const TAG = {
  NewSubfileType: 0xfe,
  Compression: 0x103,
  StripOffsets: 0x111,
  Orientation: 0x112,
  StripByteCounts: 0x117,
  SubIFDs: 0x14a,
  JpegOffset: 0x201,
  JpegLength: 0x202,
} as const;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export function findRawPreview(bytes: Buffer): RawPreview | null {
  if (bytes.length < 16) return null;
  if (isCr3(bytes)) return findCr3Preview(bytes);
  const order = bytes.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (o + 2 <= bytes.length ? (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o)) : 0);
  const u32 = (o: number) => (o + 4 <= bytes.length ? (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o)) : 0);
  const magic = u16(2);
  if (magic !== 42 && magic !== 0x4f52 && magic !== 0x5352 && magic !== 0x55) return null; // TIFF, ORF (RO/SR), RW2 (U)

  /** Values of a tag as numbers (SHORT or LONG arrays, inline or at an offset). */
  const values = (entry: number): number[] => {
    const type = u16(entry + 2);
    const count = u32(entry + 4);
    const size = TYPE_SIZE[type] ?? 0;
    if (size === 0 || count === 0 || count > 4096 || (type !== 3 && type !== 4 && type !== 13)) return [];
    const at = size * count <= 4 ? entry + 8 : u32(entry + 8);
    return Array.from({ length: count }, (_, i) => (size === 2 ? u16(at + 2 * i) : u32(at + 4 * i)));
  };

  const candidates: Buffer[] = [];
  let orientation = 1;
  const seen = new Set<number>();
  const visit = (ifd: number, depth: number, isFirst: boolean): void => {
    for (let guard = 0; ifd > 0 && ifd + 2 <= bytes.length && !seen.has(ifd) && guard < 64 && depth < 4; guard++) {
      seen.add(ifd);
      const n = u16(ifd);
      const tags = new Map<number, number[]>();
      for (let i = 0; i < n && i < 1000; i++) {
        const entry = ifd + 2 + 12 * i;
        if (entry + 12 > bytes.length) break;
        tags.set(u16(entry), values(entry));
      }
      if (isFirst && depth === 0) orientation = tags.get(TAG.Orientation)?.[0] ?? 1;
      const jpegAt = tags.get(TAG.JpegOffset)?.[0];
      const jpegLen = tags.get(TAG.JpegLength)?.[0];
      if (jpegAt && jpegLen) candidates.push(bytes.subarray(jpegAt, jpegAt + jpegLen));
      const compression = tags.get(TAG.Compression)?.[0];
      const strips = tags.get(TAG.StripOffsets);
      const counts = tags.get(TAG.StripByteCounts);
      if ((compression === 6 || compression === 7) && strips?.length === 1 && counts?.length === 1) {
        candidates.push(bytes.subarray(strips[0]!, strips[0]! + counts[0]!));
      }
      for (const sub of tags.get(TAG.SubIFDs) ?? []) visit(sub, depth + 1, false);
      ifd = u32(ifd + 2 + 12 * n);
      isFirst = false;
    }
  };
  visit(u32(4), 0, true);

  // A usable preview is a baseline or progressive JPEG (SOF0–SOF2), not the lossless JPEG of raw sensor data.
  const usable = candidates.filter((c) => c.length > 100 && c[0] === 0xff && c[1] === 0xd8 && isViewableJpeg(c));
  if (usable.length === 0) return null;
  const largest = usable.reduce((a, b) => (b.length > a.length ? b : a));
  return { jpeg: Buffer.from(largest), orientation: orientation >= 1 && orientation <= 8 ? orientation : 1, exif: null };
}

function isViewableJpeg(jpeg: Buffer): boolean {
  for (let o = 2; o + 4 < jpeg.length; ) {
    if (jpeg[o] !== 0xff) return false;
    const marker = jpeg[o + 1]!;
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) return true;
    if (marker === 0xc3 || (marker >= 0xc5 && marker <= 0xcf && marker !== 0xc8 && marker !== 0xcc)) return false;
    if (marker === 0xd9 || marker === 0xda) return false;
    o += 2 + jpeg.readUInt16BE(o + 2);
  }
  return false;
}

// ---- Canon CR3 [Note: image-formats] ------------------------------------------------------------------------------
// CR3 is not TIFF but ISO base media (the MP4 box structure), brand `crx `. Following Canon's layout as publicly
// documented (lclevy's "Describing the Canon Raw v3 file format"): `moov` holds a Canon `uuid` box whose children
// include CMT1 (a TIFF with IFD0: make, model, orientation), CMT2 (a TIFF whose IFD0 is the EXIF IFD: capture time
// and its offset), CMT4 (a TIFF whose IFD0 is the GPS IFD) and THMB (a 160×120 JPEG); a top-level preview `uuid`
// box holds PRVW, a JPEG of about 1620×1080. Trove takes the larger viewable JPEG, and rebuilds one TIFF from the
// CMT blocks so that EXIF is read the same way as for every other photo.
const CANON_UUID = '85c0b687820f11e08111f4ce462b6a48';
const PREVIEW_UUID = 'eaf42b5e1c984b88b9fbb7dc406e4d16';

interface Box {
  readonly type: string;
  readonly start: number; // of the payload (after size, type and any uuid)
  readonly end: number;
  readonly uuid: string | null;
}

/** The boxes directly inside [from, to); stops at the first box whose size does not fit. */
function boxes(bytes: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to && out.length < 4096; ) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) break;
      const big = bytes.readBigUInt64BE(at + 8);
      if (big > BigInt(to - at)) break;
      size = Number(big);
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break;
    let uuid: string | null = null;
    if (type === 'uuid') {
      if (header + 16 > size) break;
      uuid = bytes.toString('hex', at + header, at + header + 16);
      header += 16;
    }
    out.push({ type, start: at + header, end: at + size, uuid });
    at += size;
  }
  return out;
}

export function isCr3(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && bytes.toString('latin1', 8, 12) === 'crx ';
}

/** The JPEG inside a PRVW or THMB box: it starts within the box's small header and runs for its stated length. */
function jpegIn(bytes: Buffer, box: Box): Buffer | null {
  for (let at = box.start; at + 3 < Math.min(box.end, box.start + 32); at++) {
    if (bytes[at] !== 0xff || bytes[at + 1] !== 0xd8 || bytes[at + 2] !== 0xff) continue;
    const stated = at - 4 >= box.start ? bytes.readUInt32BE(at - 4) : 0;
    const end = stated > 0 && at + stated <= box.end ? at + stated : box.end;
    return bytes.subarray(at, end);
  }
  return null;
}

interface IfdEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  readonly value: Buffer; // raw bytes, in the block's byte order
}

/** The entries of a TIFF block's first IFD, values copied out (so they can be written elsewhere). */
function firstIfd(block: Buffer): { entries: IfdEntry[]; le: boolean } | null {
  if (block.length < 8) return null;
  const order = block.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? block.readUInt16LE(o) : block.readUInt16BE(o));
  const u32 = (o: number) => (le ? block.readUInt32LE(o) : block.readUInt32BE(o));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > block.length) return null;
  const entries: IfdEntry[] = [];
  for (let i = 0, n = u16(ifd); i < n && i < 1000; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > block.length) break;
    const type = u16(e + 2);
    const count = u32(e + 4);
    const bytesLen = (TYPE_SIZE[type] ?? 0) * count;
    if (bytesLen === 0 || bytesLen > 65536) continue;
    const at = bytesLen <= 4 ? e + 8 : u32(e + 8);
    if (at + bytesLen > block.length) continue;
    entries.push({ tag: u16(e), type, count, value: Buffer.from(block.subarray(at, at + bytesLen)) });
  }
  return { entries, le };
}

/**
 * One TIFF (IFD0 → EXIF IFD, GPS IFD) from separate blocks whose first IFDs hold those tags. Values are copied as
 * bytes, so every block must share the byte order (Canon writes all of them little-endian); pointers to sub-IFDs
 * inside the blocks are dropped, the two this TIFF needs are written afresh.
 */
export function joinTiffBlocks(ifd0: Buffer, exif: Buffer | null, gps: Buffer | null): Buffer | null {
  const main = firstIfd(ifd0);
  if (!main) return null;
  const le = main.le;
  const parts = [main, exif ? firstIfd(exif) : null, gps ? firstIfd(gps) : null].map((p) => (p && p.le === le ? p.entries : []));
  const POINTERS = [0x8769, 0x8825, 0x14a, 0xa005];
  const lists = parts.map((entries) => entries.filter((e) => !POINTERS.includes(e.tag)));
  const ifdSize = (n: number) => 2 + 12 * n + 4;
  const sizes = [lists[0]!.length + (lists[1]!.length ? 1 : 0) + (lists[2]!.length ? 1 : 0), lists[1]!.length, lists[2]!.length];
  const offsets = [8, 8 + ifdSize(sizes[0]!), 8 + ifdSize(sizes[0]!) + ifdSize(sizes[1]!)];
  let dataAt = offsets[2]! + ifdSize(sizes[2]!);
  const data: Buffer[] = [];
  const tables = sizes.map((n) => Buffer.alloc(ifdSize(n)));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const long = (tag: number, v: number): IfdEntry => {
    const value = Buffer.alloc(4);
    w32(value, v, 0);
    return { tag, type: 4, count: 1, value };
  };
  const withPointers = [...lists[0]!];
  if (sizes[1]) withPointers.push(long(0x8769, offsets[1]!));
  if (sizes[2]) withPointers.push(long(0x8825, offsets[2]!));
  [withPointers, lists[1]!, lists[2]!].forEach((entries, k) => {
    const table = tables[k]!;
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    w16(table, sorted.length, 0);
    sorted.forEach((e, i) => {
      const o = 2 + 12 * i;
      w16(table, e.tag, o);
      w16(table, e.type, o + 2);
      w32(table, e.count, o + 4);
      if (e.value.length <= 4) e.value.copy(table, o + 8);
      else {
        w32(table, dataAt, o + 8);
        const padded = e.value.length % 2 ? Buffer.concat([e.value, Buffer.alloc(1)]) : e.value;
        data.push(padded);
        dataAt += padded.length;
      }
    });
  });
  const header = Buffer.alloc(8);
  header.write(le ? 'II' : 'MM', 0, 'latin1');
  w16(header, 42, 2);
  w32(header, 8, 4);
  return Buffer.concat([header, ...tables, ...data]);
}

function findCr3Preview(bytes: Buffer): RawPreview | null {
  const top = boxes(bytes, 0, bytes.length);
  const jpegs: Buffer[] = [];
  const cmt = new Map<string, Buffer>();
  for (const box of top) {
    if (box.type === 'moov') {
      for (const child of boxes(bytes, box.start, box.end)) {
        if (child.type !== 'uuid' || child.uuid !== CANON_UUID) continue;
        for (const part of boxes(bytes, child.start, child.end)) {
          if (/^CMT[1-4]$/.test(part.type)) cmt.set(part.type, bytes.subarray(part.start, part.end));
          if (part.type === 'THMB') {
            const jpeg = jpegIn(bytes, part);
            if (jpeg) jpegs.push(jpeg);
          }
        }
      }
    } else if (box.type === 'uuid' && box.uuid === PREVIEW_UUID) {
      // The PRVW box follows a few bytes of its own header inside this uuid box.
      for (let at = box.start; at + 8 <= Math.min(box.end, box.start + 64); at++) {
        if (bytes.toString('latin1', at + 4, at + 8) !== 'PRVW') continue;
        const [prvw] = boxes(bytes, at, box.end);
        const jpeg = prvw?.type === 'PRVW' ? jpegIn(bytes, prvw) : null;
        if (jpeg) jpegs.push(jpeg);
        break;
      }
    }
  }
  const usable = jpegs.filter((j) => j.length > 100 && isViewableJpeg(j));
  if (usable.length === 0) return null;
  const largest = usable.reduce((a, b) => (b.length > a.length ? b : a));
  const ifd0 = cmt.get('CMT1');
  const exif = ifd0 ? joinTiffBlocks(ifd0, cmt.get('CMT2') ?? null, cmt.get('CMT4') ?? null) : null;
  const main = ifd0 ? firstIfd(ifd0) : null;
  const orientationEntry = main?.entries.find((e) => e.tag === TAG.Orientation && e.type === 3);
  const orientation = orientationEntry ? (main!.le ? orientationEntry.value.readUInt16LE(0) : orientationEntry.value.readUInt16BE(0)) : 1;
  return { jpeg: Buffer.from(largest), orientation: orientation >= 1 && orientation <= 8 ? orientation : 1, exif };
}
