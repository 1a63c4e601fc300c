// The embedded preview of a camera RAW file. [Note: image-formats]
// TIFF-based RAW formats (DNG, CR2, NEF, NRW, ARW, SRF, SR2, ORF, RW2, PEF, RAF's and 3FR's TIFF part) carry one or
// more full-size or reduced JPEG previews the camera made. Demosaicing the raw sensor data is not needed to search
// a photo, so Trove indexes the largest embedded JPEG and applies the RAW's own orientation. Pure: bytes in,
// a JPEG and an orientation out (null when the file holds no usable preview).
const RAW_EXTENSIONS = ['dng', 'cr2', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'orf', 'rw2', 'pef', '3fr', 'erf', 'kdc', 'mef', 'mos'];

export function isRawExtension(ext: string): boolean {
  return RAW_EXTENSIONS.includes(ext.toLowerCase().replace(/^\./, ''));
}

export const RAW_EXTENSION_LIST: readonly string[] = RAW_EXTENSIONS;

export interface RawPreview {
  readonly jpeg: Buffer;
  readonly orientation: number; // EXIF orientation 1..8 of the RAW (IFD0)
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
  return { jpeg: Buffer.from(largest), orientation: orientation >= 1 && orientation <= 8 ? orientation : 1 };
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
