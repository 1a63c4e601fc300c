// The Engine: the one implementation of the API contract (src/shared/api.ts). The CLI calls it in process; the
// Electron utility process and browser mode put a transport in front of it. No search logic lives anywhere else.
import { EventEmitter } from 'node:events';
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type {
  Events,
  EventName,
  Listener,
  Operations,
  RelatedRequest,
  SearchRequest,
  SearchResponse,
  RelatedResponse,
  TroveApi,
  TroveEvents,
  ItemRef,
} from '../../shared/api.js';
import { TroveError } from '../../shared/errors.js';
import type { IndexStatus, IndexSummary, ItemDetail, Root, SpaceInfo, Thumbnail } from '../../shared/types.js';
import { Indexer, type IndexTarget } from './ingest/indexer.js';
import { ProgressTracker } from './ingest/progress.js';
import { watchRoots, type WatchHandle } from './ingest/watcher.js';
import { OnnxEncoder, type Encoder } from './models/encoder.js';
import { DEFAULT_MODEL_ID, resolvePackDir } from './models/resolve.js';
import type { Device } from './models/session.js';
import { dataPaths } from './paths.js';
import { related } from './search/related.js';
import { checkKinds, checkLimit, search } from './search/search.js';
import { Store } from './store/index.js';
import { toDetail, type ItemRow } from './store/items.js';
import { thumbnail } from './thumbnails.js';

export interface EngineOptions {
  readonly dataDir: string;
  /** A pack folder or the id of an installed pack; default: the pack used last in this library. */
  readonly model?: string;
  readonly device?: Device;
  readonly threads?: number;
}

interface StoredModel {
  readonly id: string;
  readonly revision: string;
  readonly path: string;
}

