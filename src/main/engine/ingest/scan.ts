// Walks a root and lists the files Trove indexes, with size and mtime (no reading, no hashing). Links are followed
// only as the one rule in confine.ts allows; what it refuses is listed as skipped, with the reason. [Note: symlinks]
import { opendir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ItemKind } from '../../../shared/types.js';
import { confine, isInside, realRoot } from './confine.js';
import { IgnoreRules } from './ignore.js';
import { kindOf } from './kinds.js';

export interface ScannedFile {
  readonly relPath: string; // '/'-separated
  readonly kind: ItemKind;
  readonly size: number;
  readonly mtime: number;
  /** Why the file cannot be indexed without even reading it (a name that is not valid UTF-8). */
  readonly problem?: string;
}

/** A path the scan met and did not follow, with the reason. */
export interface SkippedFile {
  readonly relPath: string;
  readonly reason: string;
}

export interface Scan {
  readonly files: ScannedFile[];
  readonly skipped: SkippedFile[];
}

const STAT_BATCH = 64;

export const BAD_NAME = 'the file name is not valid UTF-8, so Trove cannot name it reliably; rename the file to index it';

/**
 * Lists a root's indexable files. Unreadable folders are skipped (and reported through `onError`); a link to a file
 * is followed only when its real path stays inside the root, a link to a folder never (no loops, no files indexed
 * twice, nothing outside the folder). Links that lead outside are listed in `skipped`.
 */
export async function scanRoot(rootPath: string, rules: IgnoreRules, onError: (relPath: string, error: Error) => void = () => {}): Promise<Scan> {
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const rootReal = (await realRoot(rootPath)) ?? rootPath;
  const walk = async (relDir: string): Promise<void> => {
    let dir;
    const dirPath = relDir ? join(rootPath, relDir) : rootPath;
    try {
      // Names as bytes: a name that is not valid UTF-8 would otherwise turn into a string that opens nothing.
      dir = await opendir(dirPath, { encoding: 'buffer' as BufferEncoding }); // the types omit 'buffer'; Node accepts it
    } catch (error) {
      onError(relDir, error as Error);
      return;
    }
    const subdirs: string[] = [];
    // Each file needs a stat (and a link a realpath or two): asked 64 at a time, not one after another, so a
    // folder of 1,000 photos is listed in a few turns of the event loop rather than 1,000 (under a search load
    // the one-at-a-time scan of 1,000 files took over 30 s). [Note: responsive]
    // Each returns what it found, and the batch is added in the folder's order (not in the order stats come back).
    const pending: (() => Promise<{ file?: ScannedFile; skip?: SkippedFile } | null>)[] = [];
    for await (const entry of dir) {
      const raw = entry.name as unknown as Buffer;
      const name = raw.toString('utf8');
      const validName = Buffer.from(name, 'utf8').equals(raw);
      const rel = relDir ? `${relDir}/${name}` : name;
      if (entry.isDirectory()) {
        if (!validName) onError(rel, new Error(BAD_NAME));
        else if (!rules.ignores(rel, true)) subdirs.push(rel);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (entry.isSymbolicLink()) {
        if (!validName || rules.ignores(rel, false)) continue;
        pending.push(async () => {
          const c = await confine(rootReal, rel);
          const kind = kindOf(name);
          if (c.ok) return kind ? { file: { relPath: rel, kind, size: c.size, mtime: c.mtime } } : null;
          // Worth a line where a person would look for the file: an indexable name, or a folder somewhere else.
          if (!c.gone && (kind || (await leadsOutside(rootReal, join(dirPath, name))))) return { skip: { relPath: rel, reason: c.reason } };
          return null;
        });
        continue;
      }
      if (rules.ignores(rel, false)) continue;
      const kind = kindOf(name);
      if (!kind) continue;
      pending.push(async () => {
        try {
          const st = await stat(Buffer.concat([Buffer.from(`${dirPath}/`), raw]));
          return st.isFile() ? { file: { relPath: rel, kind, size: st.size, mtime: Math.trunc(st.mtimeMs), ...(validName ? {} : { problem: BAD_NAME }) } } : null;
        } catch (error) {
          onError(rel, error as Error); // deleted since listed
          return null;
        }
      });
    }
    for (let i = 0; i < pending.length; i += STAT_BATCH) {
      for (const found of await Promise.all(pending.slice(i, i + STAT_BATCH).map((f) => f()))) {
        if (found?.file) files.push(found.file);
        if (found?.skip) skipped.push(found.skip);
      }
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk('');
  return { files, skipped };
}

/** Whether a link's target is a folder outside the root (a folder link inside it is simply not followed). */
async function leadsOutside(rootReal: string, linkPath: string): Promise<boolean> {
  try {
    return !isInside(await realpath(linkPath), rootReal);
  } catch {
    return false;
  }
}

/**
 * The current state of some files of a root (for the watcher): indexable files that exist and pass the link rule are
 * returned; paths that are gone, ignored or not indexable are not; links the rule refuses are in `skipped`.
 */
export async function scanPaths(rootPath: string, relPaths: Iterable<string>, rules: IgnoreRules): Promise<Scan> {
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  const rootReal = await realRoot(rootPath);
  if (rootReal === null) return { files, skipped };
  for (const rel of new Set(relPaths)) {
    const parts = rel.split('/');
    if (parts.some((_, i) => rules.ignores(parts.slice(0, i + 1).join('/'), i < parts.length - 1))) continue;
    const name = parts[parts.length - 1] ?? '';
    const kind = kindOf(name);
    const c = await confine(rootReal, rel);
    if (c.ok) {
      if (kind) files.push({ relPath: rel, kind, size: c.size, mtime: c.mtime });
    } else if (!c.gone && c.reason !== 'a folder, not a file' && (kind || (await leadsOutside(rootReal, join(rootReal, ...parts))))) {
      skipped.push({ relPath: rel, reason: c.reason });
    }
  }
  return { files, skipped };
}
