// Live roots. [Note: watcher]
// One inotify watch per folder (fs.watch, not recursive), not per file: 100,000 photos in 1,000 folders cost 1,000
// watches and little memory. An event names a path; paths are batched per root (debounce), and a file is handed to
// the indexer only once its size and mtime have held still for a moment, so a copy in progress is never indexed
// half-written. A new folder is watched and its files reported; a folder that goes is unwatched and reported, and
// the indexer drops what was under it. When the OS runs out of watches (ENOSPC, EMFILE) or a root has more folders
// than `maxWatches`, that root falls back to polling: a full rescan every `pollMs`, which is cheap because unchanged
// files are compared by size and mtime only. `modes()` says which roots poll, for status.
//
// Why Trove keeps its own rather than a library (`npm run bench -- watchers`, BENCHMARKS.md "Watchers compared":
// 100,000 files in 1,000 folders, each watcher in a process of its own, then 10,000 changes at once): this one grows
// by 34 MB, is ready in 0.6 s and reported all 10,000 changed files every time. chokidar 6 grows by ~300 MB
// (181–304), the goal's limit, needs Node >= 22.22 (Trove runs on 20) and at the watch limit keeps going with half
// the tree unwatched (an error event per folder); chokidar 5, the last major for Node 20, watches every file:
// 717 MB, and it lost up to 10% of the burst (31% with awaitWriteFinish). @parcel/watcher 2.6 grows by only 26 MB but
// lost 1–19 of the 10,000 changes in 5 of 8 bursts (its event list is read and cleared under two separate locks
// while its inotify thread adds to it), leaves unwatched the subfolders of a folder moved in or made by `mkdir -p`
// (parcel-bundler/watcher#97), and silently stops watching new folders once the limit is reached.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Root } from '../../../shared/types.js';
import { IgnoreRules } from './ignore.js';

export type WatchMode = 'live' | 'polling';

export interface WatchHandle {
  /** Resolves once every root is watched. */
  readonly ready: Promise<void>;
  modes(): ReadonlyMap<number, WatchMode>;
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Paths (relative, '/'-separated) that changed, appeared or went; a folder stands for everything under it. */
  readonly onChanges: (root: Root, relPaths: string[]) => void;
  /** A polling root asks for a full rescan. */
  readonly onRescan: (root: Root) => void;
  readonly onError?: (error: Error) => void;
  readonly debounceMs?: number; // default 200
  readonly stabilityMs?: number; // default 300: how long a file must hold still
  readonly pollMs?: number; // default 30 s
  readonly maxWatches?: number; // per root; default 50,000
}

class RootWatch {
  private readonly watchers = new Map<string, FSWatcher>(); // folder (relative, '' = the root) → its watch
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private closed = false;
  mode: WatchMode = 'live';

  constructor(
    private readonly root: Root,
    private readonly rules: IgnoreRules,
    private readonly options: WatchOptions,
  ) {}

  async start(): Promise<void> {
    try {
      await this.watchTree('');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE' || code === 'TOO_MANY') this.fallBackToPolling();
      else throw error;
    }
  }

  /** Watches a folder and every folder under it. */
  private async watchTree(relDir: string): Promise<string[]> {
    const found: string[] = [];
    const queue = [relDir];
    while (queue.length && !this.closed && this.mode === 'live') {
      const dir = queue.shift()!;
      if (this.watchers.has(dir)) continue;
      if (this.watchers.size >= (this.options.maxWatches ?? 50_000)) {
        throw Object.assign(new Error('too many folders to watch'), { code: 'TOO_MANY' });
      }
      const abs = dir ? join(this.root.path, dir) : this.root.path;
      const watcher = fsWatch(abs, { persistent: true }, (_event, name) => {
        if (name) this.note(dir ? `${dir}/${String(name)}` : String(name));
      });
      watcher.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOSPC' || error.code === 'EMFILE') this.fallBackToPolling();
        else this.unwatch(dir); // the folder went away
      });
      this.watchers.set(dir, watcher);
      let entries;
      try {
        entries = await opendir(abs);
      } catch {
        continue;
      }
      for await (const e of entries) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory() && !this.rules.ignores(rel, true)) queue.push(rel);
        else if (e.isFile() || e.isSymbolicLink()) found.push(rel); // a link is judged by the indexer's rule [Note: symlinks]
      }
    }
    return found;
  }

  private unwatch(relDir: string): void {
    for (const [dir, w] of this.watchers) {
      if (dir === relDir || dir.startsWith(`${relDir}/`)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
  }

  private fallBackToPolling(): void {
    if (this.mode === 'polling' || this.closed) return;
    this.mode = 'polling';
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    const every = this.options.pollMs ?? 30_000;
    const period = every >= 1000 ? `${Math.round(every / 1000)} s` : `${every} ms`;
    this.options.onError?.(new Error(`${this.root.path}: the system cannot watch this many folders; checking it for changes every ${period} instead`));
    this.poller = setInterval(() => this.options.onRescan(this.root), this.options.pollMs ?? 30_000);
    this.poller.unref?.();
  }

  private note(rel: string): void {
    if (this.closed || this.rules.ignores(rel, false) || this.rules.ignores(rel, true)) return;
    this.pending.add(rel);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.settle(), this.options.debounceMs ?? 200);
  }

  /** Hands over the paths whose files have held still; folders are watched or unwatched on the way. */
  private async settle(): Promise<void> {
    this.timer = null;
    const paths = [...this.pending];
    this.pending.clear();
    const first = new Map<string, { size: number; mtime: number } | null>();
    for (const rel of paths) first.set(rel, await this.state(rel));
    await new Promise((r) => setTimeout(r, this.options.stabilityMs ?? 300));
    if (this.closed) return;
    const ready: string[] = [];
    for (const rel of paths) {
      const now = await this.state(rel);
      const before = first.get(rel);
      if (now === null) {
        if (this.watchers.has(rel)) this.unwatch(rel);
        ready.push(rel); // gone: a file, or a folder with everything under it
      } else if (now.size === -1) {
        // A new folder: watch it, and report what is already in it (copied in before its watch existed).
        try {
          for (const found of await this.watchTree(rel)) ready.push(found); // a moved-in tree can hold 100k+ files
        } catch {
          this.fallBackToPolling();
        }
      } else if (before && before.size === now.size && before.mtime === now.mtime) {
        ready.push(rel);
      } else {
        this.note(rel); // still being written: look again later
      }
    }
    if (ready.length && !this.closed) this.options.onChanges(this.root, ready);
  }

  /**
   * Size and mtime of a file, size -1 for a folder, null when it is gone. A link is reported as itself, never followed:
   * a link to a folder is not watched through (it could lead anywhere), and the indexer decides whether a link to a
   * file may be read. [Note: symlinks]
   */
  private async state(rel: string): Promise<{ size: number; mtime: number } | null> {
    try {
      const st = await lstat(join(this.root.path, rel));
      return st.isDirectory() ? { size: -1, mtime: st.mtimeMs } : { size: st.size, mtime: st.mtimeMs };
    } catch {
      return null;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

export function watchRoots(roots: readonly Root[], options: WatchOptions): WatchHandle {
  const watches = roots.map((root) => new RootWatch(root, new IgnoreRules(root.ignore), options));
  const ready = Promise.all(
    watches.map((w) => w.start().catch((error: unknown) => options.onError?.(error as Error))),
  ).then(() => undefined);
  return {
    ready,
    modes: () => new Map(roots.map((r, i) => [r.id, watches[i]!.mode])),
    async close() {
      await ready;
      for (const w of watches) w.close();
    },
  };
}
