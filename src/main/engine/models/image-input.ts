// The one opener of photos: any photo Trove indexes, as an upright sharp pipeline. [Note: image-formats]
// Embedding (`encoder.ts`, `prepareImage`), OCR (`ingest/ocr-worker.ts`) and thumbnails (`thumbnails.ts`) all open
// photos here and nowhere else, so a format or an orientation handled here is handled for all three. It lives in
// models/ beside the preprocessing it was first written for; the OCR worker imports it across the folder.
// sharp's own libvips reads JPEG, PNG, WebP, GIF (first frame), TIFF and AVIF. HEIC (HEVC in HEIF, what iPhones
// write) is not in its prebuilt binaries for patent reasons, so it is decoded by libheif compiled to WebAssembly
// (heic-decode, from npm, no download step) and handed to sharp as raw pixels. libheif applies the container's
// rotation itself, so the pixels are already upright. EXIF and sizes still come from sharp, which can read a
// HEIC's metadata.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import heicDecode from 'heic-decode';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { findRawPreview, isRawExtension } from './raw-preview.js';

// Each photo is opened once per step, never again soon: libvips's operation cache (50 MB by default) only holds on
// to memory an indexer does not get back. [Note: bounded-chunking]
sharp.cache(false);

export interface OpenedImage {
  readonly meta: Metadata;
  /** Width and height as a viewer shows the photo (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
  /** A fresh pipeline, already upright. */
  pipeline(): Sharp;
}

/** The size a viewer shows for a stored width × height under EXIF orientation (1–8): 5–8 turn it on its side. */
export function uprightSize(width: number, height: number, orientation: number): { width: number; height: number } {
  return orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
}

/** EXIF orientation (1–8) applied to a pipeline that does not carry it. */
function orient(image: Sharp, orientation: number): Sharp {
  switch (orientation) {
    case 2: return image.flop();
    case 3: return image.rotate(180);
    case 4: return image.flip();
    case 5: return image.rotate(90).flop();
    case 6: return image.rotate(90);
    case 7: return image.rotate(270).flop();
    case 8: return image.rotate(270);
    default: return image;
  }
}

/**
 * Opens a photo. `name` (a file name or path) tells a camera RAW file from a TIFF, which share their container; a
 * string input is its own name.
 */
export async function openImage(input: Buffer | string, options: SharpOptions = {}, name?: string): Promise<OpenedImage> {
  const fileName = name ?? (typeof input === 'string' ? input : '');
  if (isRawExtension(extname(fileName))) {
    const bytes = typeof input === 'string' ? await readFile(input) : input;
    const preview = findRawPreview(bytes);
    if (!preview) throw new Error('the RAW file holds no embedded JPEG preview Trove can read');
    const previewMeta = await sharp(preview.jpeg, options).metadata();
    if (!previewMeta.width || !previewMeta.height) throw new Error('no image dimensions');
    // The RAW's own EXIF (a TIFF header at its start, or CR3's CMT blocks joined) gives capture time and camera;
    // the preview's may be stripped.
    const meta: Metadata = { ...previewMeta, format: 'raw' as Metadata['format'], exif: preview.exif ?? bytes.subarray(0, Math.min(bytes.length, 4 * 1024 * 1024)) };
    return {
      meta,
      ...uprightSize(previewMeta.width, previewMeta.height, preview.orientation),
      pipeline: () => orient(sharp(preview.jpeg, options), preview.orientation),
    };
  }
  const meta = await sharp(input, options).metadata();
  if (!meta.width || !meta.height) throw new Error('no image dimensions');
  if (meta.format === 'heif' && meta.compression === 'hevc') {
    const limit = typeof options.limitInputPixels === 'number' ? options.limitInputPixels : 268_402_689;
    if (meta.width * meta.height > limit) throw new Error('Input image exceeds pixel limit');
    const buffer = typeof input === 'string' ? await readFile(input) : input;
    const decoded = await heicDecode({ buffer });
    const rgba = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    const raw = { width: decoded.width, height: decoded.height, channels: 4 as const };
    return { meta, width: decoded.width, height: decoded.height, pipeline: () => sharp(rgba, { raw }) };
  }
  return {
    meta,
    ...uprightSize(meta.width, meta.height, meta.orientation ?? 1),
    pipeline: () => sharp(input, options).rotate(),
  };
}