export class Engine implements TroveApi, TroveEvents {
  private readonly events = new EventEmitter();
  private readonly progress = new ProgressTracker();
  private readonly paths;
  private encoderPromise: Promise<Encoder> | null = null;
  private indexing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly store: Store,
    private readonly options: EngineOptions,
  ) {
    this.paths = dataPaths(options.dataDir);
  }

  static open(options: EngineOptions): Engine {
    mkdirSync(options.dataDir, { recursive: true });
    const store = Store.open(dataPaths(options.dataDir).database);
    return new Engine(store, options);
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.events.emit(event, payload);
  }

  /** The encoder for this library, loaded once on first use. */
  encoder(): Promise<Encoder> {
    this.encoderPromise ??= this.loadEncoder().catch((error: unknown) => {
      this.encoderPromise = null;
      throw error;
    });
    return this.encoderPromise;
  }

  private async loadEncoder(): Promise<Encoder> {
    const stored = this.store.settings.get<StoredModel>('model');
    const explicit = this.options.model;
    const dir = explicit ? resolvePackDir(explicit, this.paths.models) : stored ? stored.path : resolvePackDir(DEFAULT_MODEL_ID, this.paths.models);
    const encoder = await OnnxEncoder.open(dir, {
      ...(this.options.device ? { device: this.options.device } : {}),
      ...(this.options.threads ? { threads: this.options.threads } : {}),
    });
    this.store.settings.set('model', { id: encoder.space.modelId, revision: encoder.space.revision, path: encoder.packDir });
    return encoder;
  }

  /** The embedding space of the current encoder. */
  private async space(): Promise<{ encoder: Encoder; space: SpaceInfo }> {
    const encoder = await this.encoder();
    const { modelId, revision, dimensions } = encoder.space;
    const row = this.store.spaces.ensure(modelId, revision, dimensions);
    const space = this.store.spaces.list().find((s) => s.id === row.id)!;
    return { encoder, space };
  }

  // ---- roots -------------------------------------------------------------------------------------------------

  async addRoot(req: Operations['addRoot']['req']): Promise<Root> {
    if (typeof req.path !== 'string' || req.path.trim() === '') throw new TroveError('INVALID_ARGUMENT', 'path must be a folder');
    const ignore = req.ignore ?? [];
    if (!Array.isArray(ignore) || !ignore.every((p) => typeof p === 'string')) {
      throw new TroveError('INVALID_ARGUMENT', 'ignore must be a list of glob patterns');
    }
    let path: string;
    try {
      path = realpathSync(resolve(req.path));
      if (!statSync(path).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new TroveError('ROOT_NOT_FOUND', `${resolve(req.path)} is not a folder`);
    }
    const existing = this.store.roots.byPath(path);
    if (existing) return existing;
    for (const other of this.store.roots.list()) {
      if (isInside(path, other.path) || isInside(other.path, path)) {
        throw new TroveError('ROOT_OVERLAPS', `${path} overlaps the watched folder ${other.path}; remove that one first or pick a folder beside it`);
      }
    }
    const root = this.store.roots.add(path, ignore);
    this.emit('rootsChanged', this.store.roots.list());
    return root;
  }

  async removeRoot(req: Operations['removeRoot']['req']): Promise<{ removedItems: number }> {
    const root = this.store.roots.get(req.id);
    if (!root) throw new TroveError('NOT_FOUND', `no watched folder with id ${String(req.id)}`);
    await this.indexing; // never pull a root from under a running index
    this.store.transaction(() => this.store.roots.remove(root.id));
    this.emit('rootsChanged', this.store.roots.list());
    return { removedItems: root.items };
  }

  async listRoots(): Promise<readonly Root[]> {
    return this.store.roots.list();
  }

  // ---- indexing ----------------------------------------------------------------------------------------------

  async indexNow(req: Operations['indexNow']['req'] = {}): Promise<IndexSummary> {
    const roots = this.store.roots.list();
    const wanted = req.rootIds ? roots.filter((r) => req.rootIds!.includes(r.id)) : roots;
    if (req.rootIds && wanted.length !== req.rootIds.length) throw new TroveError('NOT_FOUND', 'no watched folder with that id');
    return this.runIndex(wanted.map((root) => ({ root })));
  }

  /** Runs index jobs one after another: a watcher's update waits for a running full index, never races it. */
  private runIndex(targets: readonly IndexTarget[]): Promise<IndexSummary> {
    const run = this.indexing.then(async () => {
      const { encoder, space } = await this.space();
      const indexer = new Indexer(
        this.store,
        encoder,
        space.id,
        this.progress,
        () => this.emit('progress', this.progress.snapshot()),
        (changed, removed) => this.emit('itemsChanged', { changed, removed }),
      );
      const summary = await indexer.run(targets);
      // A library indexed with a new model answers with it from now on (background switching: model-runtime issue).
      if (this.store.spaces.active()?.id !== space.id) this.store.spaces.activate(space.id);
      return summary;
    });
    this.indexing = run.catch(() => undefined);
    return run;
  }

  /** Keeps the roots live: changes on disk are indexed as they happen. */
  watch(options: { onError?: (error: Error) => void; usePolling?: boolean } = {}): WatchHandle {
    return watchRoots(this.store.roots.list(), {
      ...(options.usePolling !== undefined ? { usePolling: options.usePolling } : {}),
      onChanges: (root, relPaths) => {
        const current = this.store.roots.get(root.id);
        if (current) this.runIndex([{ root: current, only: relPaths }]).catch((e: unknown) => options.onError?.(e as Error));
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  async status(): Promise<IndexStatus> {
    const model = this.store.settings.get<StoredModel>('model') ?? null;
    return {
      progress: this.progress.snapshot(),
      roots: this.store.roots.list(),
      counts: this.store.items.countsByKind(),
      errors: this.store.items.errorCount(),
      spaces: this.store.spaces.list(),
      model,
    };
  }

  /** Files that could not be indexed, with their reasons. */
  errors(limit = 1000): ItemDetail[] {
    return this.store.items.errors(limit).map((row) => toDetail(row, []));
  }

  // ---- queries -----------------------------------------------------------------------------------------------

  async search(req: SearchRequest): Promise<SearchResponse> {
    const { encoder, space } = await this.space();
    return search(this.store, encoder, space, req);
  }

  async related(req: RelatedRequest): Promise<RelatedResponse> {
    const started = performance.now();
    const limit = checkLimit(req.limit);
    const kinds = checkKinds(req.kinds);
    const item = this.findItem(req);
    const { space } = await this.space();
    const result = related(this.store, space, item, kinds, limit);
    return { ...result, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async getItem(req: ItemRef): Promise<ItemDetail> {
    const row = this.findItem(req);
    const segments = this.store.segments.forItem(row.id).map(({ itemId: _itemId, ...s }) => s);
    return toDetail(row, segments);
  }

  async thumbnail(req: Operations['thumbnail']['req']): Promise<Thumbnail> {
    const row = this.findItem(req);
    if (row.kind !== 'photo' || row.status !== 'indexed' || !row.hash) {
      throw new TroveError('NOT_FOUND', `${row.rel_path} has no thumbnail`);
    }
    if (req.size !== 'small' && req.size !== 'large') throw new TroveError('INVALID_ARGUMENT', 'size must be small or large');
    return thumbnail(this.paths.thumbnails, toDetail(row, []).path, row.hash, req.size);
  }

  /** An item by id or by absolute path (inside a watched root). */
  findItem(ref: ItemRef): ItemRow {
    if ('id' in ref && ref.id !== undefined) {
      if (!Number.isInteger(ref.id)) throw new TroveError('INVALID_ARGUMENT', 'id must be a whole number');
      const row = this.store.items.get(ref.id);
      if (!row) throw new TroveError('NOT_FOUND', `no item with id ${ref.id}`);
      return row;
    }
    if (!('path' in ref) || typeof ref.path !== 'string') throw new TroveError('INVALID_ARGUMENT', 'name an item by id or path');
    let abs = resolve(ref.path);
    try {
      abs = realpathSync(abs);
    } catch {
      // a deleted file may still be asked about by its old path
    }
    const root = this.store.roots
      .list()
      .filter((r) => abs === r.path || isInside(abs, r.path))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (!root) throw new TroveError('NOT_FOUND', `${abs} is not inside a watched folder`);
    const rel = relative(root.path, abs).split(sep).join('/');
    const row = this.store.items.byPath(root.id, rel);
    if (!row) throw new TroveError('NOT_FOUND', `${abs} is not indexed`);
    return row;
  }

  async close(): Promise<void> {
    await this.indexing;
    const encoder = await this.encoderPromise?.catch(() => null);
    await encoder?.close();
    this.store.close();
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel);
}
