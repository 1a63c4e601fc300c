import type { ItemKind } from '../../../shared/types.js';
import { RAW_EXTENSION_LIST } from '../models/raw-preview.js';

// Which files Trove indexes, by extension (see [Note: image-formats]). Audio joins when the speech pack does.
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
};

export function kindOf(fileName: string): ItemKind | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return null;
  return EXTENSIONS[fileName.slice(dot + 1).toLowerCase()] ?? null;
}
