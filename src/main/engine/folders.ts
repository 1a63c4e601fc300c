// Completing a folder path as it is typed: browser mode's folder field (a web page cannot learn a folder's path from
// the browser's own picker, so a person types it, helped by this). [Note: first-run]
// Only folder names are listed, never files, and only what the caller could add as a root anyway. The work is
// bounded whatever the folder holds (rule 12): at most READ_ENTRIES directory entries are looked at and
// MAX_FOLDERS returned, so a folder of a million files answers as fast as a small one.
import { opendir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import type { FolderCompletion } from '../../shared/types.js';

/** Most folders one completion lists. */
export const MAX_FOLDERS = 50;
/** Most directory entries one completion reads. */
export const READ_ENTRIES = 5000;

/** The XDG user folders (Pictures, Documents…) by their names on this system: "图片" on a Chinese desktop. */
const XDG_KEYS = ['PICTURES', 'DOCUMENTS', 'DESKTOP', 'MUSIC', 'DOWNLOAD', 'VIDEOS'] as const;
const USUAL = ['Pictures', 'Photos', 'Documents', 'Notes', 'Desktop', 'Music', 'Downloads', 'Dropbox', 'OneDrive'];

/** `XDG_PICTURES_DIR="$HOME/图片"` lines of user-dirs.dirs, as absolute paths. */
export function parseUserDirs(text: string, home: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*XDG_([A-Z]+)_DIR\s*=\s*"(.*)"\s*$/.exec(line);
    if (!m || !(XDG_KEYS as readonly string[]).includes(m[1]!)) continue;
    const value = m[2]!.replace(/^\$HOME(?=\/|$)/, home);
    // "$HOME/" alone means the feature is off for that folder (the home folder itself).
    if (isAbsolute(value) && resolve(value) !== resolve(home)) out.push(resolve(value));
  }
  return out;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A typed path made absolute: `~` and `~/…` are the home folder, a relative path is read from the home folder. */
export function resolveTyped(typed: string, home: string): string {
  const t = typed.trim();
  if (t === '~') return home;
  if (t.startsWith('~/') || t.startsWith(`~${sep}`)) return join(home, t.slice(2));
  return isAbsolute(t) ? resolve(t) : join(home, t);
}

/** The folders with nothing typed: the home folder's usual ones, in the system's own names where it has them. */
async function usualFolders(home: string): Promise<string[]> {
  let xdg: string[] = [];
  try {
    xdg = parseUserDirs(await readFile(join(process.env.XDG_CONFIG_HOME || join(home, '.config'), 'user-dirs.dirs'), 'utf8'), home);
  } catch {
    // not a freedesktop system, or never set up: the usual English names
  }
  const candidates = [...new Set([...xdg, ...USUAL.map((n) => join(home, n))])];
  const found = await Promise.all(candidates.map(async (p) => ((await isFolder(p)) ? p : null)));
  return [home, ...found.filter((p): p is string => p !== null)];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The folders that continue `typed`. */
export async function completeFolder(typed: string, home: string = homedir()): Promise<FolderCompletion> {
  if (!typed.trim()) {
    const usual = await usualFolders(home);
    return { resolved: home, isFolder: await isFolder(home), folders: usual.map((path) => ({ name: path === home ? '~' : basename(path), path })), more: false };
  }
  // The last segment is the name being typed, split off as typed ("." and ".." are a start of a hidden name there).
  const t = typed.trim();
  const cut = Math.max(t.lastIndexOf('/'), t.lastIndexOf(sep));
  const parent = t === '~' ? home : cut < 0 ? home : resolveTyped(t.slice(0, cut + 1) || sep, home);
  const typedName = t === '~' ? '' : t.slice(cut + 1);
  const resolved = resolveTyped(t, home);
  const prefix = typedName.normalize('NFC').toLocaleLowerCase();
  const showHidden = prefix.startsWith('.');
  const names: string[] = [];
  let more = false;
  try {
    const dir = await opendir(parent, { bufferSize: 256 });
    let read = 0;
    for await (const entry of dir) {
      if (++read > READ_ENTRIES) {
        more = true;
        break;
      }
      const name = entry.name.normalize('NFC');
      if (!showHidden && name.startsWith('.')) continue;
      if (!name.toLocaleLowerCase().startsWith(prefix)) continue;
      // A link is listed when it leads to a folder (what addRoot would accept).
      if (entry.isDirectory() || (entry.isSymbolicLink() && (await isFolder(join(parent, entry.name))))) names.push(entry.name);
    }
    // for await closes the directory, also on break
  } catch {
    // a parent that is not there or cannot be read: nothing to offer
  }
  names.sort(collator.compare);
  if (names.length > MAX_FOLDERS) more = true;
  return {
    resolved,
    isFolder: await isFolder(resolved),
    folders: names.slice(0, MAX_FOLDERS).map((name) => ({ name, path: join(parent, name) })),
    more,
  };
}
