// Photo thumbnails at two sizes, made once per content hash and kept on disk. Photos (and the cached WebP files)
// are opened by the one opener, `models/image-input.ts`. [Note: image-formats]
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thumbnail } from '../../shared/types.js';
import { openImage } from './models/image-input.js';

export const THUMBNAIL_SIZES = { small: 256, large: 1024 } as const;

/** The cached thumbnail's file, made first if it is not there yet. */
export async function thumbnailFile(dir: string, source: string, hash: string, size: keyof typeof THUMBNAIL_SIZES): Promise<string> {
  const px = THUMBNAIL_SIZES[size];
  const file = join(dir, hash.slice(0, 2), `${hash}-${px}.webp`);
  try {
    await access(file);
    return file;
  } catch {
    // not made yet
  }
  const data = await (await openImage(source, { failOn: 'error' }))
    .pipeline()
    .resize(px, px, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  await mkdir(join(dir, hash.slice(0, 2)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file); // atomic: a half-written thumbnail is never served
  return file;
}

export async function thumbnail(dir: string, source: string, hash: string, size: keyof typeof THUMBNAIL_SIZES): Promise<Thumbnail> {
  const data = await readFile(await thumbnailFile(dir, source, hash, size));
  const { width, height } = await openImage(data);
  return { mime: 'image/webp', width, height, data: new Uint8Array(data) };
}

const ORIGINAL_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  heif: 'image/heif',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  txt: 'text/plain',
  pdf: 'application/pdf',
};

export function originalType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot > 0 && ORIGINAL_TYPES[fileName.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}
