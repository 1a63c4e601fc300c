// Photo thumbnails at two sizes, made once per content hash and kept on disk.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Thumbnail } from '../../shared/types.js';
import { openImage } from './models/image-input.js';

export const THUMBNAIL_SIZES = { small: 256, large: 1024 } as const;

export async function thumbnail(dir: string, source: string, hash: string, size: keyof typeof THUMBNAIL_SIZES): Promise<Thumbnail> {
  const px = THUMBNAIL_SIZES[size];
  const file = join(dir, hash.slice(0, 2), `${hash}-${px}.webp`);
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    data = await (await openImage(source, { failOn: 'error' }))
      .pipeline()
      .resize(px, px, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    await mkdir(join(dir, hash.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file); // atomic: a half-written thumbnail is never served
  }
  const meta = await sharp(data).metadata();
  return { mime: 'image/webp', width: meta.width ?? 0, height: meta.height ?? 0, data: new Uint8Array(data) };
}
