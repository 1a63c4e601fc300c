// Opening any photo Trove indexes as a sharp pipeline. [Note: image-formats]
// sharp's own libvips reads JPEG, PNG, WebP, GIF (first frame), TIFF and AVIF. HEIC (HEVC in HEIF, what iPhones
// write) is not in its prebuilt binaries for patent reasons, so it is decoded by libheif compiled to WebAssembly
// (heic-decode, from npm, no download step) and handed to sharp as raw pixels. libheif applies the container's
// rotation itself, so the pixels are already upright. EXIF and sizes still come from sharp, which can read a
// HEIC's metadata.
import { readFile } from 'node:fs/promises';
import heicDecode from 'heic-decode';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';

export interface OpenedImage {
  readonly meta: Metadata;
  /** Width and height as a viewer shows the photo (EXIF orientation applied). */
  readonly width: number;
  readonly height: number;
  /** A fresh pipeline, already upright. */
  pipeline(): Sharp;
}

export async function openImage(input: Buffer | string, options: SharpOptions = {}): Promise<OpenedImage> {
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
  const sideways = (meta.orientation ?? 1) >= 5;
  return {
    meta,
    width: sideways ? meta.height : meta.width,
    height: sideways ? meta.width : meta.height,
    pipeline: () => sharp(input, options).rotate(),
  };
}
