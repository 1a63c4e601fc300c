// The search reader: a search's and a related list's database work, in a worker thread with a read-only connection
// of its own. [Note: search-reader] SQLite in WAL mode lets it read while the engine writes; its KNN scans and FTS
// queries (synchronous in better-sqlite3) then never hold the engine's thread, which serves every other request.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo, TroveError } from '../../../shared/errors.js';
import type { ParsedQuery } from '../../../shared/query.js';
import type { Hit, ItemKind } from '../../../shared/types.js';
import { Store } from '../store/index.js';
import { relatedHits } from './related.js';
import { findHits, type HitOptions } from './search.js';

export interface ReaderInit {
  readonly entry: string;
  readonly database: string;
}

export type ReaderRequest =
  | { readonly id: number; readonly op: 'hits'; readonly spaceId: number; readonly vector: Float32Array; readonly query: ParsedQuery; readonly kinds: readonly ItemKind[] | null; readonly limit: number; readonly options: HitOptions }
  | { readonly id: number; readonly op: 'related'; readonly spaceId: number; readonly itemId: number; readonly kinds: readonly ItemKind[] | undefined; readonly limit: number };

export type ReaderReply =
  | { readonly id: number; readonly ok: true; readonly hits: Hit[] }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('reader-worker.ts must run in a worker thread');
const init = workerData as ReaderInit;
const store = Store.openReader(init.database);

/** One KNN per turn of this worker's event loop: a long note's related list lets other searches in between. */
const turn = <T>(work: () => T) => new Promise<T>((resolve, reject) => setImmediate(() => {
  try {
    resolve(work());
  } catch (error) {
    reject(error);
  }
}));

port.on('message', (req: ReaderRequest) => {
  void (async () => {
    try {
      let hits: Hit[];
      if (req.op === 'hits') hits = findHits(store, req.spaceId, req.vector, req.query, req.kinds, req.limit, req.options);
      else {
        const item = store.items.get(req.itemId);
        if (!item) throw new TroveError('NOT_FOUND', `no item with id ${req.itemId}`);
        hits = await relatedHits(store, req.spaceId, item, req.kinds, req.limit, turn);
      }
      port.postMessage({ id: req.id, ok: true, hits } satisfies ReaderReply);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies ReaderReply);
    }
  })();
});
