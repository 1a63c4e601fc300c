// What the whole app shares: the connection, the library's status and indexing progress, kept current by the
// contract's events. Components read `app`; only the functions here change it.
import { TroveError } from '../../shared/errors.js';
import type { IndexProgress, IndexStatus, ModelProgress, Root } from '../../shared/types.js';
import type { Connection } from '../connection/connect.js';
import { debounce } from '../lib/timing.js';

let connection: Connection | null = null;

export const app = $state({
  status: null as IndexStatus | null,
  progress: null as IndexProgress | null,
  modelProgress: null as ModelProgress | null,
  /** Why the engine cannot be reached, when it cannot (shown instead of the page). */
  failure: null as { readonly code: string; readonly message: string } | null,
  /** Bumped on every itemsChanged event, so views showing results can refresh. */
  itemsVersion: 0,
  /** Bumped on every collectionsChanged event (a run made or changed some, or a person edited one). */
  collectionsVersion: 0,
  /** Browser mode: false while the server cannot be reached (it stopped); the page reconnects by itself. */
  reachable: true,
  /** The last indexing run that finished while the app was open, so it can say "done" rather than vanish. */
  lastRun: null as { readonly done: number; readonly total: number; readonly failed: number; readonly at: number } | null,
});

/** The connection; set once by main.ts before the app mounts. */
export function conn(): Connection {
  if (!connection) throw new Error('the app is not connected');
  return connection;
}

/** Asks for the status now (and then as events say things changed). */
export async function refreshStatus(): Promise<void> {
  try {
    const status = await conn().api.status({});
    app.status = status;
    app.progress = status.progress;
    app.failure = null;
  } catch (error) {
    if (error instanceof TroveError && (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN' || error.code === 'NETWORK')) {
      app.failure = { code: error.code, message: error.message };
    } else {
      app.failure = { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
    }
  }
}

const refreshSoon = debounce(() => void refreshStatus(), 400);

export function start(c: Connection): void {
  connection = c;
  // The files of a run, as its scanning and embedding phases counted them: the phases after (text reading,
  // transcription, linking) count other work, which "done, N of N files" is not about.
  let files: IndexProgress | null = null;
  c.api.on('progress', (p) => {
    const before = app.progress;
    app.progress = p;
    if (p.phase === 'scanning' || p.phase === 'embedding') files = p;
    if (before && before.phase !== 'idle' && p.phase === 'idle') {
      if (files) app.lastRun = { done: files.done, total: files.total, failed: files.failed, at: Date.now() };
      else if (before.phase !== 'linking') app.lastRun = { done: Math.max(p.done, before.done), total: Math.max(p.total, before.total), failed: Math.max(p.failed, before.failed), at: Date.now() };
      files = null;
      void refreshStatus();
    }
  });
  c.api.on('itemsChanged', () => {
    app.itemsVersion++;
    refreshSoon();
  });
  c.api.on('rootsChanged', (roots: readonly Root[]) => {
    if (app.status) app.status = { ...app.status, roots };
    refreshSoon();
  });
  c.api.on('collectionsChanged', () => {
    app.collectionsVersion++;
  });
  c.api.on('modelProgress', (p) => {
    app.modelProgress = p;
  });
  // The server stopped, then came back: what was missed meanwhile is asked again. [Note: browser-mode]
  c.onReachable?.((up) => {
    const back = up && !app.reachable;
    app.reachable = up;
    if (back) {
      app.itemsVersion++;
      app.collectionsVersion++;
      void refreshStatus();
    }
  });
  void refreshStatus();
}

/** Whether indexing is under way (scanning, embedding or reading text), paused or not. */
export function indexing(progress: IndexProgress | null): boolean {
  return progress !== null && progress.phase !== 'idle';
}
