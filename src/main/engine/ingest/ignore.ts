// What a scan or the watcher skips. Built-in rules plus a root's own glob patterns. Pure.
// Built in: hidden files and folders (a leading dot: .git, .Trash, .thumbnails), node_modules, and caches that
// photo tools leave behind (@eaDir from Synology, __MACOSX).
const BUILT_IN_DIRS = new Set(['node_modules', '@eaDir', '__MACOSX', '$RECYCLE.BIN', 'System Volume Information']);

// One step of a glob: a literal character, `?` (one character but /), `*` (a run without /), `**`, `**/`.
type Step = { readonly t: 'lit'; readonly c: string } | { readonly t: 'one' } | { readonly t: 'star' } | { readonly t: 'any' } | { readonly t: 'dirs' };

/** A compiled glob: its steps, and whether it is anchored at the root (it names a path) or matches names anywhere. */
export interface Glob {
  readonly steps: readonly Step[];
  readonly anchored: boolean;
}

/**
 * Glob (`*`, `**`, `?`) over a '/'-separated relative path. A pattern without '/' matches a name anywhere, one with
 * '/' a path from the root; either way, everything under what it matches is matched too.
 */
export function compileGlob(pattern: string): Glob {
  const p = pattern.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  const steps: Step[] = [];
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') {
      let stars = 1;
      while (p[i + 1] === '*') {
        i++;
        stars++;
      }
      if (stars === 1) {
        if (steps[steps.length - 1]?.t !== 'star') steps.push({ t: 'star' }); // ** and *** are one step; so is * *
      } else if (p[i + 1] === '/') {
        i++;
        steps.push({ t: 'dirs' }); // `**/`: any number of folders, including none
      } else steps.push({ t: 'any' });
    } else if (ch === '?') steps.push({ t: 'one' });
    else steps.push({ t: 'lit', c: ch });
  }
  return { steps, anchored: p.includes('/') };
}

/**
 * Whether a compiled glob matches a path. [Note: glob-matching] The glob is run as a set of states over the path,
 * one pass, so the work is (path length × pattern length) whatever the pattern: the regular expression Trove used
 * before backtracked, and a pattern like `*a*a*a*a*a*a*b` took 28 ms on a 40-character name, ~17 s on 100 (the
 * growth of the 7th power), per file: one rule from a request could stop indexing for good.
 */
export function globMatches(glob: Glob, path: string): boolean {
  const { steps, anchored } = glob;
  const m = steps.length;
  // at[k]: the glob has matched its first k steps; inside[k]: it is within step k's `**/` (some characters read,
  // its closing '/' not yet), which unlike the start of `**/` cannot be skipped.
  let at = new Uint8Array(m + 1);
  let inside = new Uint8Array(m + 1);
  let nextAt = new Uint8Array(m + 1);
  let nextInside = new Uint8Array(m + 1);
  const close = () => {
    // The steps that may match nothing pass their state on (only forward, so one pass).
    for (let k = 0; k < m; k++) {
      const t = steps[k]!.t;
      if (at[k] && (t === 'star' || t === 'any' || t === 'dirs')) at[k + 1] = 1;
    }
  };
  const n = path.length;
  for (let i = 0; ; i++) {
    if (i === 0 || (!anchored && path.charCodeAt(i - 1) === 47)) at[0] = 1; // a name starts here
    close();
    if (at[m] && (i === n || path.charCodeAt(i) === 47)) return true; // matched, and the rest is under it
    if (i === n) return false;
    const c = path[i]!;
    const slash = c === '/';
    nextAt.fill(0);
    nextInside.fill(0);
    let alive = false;
    for (let k = 0; k < m; k++) {
      if (inside[k]) {
        nextInside[k] = 1;
        if (slash) nextAt[k + 1] = 1;
        alive = true;
      }
      if (!at[k]) continue;
      alive = true;
      const step = steps[k]!;
      switch (step.t) {
        case 'lit':
          if (c === step.c) nextAt[k + 1] = 1;
          break;
        case 'one':
          if (!slash) nextAt[k + 1] = 1;
          break;
        case 'star':
          if (!slash) nextAt[k] = 1;
          break;
        case 'any':
          nextAt[k] = 1;
          break;
        case 'dirs':
          nextInside[k] = 1;
          if (slash) nextAt[k + 1] = 1;
          break;
      }
    }
    [at, nextAt] = [nextAt, at];
    [inside, nextInside] = [nextInside, inside];
    if (!alive && anchored) return false; // nothing alive and no new start to come
  }
}

export class IgnoreRules {
  private readonly patterns: Glob[];

  constructor(patterns: readonly string[] = []) {
    this.patterns = patterns.filter((p) => p.trim() !== '').map(compileGlob);
  }

  /** Whether a file or folder, by its path relative to the root, is skipped. */
  ignores(relPath: string, isDir: boolean): boolean {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    if (name.startsWith('.')) return true;
    if (isDir && BUILT_IN_DIRS.has(name)) return true;
    return this.patterns.some((g) => globMatches(g, relPath));
  }
}
