// The one rule for links inside a watched folder, used by scanning, watching, reading, OCR, transcription,
// thumbnails and media alike. [Note: symlinks]
//
// A file is reached through a path of its watched folder only when no folder on that path is a link, and the file
// itself is a plain file or a link whose real path stays inside the same watched folder. Links to folders are never
// followed (the folder, when it is inside, is indexed at its own path; following would index files twice or loop).
// Anything else is skipped with the reason, and no item exists for it: a link named `notes/passwd.txt` that points
// at /etc/passwd, or a folder link `notes/outdir` to a private folder, is listed as skipped and never read. Every
// reader asks again just before it opens the file and opens the real path it was given, without following a link
// swapped in since (O_NOFOLLOW), so a link retargeted after indexing leads nowhere.
import { constants } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export type Confined =
  | { readonly ok: true; readonly real: string; readonly size: number; readonly mtime: number }
  | { readonly ok: false; readonly reason: string; readonly gone?: true };

/** Whether `child` lies strictly inside `parent` (both absolute, resolved the same way). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel);
}

/** The watched folder's real path, resolved the way file paths are (the OS's realpath), or null when it is gone. */
export async function realRoot(rootPath: string): Promise<string | null> {
  try {
    return await realpath(rootPath);
  } catch {
    return null;
  }
}

export const OUTSIDE = 'a link that leads outside its watched folder';

/**
 * Whether the file at `relPath` ('/'-separated) of a watched folder may be read, and its real path when it may.
 * `rootReal` comes from `realRoot`. A path that does not exist answers `gone`.
 */
export async function confine(rootReal: string, relPath: string): Promise<Confined> {
  const parts = relPath.split('/');
  const abs = join(rootReal, ...parts);
  let link;
  try {
    link = await lstat(abs);
  } catch {
    return { ok: false, reason: 'the file is gone', gone: true };
  }
  // No folder on the way may be a link: its real path must be exactly where the path says.
  if (parts.length > 1) {
    const dir = join(rootReal, ...parts.slice(0, -1));
    let dirReal: string;
    try {
      dirReal = await realpath(dir);
    } catch {
      return { ok: false, reason: 'the file is gone', gone: true };
    }
    if (dirReal !== dir) return { ok: false, reason: `inside a linked folder (${parts.slice(0, -1).join('/')}): Trove does not follow links to folders` };
  }
  if (link.isDirectory()) return { ok: false, reason: 'a folder, not a file' };
  if (!link.isSymbolicLink()) {
    if (!link.isFile()) return { ok: false, reason: 'not a regular file' };
    return { ok: true, real: abs, size: link.size, mtime: Math.trunc(link.mtimeMs) };
  }
  let real: string;
  try {
    real = await realpath(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ELOOP' ? 'a link that loops back on itself' : 'a link to a file that does not exist' };
  }
  if (!isInside(real, rootReal)) return { ok: false, reason: `${OUTSIDE} (to ${real}): Trove does not follow it` };
  let target;
  try {
    target = await stat(real);
  } catch {
    return { ok: false, reason: 'a link to a file that does not exist' };
  }
  if (target.isDirectory()) return { ok: false, reason: 'a link to a folder: Trove does not follow links to folders' };
  if (!target.isFile()) return { ok: false, reason: 'not a regular file' };
  return { ok: true, real, size: target.size, mtime: Math.trunc(target.mtimeMs) };
}

/**
 * Flags that open a file for reading without following a link in its last component: readers are given real paths
 * (from `confine`), so a link there was swapped in after the check. [Note: symlinks]
 */
export const READ_NOFOLLOW = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Thrown by `openConfined` when the rule refuses a path: a person reads the reason. */
export class ConfinedError extends Error {
  constructor(
    message: string,
    readonly gone: boolean,
  ) {
    super(message);
    this.name = 'ConfinedError';
  }
}

/** The real path of a file that passes the rule, or a ConfinedError saying why not. */
export async function confinedPath(rootPath: string, relPath: string): Promise<string> {
  const rootReal = await realRoot(rootPath);
  if (rootReal === null) throw new ConfinedError('its watched folder is not there', true);
  const c = await confine(rootReal, relPath);
  if (!c.ok) throw new ConfinedError(c.reason, c.gone === true);
  return c.real;
}

/**
 * Opens a file that passes the rule for reading. The real path is opened without following a link (O_NOFOLLOW where
 * the OS has it), so one swapped in between the check and the open is refused rather than read.
 */
export async function openConfined(rootPath: string, relPath: string): Promise<{ handle: FileHandle; real: string }> {
  const real = await confinedPath(rootPath, relPath);
  try {
    return { handle: await open(real, READ_NOFOLLOW), real };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw new ConfinedError('the file was replaced by a link while Trove read it', false);
    throw error;
  }
}
