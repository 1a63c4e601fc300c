// What a scan or the watcher skips. Built-in rules plus a root's own glob patterns. Pure.
// Built in: hidden files and folders (a leading dot: .git, .Trash, .thumbnails), node_modules, and caches that
// photo tools leave behind (@eaDir from Synology, __MACOSX).
const BUILT_IN_DIRS = new Set(['node_modules', '@eaDir', '__MACOSX', '$RECYCLE.BIN', 'System Volume Information']);

/** Glob (`*`, `**`, `?`) → RegExp over a '/'-separated relative path; a pattern without '/' matches any name. */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') {
          i++;
          re += '(?:.*/)?'; // `**/` : any number of folders, including none
        } else re += '.*';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return p.includes('/') ? new RegExp(`^${re}(?:/.*)?$`) : new RegExp(`(?:^|/)${re}(?:/.*)?$`);
}

export class IgnoreRules {
  private readonly patterns: RegExp[];

  constructor(patterns: readonly string[] = []) {
    this.patterns = patterns.filter((p) => p.trim() !== '').map(globToRegExp);
  }

  /** Whether a file or folder, by its path relative to the root, is skipped. */
  ignores(relPath: string, isDir: boolean): boolean {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    if (name.startsWith('.')) return true;
    if (isDir && BUILT_IN_DIRS.has(name)) return true;
    return this.patterns.some((re) => re.test(relPath));
  }
}
