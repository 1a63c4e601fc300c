import type { ItemKind } from '../../../shared/types.js';
import { RAW_EXTENSION_LIST } from '../models/raw-preview.js';

// Which files Trove indexes, by extension (see [Note: image-formats] and [Note: audio]). A recording's real format
// is read from its content (ingest/audio.ts), so these only decide what is looked at.
const EXTENSIONS: Readonly<Record<string, ItemKind>> = {
  ...Object.fromEntries(RAW_EXTENSION_LIST.map((ext) => [ext, 'photo' as const])),
  jpg: 'photo',
  jpeg: 'photo',
  png: 'photo',
  webp: 'photo',
  gif: 'photo',
  tif: 'photo',
  tiff: 'photo',
  avif: 'photo',
  heic: 'photo',
  heif: 'photo',
  md: 'note',
  markdown: 'note',
  txt: 'note',
  pdf: 'note',
  wav: 'audio',
  mp3: 'audio',
  m4a: 'audio',
  aac: 'audio',
  ogg: 'audio',
  oga: 'audio',
  opus: 'audio',
  flac: 'audio',
};

export function kindOf(fileName: string): ItemKind | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return null;
  return EXTENSIONS[fileName.slice(dot + 1).toLowerCase()] ?? null;
}
