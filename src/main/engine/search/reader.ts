// The engine's side of the search reader (reader-worker.ts). [Note: search-reader]
import type { ParsedQuery } from '../../../shared/query.js';
import type { Hit, ItemKind } from '../../../shared/types.js';
import { BOOTSTRAP, entryUrl, WorkerRpc } from '../worker-rpc.js';
import type { ReaderInit, ReaderReply } from './reader-worker.js';
import type { HitOptions, HitReader } from './search.js';
import type { AnnProgress } from '../ann/space-ann.js';

export class SearchReader implements HitReader {
  private readonly rpc: WorkerRpc<ReaderReply>;

  constructor(database: string, annBuild = true) {
    const init: ReaderInit = { entry: entryUrl('reader-worker', import.meta.url), database, annBuild };
    this.rpc = new WorkerRpc<ReaderReply>({ url: BOOTSTRAP, worker: { workerData: init }, what: 'search reader' });
  }

  async hits(spaceId: number, vector: Float32Array, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number, options: HitOptions = {}): Promise<Hit[]> {
    return (await this.rpc.request({ op: 'hits', spaceId, vector, query, kinds, limit, options })).hits;
  }

  async related(spaceId: number, itemId: number, kinds: readonly ItemKind[] | undefined, limit: number): Promise<Hit[]> {
    return (await this.rpc.request({ op: 'related', spaceId, itemId, kinds, limit })).hits;
  }

  /** How the approximate index of a space stands (null: the space is searched exactly). [Note: ann] */
  async annProgress(spaceId: number): Promise<AnnProgress | null> {
    return (await this.rpc.request({ op: 'annProgress', spaceId })).progress ?? null;
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}
