// Keeping a library current while a front door runs (the desktop app's engine host, `trove serve`). [Note: watcher]
import type { TroveApi, TroveEvents } from '../../shared/api.js';

/** What keepLive needs of the Engine. */
export type LiveEngine = Pick<TroveApi, 'listRoots' | 'indexNow'> &
  Pick<TroveEvents, 'on'> & {
    watch(options: { onError?: (error: Error) => void }): { readonly ready: Promise<void>; close(): Promise<void> };
  };

/**
 * Keeps the library current while the app runs: one index run at start for what changed while Trove was closed,
 * then the folders watched; a folder added or removed (rootsChanged) is watched from then on.
 */
export function keepLive(engine: LiveEngine, onError: (error: Error) => void): { close(): Promise<void> } {
  let handle = engine.watch({ onError });
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let rewatching: Promise<void> = Promise.resolve();
  void engine
    .listRoots({})
    .then((roots) => (roots.length > 0 && !closed ? engine.indexNow({}) : undefined))
    .catch((error: unknown) => onError(error as Error));
  const off = engine.on('rootsChanged', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      rewatching = rewatching.then(async () => {
        if (closed) return;
        await handle.close();
        if (!closed) handle = engine.watch({ onError });
      });
    }, 300);
  });
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      off();
      await rewatching;
      await handle.close();
    },
  };
}
