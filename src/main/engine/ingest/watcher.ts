// Live roots: chokidar reports changes, which are batched per root and handed to the indexer as paths to
// re-check. Writes in progress are waited out (awaitWriteFinish), and hidden and ignored paths never reach the
// indexer. The full watcher (moves by hash, polling fallback, unplugged disks) is the ingest issue's.
import { watch, type FSWatcher } from 'chokidar';
import { relative, sep } from 'node:path';
import type { Root } from '../../../shared/types.js';
import { IgnoreRules } from './ignore.js';

export interface WatchHandle {
  /** Resolves once every root's initial listing is done and changes are being reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  readonly onChanges: (root: Root, relPaths: string[]) => void;
  readonly onError?: (error: Error) => void;
  readonly debounceMs?: number;
  readonly usePolling?: boolean;
}

export function watchRoots(roots: readonly Root[], options: WatchOptions): WatchHandle {
  const watchers: FSWatcher[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const readies: Promise<void>[] = [];
  for (const root of roots) {
    const rules = new IgnoreRules(root.ignore);
    const pending = new Set<string>();
    let timer: NodeJS.Timeout | null = null;
    const relOf = (p: string) => relative(root.path, p).split(sep).join('/');
    const watcher = watch(root.path, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      usePolling: options.usePolling ?? false,
      awaitWriteFinish: { stabilityThreshold: 300, pollInterval: 50 },
      // One argument, so chokidar need not stat every path to ask (it holds on to what it stats): a name is
      // ignored if it would be as a folder or as a file.
      ignored: (p: string) => {
        const rel = relOf(p);
        return rel !== '' && (rules.ignores(rel, true) || rules.ignores(rel, false));
      },
    });
    const flush = () => {
      if (timer) timers.delete(timer);
      timer = null;
      const paths = [...pending];
      pending.clear();
      if (paths.length) options.onChanges(root, paths);
    };
    const note = (p: string) => {
      pending.add(relOf(p));
      if (timer) clearTimeout(timer);
      if (timer) timers.delete(timer);
      timer = setTimeout(flush, options.debounceMs ?? 200);
      timers.add(timer);
    };
    watcher.on('add', note).on('change', note).on('unlink', note);
    watcher.on('unlinkDir', (p: string) => note(p)); // the indexer drops what was under it on the next full scan
    watcher.on('error', (e: unknown) => options.onError?.(e as Error));
    readies.push(new Promise((resolveReady) => watcher.once('ready', () => resolveReady())));
    watchers.push(watcher);
  }
  return {
    ready: Promise.all(readies).then(() => undefined),
    async close() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(watchers.map((w) => w.close()));
    },
  };
}
