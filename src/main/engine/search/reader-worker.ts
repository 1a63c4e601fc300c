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
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { AnnRegistry } from '../ann/registry.js';
import type { AnnProgress } from '../ann/space-ann.js';

/** A connection that only trims `ann_log` (the reader's own is read-only). */
function openLogWriter(file: string): Database.Database | null {
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch {
    return null; // a read-only library: the log is trimmed by no one here, which costs only space
  }
}

export interface ReaderInit {
  readonly entry: string;
  readonly database: string;
  /** Build and keep approximate indexes in the background (a long-lived process). [Note: ann] */
  readonly annBuild: boolean;
}

export type ReaderRequest =
  | { readonly id: number; readonly op: 'hits'; readonly spaceId: number; readonly vector: Float32Array; readonly query: ParsedQuery; readonly kinds: readonly ItemKind[] | null; readonly limit: number; readonly options: HitOptions }
  | { readonly id: number; readonly op: 'related'; readonly spaceId: number; readonly itemId: number; readonly kinds: readonly ItemKind[] | undefined; readonly limit: number }
  | { readonly id: number; readonly op: 'annProgress'; readonly spaceId: number };

export type ReaderReply =
  | { readonly id: number; readonly ok: true; readonly hits: Hit[]; readonly progress?: AnnProgress | null }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('reader-worker.ts must run in a worker thread');
const init = workerData as ReaderInit;
const store = Store.openReader(init.database);
// The approximate indexes live here, beside the searches that use them; trimming the change log needs a writer.
const writer = init.annBuild ? openLogWriter(init.database) : null;
const anns = new AnnRegistry(store, join(dirname(init.database), 'ann'), init.annBuild, writer);

/** Background work on the indexes, a slice per turn, while no request waits (requests come first). */
let working = false;
let busy = 0;
function work(): void {
  if (working || busy > 0) return;
  working = true;
  setImmediate(() => {
    working = false;
    let more = false;
    try {
      more = anns.work();
    } catch (error) {
      console.error(`trove: the approximate index stopped: ${(error as Error).message}`);
    }
    if (more) work();
  });
}
if (init.annBuild) setInterval(work, 1000).unref();

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
      busy++;
      let hits: Hit[] = [];
      if (req.op === 'annProgress') {
        port.postMessage({ id: req.id, ok: true, hits, progress: anns.progress(req.spaceId) } satisfies ReaderReply);
        return;
      }
      if (req.op === 'hits') hits = findHits(store, req.spaceId, req.vector, req.query, req.kinds, req.limit, req.options, anns.knn);
      else {
        const item = store.items.get(req.itemId);
        if (!item) throw new TroveError('NOT_FOUND', `no item with id ${req.itemId}`);
        hits = await relatedHits(store, req.spaceId, item, req.kinds, req.limit, turn, anns.knn);
      }
      port.postMessage({ id: req.id, ok: true, hits } satisfies ReaderReply);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies ReaderReply);
    } finally {
      busy--;
      work();
    }
  })();
});
