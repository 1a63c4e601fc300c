// Photo extractor: metadata and the preprocessed tensor, from the bytes already read for hashing.
import { basename, extname } from 'node:path';
import type { Encoder, PreparedImage } from '../models/encoder.js';
import type { ItemFacts } from '../store/items.js';
import type { NewSegment } from '../store/segments.js';
import { exifFacts } from './exif.js';

export interface ExtractedPhoto {
  readonly facts: ItemFacts;
  readonly segments: NewSegment[]; // one 'image' segment
  readonly image: PreparedImage;
}

export async function extractPhoto(relPath: string, bytes: Buffer, encoder: Encoder): Promise<ExtractedPhoto> {
  const image = await encoder.prepareImage(bytes, relPath);
  const exif = exifFacts(image.exif);
  return {
    facts: {
      title: basename(relPath, extname(relPath)),
      takenAt: exif.takenAt,
      timeSource: exif.takenAt !== null ? 'exif' : null, // else the indexer dates it by name or mtime [Note: item-times]
      width: image.width,
      height: image.height,
      durationMs: null,
      camera: exif.camera,
      latitude: exif.latitude,
      longitude: exif.longitude,
      phash: image.phash ?? null,
      meta: { format: image.format, ...(exif.offsetMinutes !== null ? { utcOffsetMinutes: exif.offsetMinutes } : {}) },
    },
    segments: [{ kind: 'image', text: null, breadcrumb: [], start: null, end: null }],
    image,
  };
}
