// Versions of Trove and the native pieces it runs on, for `trove doctor` and bug reports.
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { Store } from './store/index.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function runtimeVersions(store: Store): Record<string, string> {
  const sql = store.db.prepare('SELECT sqlite_version() AS sqlite, vec_version() AS vec').get() as { sqlite: string; vec: string };
  return {
    trove: troveVersion(),
    node: process.versions.node,
    'onnxruntime-node': ort.env.versions.node ?? packageVersion('onnxruntime-node'),
    sharp: sharp.versions.sharp ?? packageVersion('sharp'),
    libvips: sharp.versions.vips,
    sqlite: sql.sqlite,
    'sqlite-vec': sql.vec,
    'better-sqlite3': packageVersion('better-sqlite3'),
  };
}

function troveVersion(): string {
  return (require('../../../package.json') as { version: string }).version;
}
