// Walks a root and lists the files Trove indexes, with size and mtime (no reading, no hashing).
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ItemKind } from '../../../shared/types.js';
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

export const BAD_NAME = 'the file name is not valid UTF-8, so Trove cannot name it reliably; rename the file to index it';

/**
 * Lists a root's indexable files. Unreadable folders are skipped (and reported through `onError`); symbolic links
 * to files are followed, links to folders are not (no loops, no files indexed twice).
 */
export async function scanRoot(
  rootPath: string,
  rules: IgnoreRules,
  onError: (relPath: string, error: Error) => void = () => {},
): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
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
      if (rules.ignores(rel, false)) continue;
      const kind = kindOf(name);
      if (!kind) continue;
      try {
        const st = await stat(Buffer.concat([Buffer.from(`${dirPath}/`), raw]));
        if (!st.isFile()) continue;
        files.push({ relPath: rel, kind, size: st.size, mtime: Math.trunc(st.mtimeMs), ...(validName ? {} : { problem: BAD_NAME }) });
      } catch (error) {
        onError(rel, error as Error); // deleted since listed, or a dangling link
      }
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk('');
  return files;
}

/**
 * The current state of some files of a root (for the watcher): indexable files that exist are returned; paths that
 * are gone, ignored or not indexable are not.
 */
export async function scanPaths(rootPath: string, relPaths: Iterable<string>, rules: IgnoreRules): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  for (const rel of new Set(relPaths)) {
    const parts = rel.split('/');
    if (parts.some((_, i) => rules.ignores(parts.slice(0, i + 1).join('/'), i < parts.length - 1))) continue;
    const kind = kindOf(parts[parts.length - 1] ?? '');
    if (!kind) continue;
    try {
      const st = await stat(join(rootPath, ...parts));
      if (st.isFile()) files.push({ relPath: rel, kind, size: st.size, mtime: Math.trunc(st.mtimeMs) });
    } catch {
      // gone: the caller treats it as deleted
    }
  }
  return files;
}
