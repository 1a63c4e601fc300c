// An approximate-nearest-neighbour index beside SQLite, for one embedding space. [Note: ann]
//
// SQLite stays the source of truth: the index is built from the space's vectors, kept in step through `ann_log` (every
// vector written and every segment deleted, in the writer's transaction), and can always be thrown away and built
// again. HNSW graphs (usearch, 8-bit quantized, cosine): one of every vector, which a search of every kind walks
// alone, and one for each item kind that held less than a quarter of the vectors when the index was built, so a
// search of those small kinds is a choice of graph, and a search that includes a larger kind filters the common
// graph, where that kind is at least a quarter of what is found (see `search`). Copies of at most three quarters
// of the vectors, then, and in practice far fewer. A date or folder filter widens the search and filters the
// candidates, and falls back to the exact scan when it is very selective. Candidates are rescored with the 16-bit
// copy kept beside the graphs.
//
// Files, in the library's `ann/` folder: `space-<id>-all.usearch`, `space-<id>-<kind>.usearch` and
// `space-<id>.json`, which says the last log
// row the saved graphs hold (`seq`). At open the graphs are loaded and the log after `seq` replayed; a missing or
// damaged file, or a log trimmed past it, means a build from SQLite. While a build runs (in slices of the reader's
// event loop, so searches go on between them), searches use the exact scan.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import usearch, { type Index } from 'usearch';
import { ITEM_KINDS, type ItemKind } from '../../../shared/types.js';
import { createLogger } from '../log.js';
import type { Store } from '../store/index.js';
import { vecTable } from '../store/spaces.js';
import { dotQ15, toQ15 } from '../store/vector-codec.js';
import { dot } from '../collections/vectors.js';

const log = createLogger('ann');

/** Spaces with fewer segments than this are searched exactly: sqlite-vec scans 20k vectors in ~25 ms here. */
export const ANN_MIN_SEGMENTS = 20_000;
/**
 * HNSW settings (measured in BENCHMARKS.md, "Nearest neighbours at a million segments"). The common graph is built
 * with twice the connectivity of the kinds' graphs: at a million clustered vectors, 16 left recall@10 at 0.973 (0.989
 * even with a search expansion of 2,048: what is missed is not reached), 32 gave 0.997 at the same expansion and
 * speed, for +128 MB; the kinds' graphs are a third of its size or less, where 16 reaches 0.99.
 */
export const CONNECTIVITY = 16;
export const COMMON_CONNECTIVITY = 32;
export const EXPANSION_ADD = 128;
export const EXPANSION_SEARCH = 256;
/** Vectors added to a graph per slice of work: ~40–80 ms on 2 cores. */
const SLICE = 256;
/** Changes not yet in the graphs are searched exactly; past this many, they are added before answering. */
const SAVE_AFTER = 20_000;
/** 2: the common graph, the kinds without a graph of their own, each segment's kind in the map. */
const SIDECAR_VERSION = 2;

/** A graph of the index: every vector, or one kind's. */
type GraphKey = ItemKind | 'all';
const GRAPH_KEYS: readonly GraphKey[] = ['all', ...ITEM_KINDS];
/** A segment's kind in the map: 1 + its place in ITEM_KINDS; 0: none. */
const kindCode = (kind: ItemKind): number => ITEM_KINDS.indexOf(kind) + 1;

interface Sidecar {
  readonly version: number;
  readonly state: 'building' | 'saved';
  readonly seq: number;
  readonly dimensions: number;
  /** Which space: ids are reused after a space is dropped, its creation time is not. */
  readonly space: string;
  /** The kinds with no graph of their own, searched in the common graph. */
  readonly shared?: readonly ItemKind[];
  /** The saved map names no removed segment (removals clear it since this was written); absent: cleaned at load. */
  readonly mapClean?: boolean;
}

export interface AnnCandidate {
  readonly segmentId: number;
  readonly distance: number; // approximate (8-bit) cosine distance, or exact for changes not yet in a graph
}

export interface AnnProgress {
  readonly state: 'building' | 'ready';
  readonly done: number;
  readonly total: number;
}

function newGraph(dimensions: number, key: GraphKey): Index {
  return new usearch.Index({
    dimensions,
    metric: usearch.MetricKind.Cos,
    quantization: usearch.ScalarKind.I8,
    connectivity: key === 'all' ? COMMON_CONNECTIVITY : CONNECTIVITY,
    expansion_add: EXPANSION_ADD,
    expansion_search: EXPANSION_SEARCH,
    multi: false,
  });
}


export class SpaceAnn {
  private readonly graphs = new Map<GraphKey, Index>();
  /** The kinds that held a quarter of the vectors or more at the build: no graph of their own (the file's head). */
  private shared = new Set<ItemKind>();
  /** Vectors in the graphs by kind code (see kindCode), for a kind's share of the common graph. */
  private readonly counts = new Float64Array(ITEM_KINDS.length + 1);
  /** Vectors written since the graphs last took some in: searched exactly, moved into the graphs slice by slice. */
  private readonly pending = new Map<number, { kind: ItemKind; itemId: number; vector: Float32Array }>();
  /**
   * Beside the graphs, for rescoring without SQLite: each segment's vector in 16-bit fixed point in a file
   * (`space-<id>.vec`, append-only slots of 2 bytes per dimension, read with one pread each, ~3 µs from the page cache),
   * `slotOf[segment]` (slot + 1; 0: none) and `itemOf[segment]`. A B-tree read of the same vector in a 5 GB library
   * cost ~45 µs (KNN p50 12 ms at a million before this, see BENCHMARKS.md). [Note: ann]
   */
  private slotOf = new Int32Array(1024);
  private itemOf = new Int32Array(1024);
  private kindOf = new Uint8Array(1024);
  private slots = 0;
  private vecFd: number | null = null;
  private readonly scratch: Buffer;
  /** The last log row applied (read into `pending`, or removed). */
  private seq = 0;
  private state: 'building' | 'ready' = 'building';
  /** During a build: the last segment id read from SQLite. */
  private cursor = 0;
  private built = 0;
  private total = 0;
  private changedSinceSave = 0;

  private readonly identity: string;

  private constructor(
    private readonly store: Store,
    readonly spaceId: number,
    readonly dimensions: number,
    private readonly dir: string,
  ) {
    const row = store.db.prepare<[number], { model_id: string; revision: string; created_at: number }>('SELECT model_id, revision, created_at FROM spaces WHERE id = ?').get(spaceId);
    this.identity = row ? `${row.model_id}@${row.revision}/${row.created_at}` : String(spaceId);
    this.scratch = Buffer.alloc(dimensions * 2);
  }

  private get vecPath(): string {
    return join(this.dir, `space-${this.spaceId}.vec`);
  }

  private get mapPath(): string {
    return join(this.dir, `space-${this.spaceId}.map`);
  }

  private grow(id: number): void {
    if (id < this.slotOf.length) return;
    let n = this.slotOf.length;
    while (n <= id) n *= 2;
    const slots = new Int32Array(n);
    slots.set(this.slotOf);
    const items = new Int32Array(n);
    items.set(this.itemOf);
    const kinds = new Uint8Array(n);
    kinds.set(this.kindOf);
    this.slotOf = slots;
    this.itemOf = items;
    this.kindOf = kinds;
  }

  /** Keeps a segment's vector and item beside the graphs (a new slot each time: slots are never overwritten). */
  private keep(batch: readonly { id: number; kind: ItemKind; itemId: number; vector: Float32Array }[]): void {
    if (batch.length === 0) return;
    this.vecFd ??= openSync(this.vecPath, 'a+', 0o600);
    const bytes = this.dimensions * 2;
    const out = Buffer.alloc(bytes * batch.length);
    batch.forEach((b, i) => {
      toQ15(b.vector).copy(out, i * bytes);
      this.grow(b.id);
      this.slotOf[b.id] = this.slots + i + 1;
      if (this.itemOf[b.id] !== 0) this.counts[this.kindOf[b.id]!]!--; // kept again: counted once
      this.itemOf[b.id] = b.itemId;
      this.kindOf[b.id] = kindCode(b.kind);
      this.counts[this.kindOf[b.id]!]!++;
    });
    writeSync(this.vecFd, out, 0, out.length, this.slots * bytes);
    this.slots += batch.length;
  }

  /** The item of a segment in the graphs (0: unknown). */
  itemOfSegment(id: number): number {
    const p = this.pending.get(id);
    if (p) return p.itemId;
    return id < this.itemOf.length ? this.itemOf[id]! : 0;
  }

  /**
   * The k nearest segments of a list of items, every one of their segments scored from the copy beside the graphs.
   * [Note: ann] The segments are found in memory, not in SQLite: a pass over `itemOf` with the items as a bitmap
   * (~2 ms at a million segments) took the place of a lookup of the items' segments by a JSON list (~14 ms for 10k
   * items), and reads the copy in slot order: 10k items at 100k, 33 → 16 ms. A removed segment's item is cleared
   * (and a map saved before that was so is cleaned at load, see `mapClean`); asking the graphs instead whether they
   * still hold each segment cost 30 ms for 10k.
   */
  nearestOfItems(query: Float32Array, k: number, items: ReadonlySet<number>, excludeItemId?: number): { segmentId: number; itemId: number; distance: number }[] {
    const out: { segmentId: number; itemId: number; distance: number }[] = [];
    if (items.size === 0) return out;
    let max = 0;
    for (const id of items) if (id > max) max = id;
    const member = new Uint8Array(max + 1);
    for (const id of items) if (id > 0 && id !== excludeItemId) member[id] = 1;
    const n = Math.min(this.itemOf.length, this.slotOf.length);
    for (let s = 1; s < n; s++) {
      const item = this.itemOf[s]!;
      if (item === 0 || item > max || member[item] === 0 || this.slotOf[s] === 0 || this.pending.has(s)) continue;
      const score = this.score(s, query);
      if (score !== null) out.push({ segmentId: s, itemId: item, distance: 1 - score });
    }
    for (const [s, p] of this.pending) if (p.itemId <= max && member[p.itemId] === 1) out.push({ segmentId: s, itemId: p.itemId, distance: 1 - dot(p.vector, query) });
    out.sort((a, b) => a.distance - b.distance);
    return out.slice(0, k);
  }

  /** A segment's cosine with a unit query, from the copy beside the graphs (no copy made); null when it is not there. */
  score(id: number, query: Float32Array): number | null {
    const p = this.pending.get(id);
    if (p) return dot(p.vector, query);
    const slot = id < this.slotOf.length ? this.slotOf[id]! - 1 : -1;
    if (slot < 0 || this.vecFd === null) return null;
    const bytes = this.dimensions * 2;
    if (readSync(this.vecFd, this.scratch, 0, bytes, slot * bytes) !== bytes) return null;
    return dotQ15(this.scratch, query);
  }

  private get sidecarPath(): string {
    return join(this.dir, `space-${this.spaceId}.json`);
  }

  private graphPath(key: GraphKey): string {
    return join(this.dir, `space-${this.spaceId}-${key}.usearch`);
  }

  /** The saved index when it is whole and the log still reaches back to it; else a build, when building is allowed. */
  static open(store: Store, spaceId: number, dimensions: number, dir: string, build: boolean): SpaceAnn | null {
    const ann = new SpaceAnn(store, spaceId, dimensions, dir);
    if (ann.load()) return ann;
    if (!build) return null;
    ann.startBuild();
    return ann;
  }

  private load(): boolean {
    let sidecar: Sidecar;
    try {
      sidecar = JSON.parse(readFileSync(this.sidecarPath, 'utf8')) as Sidecar;
    } catch {
      return false;
    }
    if (sidecar.version !== SIDECAR_VERSION || sidecar.state !== 'saved' || sidecar.dimensions !== this.dimensions || sidecar.space !== this.identity) return false;
    // A log behind the saved index: the database is not the one the index was built from (a backup put back).
    const last = this.store.db.prepare<[], { s: number | null }>("SELECT seq AS s FROM sqlite_sequence WHERE name = 'ann_log'").get()?.s ?? 0;
    if (last < sidecar.seq) return false;
    try {
      for (const key of GRAPH_KEYS) {
        const path = this.graphPath(key);
        if (!existsSync(path)) {
          if (key === 'all') throw new Error('the common graph is missing');
          continue;
        }
        const g = newGraph(this.dimensions, key);
        g.load(path);
        this.graphs.set(key, g);
      }
    } catch (error) {
      log.warn('the saved index could not be read; it is built again', { space: this.spaceId, error: (error as Error).message });
      this.graphs.clear();
      return false;
    }
    try {
      const map = readFileSync(this.mapPath);
      const n = map.readInt32LE(0);
      this.slots = map.readInt32LE(4);
      if (map.length !== 8 + n * 9) throw new Error('the map is damaged');
      const ints = new Int32Array(map.buffer.slice(map.byteOffset + 8, map.byteOffset + 8 + n * 8));
      this.slotOf = ints.slice(0, n);
      this.itemOf = ints.slice(n, 2 * n);
      this.kindOf = new Uint8Array(map.subarray(8 + n * 8, 8 + n * 9));
      if (this.slotOf.length === 0) {
        this.slotOf = new Int32Array(1024);
        this.itemOf = new Int32Array(1024);
        this.kindOf = new Uint8Array(1024);
      }
      this.vecFd = openSync(this.vecPath, 'r+');
    } catch {
      this.graphs.clear();
      return false;
    }
    if (!sidecar.mapClean) this.cleanMap();
    this.shared = new Set((sidecar.shared ?? []).filter((k) => (ITEM_KINDS as readonly string[]).includes(k)));
    for (let s = 0; s < this.kindOf.length; s++) if (this.itemOf[s] !== 0) this.counts[this.kindOf[s]!]!++;
    this.seq = sidecar.seq;
    this.state = 'ready';
    return true;
  }

  /** Clears the map's entries of segments SQLite no longer has (a map saved before removals cleared them). */
  private cleanMap(): void {
    const present = new Uint8Array(this.itemOf.length);
    const ids = this.store.db.prepare<[number], number>('SELECT id FROM segments WHERE space_id IS NULL OR space_id = ?').pluck();
    for (const id of ids.iterate(this.spaceId)) if (id < present.length) present[id] = 1;
    for (let s = 0; s < present.length; s++) if (present[s] === 0) this.itemOf[s] = 0;
  }

  private startBuild(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // First say a build is on (seq 0: nothing may be trimmed), then take the snapshot's seq: changes after it replay.
    this.writeSidecar({ version: SIDECAR_VERSION, state: 'building', seq: 0, dimensions: this.dimensions, space: this.identity });
    for (const key of GRAPH_KEYS) rmSync(this.graphPath(key), { force: true });
    for (const f of [this.vecPath, this.mapPath]) rmSync(f, { force: true });
    this.slots = 0;
    this.slotOf = new Int32Array(1024);
    this.itemOf = new Int32Array(1024);
    this.kindOf = new Uint8Array(1024);
    this.seq = this.maxSeq();
    this.shared = this.largeKinds();
    this.counts.fill(0);
    this.writeSidecar({ version: SIDECAR_VERSION, state: 'building', seq: this.seq, dimensions: this.dimensions, space: this.identity });
    this.total = this.store.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${vecTable(this.spaceId)}`).get()?.n ?? 0;
    this.state = 'building';
    log.info('building the approximate index', { space: this.spaceId, vectors: this.total });
  }

  /**
   * The kinds that hold a quarter of the space's vectors or more now: searched in the common graph. Counted among the
   * segments with a vector in this space (a photo's segment belongs to every space; one not yet embedded in this
   * one does not count): a key lookup per segment, once per build.
   */
  private largeKinds(): Set<ItemKind> {
    const rows = this.store.db
      .prepare<[number, number], { kind: ItemKind; n: number }>(
        `SELECT i.kind, count(*) AS n FROM segments s JOIN items i ON i.id = s.item_id
         WHERE (s.space_id IS NULL OR s.space_id = ?)
           AND EXISTS (SELECT 1 FROM vectors_q15 q WHERE q.segment_id = s.id AND q.space_id = ?)
         GROUP BY i.kind`,
      )
      .all(this.spaceId, this.spaceId);
    const total = rows.reduce((n, r) => n + r.n, 0);
    return new Set(rows.filter((r) => r.n * 4 >= total).map((r) => r.kind));
  }

  private maxSeq(): number {
    return this.store.db.prepare<[number], { s: number | null }>('SELECT max(seq) AS s FROM ann_log WHERE space_id = ?').get(this.spaceId)!.s ?? 0;
  }

  private writeSidecar(s: Sidecar): void {
    const tmp = `${this.sidecarPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(s), { mode: 0o600 });
    renameSync(tmp, this.sidecarPath);
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  progress(): AnnProgress {
    return { state: this.state, done: this.state === 'ready' ? this.size() : this.built, total: this.state === 'ready' ? this.size() : this.total };
  }

  size(): number {
    return this.pending.size + (this.graphs.get('all')?.size() ?? 0);
  }

  /** Reads the log rows written since the last look: removals now, additions into `pending` with their vectors. */
  sync(): void {
    const rows = this.store.db
      .prepare<[number, number], { seq: number; segment_id: number; kind: ItemKind | null; added: number }>(
        'SELECT seq, segment_id, kind, added FROM ann_log WHERE space_id = ? AND seq > ? ORDER BY seq LIMIT 100000',
      )
      .all(this.spaceId, this.seq);
    if (rows.length === 0) return;
    const added: { id: number; kind: ItemKind }[] = [];
    for (const r of rows) {
      if (r.added) added.push({ id: r.segment_id, kind: r.kind ?? 'photo' });
      else {
        this.pending.delete(r.segment_id);
        for (const g of this.graphs.values()) if (g.contains(BigInt(r.segment_id))) g.remove(BigInt(r.segment_id));
        if (r.segment_id < this.itemOf.length) {
          if (this.itemOf[r.segment_id] !== 0) this.counts[this.kindOf[r.segment_id]!]!--;
          this.itemOf[r.segment_id] = 0; // no longer one of its item's
          this.kindOf[r.segment_id] = 0;
        }
        const i = added.findIndex((a) => a.id === r.segment_id);
        if (i >= 0) added.splice(i, 1);
      }
      this.seq = r.seq;
    }
    const vectors = this.store.spaces.vectors(this.spaceId, added.map((a) => a.id));
    const items = this.itemsOf(added.map((a) => a.id));
    for (const a of added) {
      const v = vectors.get(a.id);
      const itemId = items.get(a.id);
      if (v && v.length === this.dimensions && itemId !== undefined) this.pending.set(a.id, { kind: a.kind, itemId, vector: v });
    }
    this.changedSinceSave += rows.length;
  }

  private itemsOf(ids: readonly number[]): Map<number, number> {
    if (ids.length === 0) return new Map();
    const rows = this.store.db
      .prepare<[string], { id: number; itemId: number }>('SELECT id, item_id AS itemId FROM segments WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids));
    return new Map(rows.map((r) => [r.id, r.itemId]));
  }

  /** One slice of background work; false when there is nothing left to do. */
  step(): boolean {
    if (this.state === 'building') return this.buildSlice();
    if (this.pending.size === 0) return false;
    const slice = [...this.pending.entries()].slice(0, SLICE);
    this.addToGraphs(slice.map(([id, p]) => ({ id, kind: p.kind, itemId: p.itemId, vector: p.vector })));
    for (const [id] of slice) this.pending.delete(id);
    return this.pending.size > 0;
  }

  private buildSlice(): boolean {
    const rows = this.store.db
      .prepare<[number, number, number], { id: number; kind: ItemKind; itemId: number }>(
        `SELECT s.id, i.kind, s.item_id AS itemId FROM segments s JOIN items i ON i.id = s.item_id
         WHERE (s.space_id IS NULL OR s.space_id = ?) AND s.id > ? ORDER BY s.id LIMIT ?`,
      )
      .all(this.spaceId, this.cursor, SLICE);
    if (rows.length === 0) {
      this.state = 'ready';
      this.save();
      log.info('the approximate index is built', { space: this.spaceId, vectors: this.size() });
      return this.pending.size > 0;
    }
    this.cursor = rows[rows.length - 1]!.id;
    const vectors = this.store.spaces.vectors(this.spaceId, rows.map((r) => r.id));
    const batch = rows.flatMap((r) => {
      const v = vectors.get(r.id);
      // Written after the snapshot: the log brings it (with `pending`), so it is not added twice.
      return v && v.length === this.dimensions && !this.pending.has(r.id) ? [{ id: r.id, kind: r.kind, itemId: r.itemId, vector: v }] : [];
    });
    this.addToGraphs(batch);
    this.built += batch.length;
    return true;
  }

  private addToGraphs(batch: readonly { id: number; kind: ItemKind; itemId: number; vector: Float32Array }[]): void {
    this.keep(batch);
    for (const key of GRAPH_KEYS) {
      if (key !== 'all' && this.shared.has(key)) continue; // in the common graph only
      const mine = key === 'all' ? batch : batch.filter((b) => b.kind === key);
      if (mine.length === 0) continue;
      let g = this.graphs.get(key);
      if (!g) this.graphs.set(key, (g = newGraph(this.dimensions, key)));
      const fresh = mine.filter((b) => !g.contains(BigInt(b.id)));
      if (fresh.length === 0) continue;
      const keys = BigUint64Array.from(fresh.map((b) => BigInt(b.id)));
      const matrix = new Float32Array(fresh.length * this.dimensions);
      fresh.forEach((b, i) => matrix.set(b.vector, i * this.dimensions));
      g.add(keys, matrix, 0);
    }
  }

  /** Whether enough has changed since the last save to write the graphs again (at a quiet moment). */
  get wantsSave(): boolean {
    return this.state === 'ready' && this.pending.size === 0 && this.changedSinceSave >= SAVE_AFTER;
  }

  /** Writes the graphs and then the sidecar that vouches for them (a crash in between leaves the old sidecar's seq). */
  save(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // What is still pending is not in the graphs: the saved seq is the last change before the first of them.
    const seq = this.pending.size ? this.seqBeforePending() : this.seq;
    this.writeSidecar({ version: SIDECAR_VERSION, state: 'building', seq: 0, dimensions: this.dimensions, space: this.identity });
    for (const key of GRAPH_KEYS) {
      const g = this.graphs.get(key);
      if (g) g.save(this.graphPath(key));
      else rmSync(this.graphPath(key), { force: true });
    }
    if (this.vecFd !== null) fsyncSync(this.vecFd);
    const n = this.slotOf.length;
    const map = Buffer.alloc(8 + n * 9);
    map.writeInt32LE(n, 0);
    map.writeInt32LE(this.slots, 4);
    Buffer.from(this.slotOf.buffer, this.slotOf.byteOffset, n * 4).copy(map, 8);
    Buffer.from(this.itemOf.buffer, this.itemOf.byteOffset, n * 4).copy(map, 8 + n * 4);
    Buffer.from(this.kindOf.buffer, this.kindOf.byteOffset, n).copy(map, 8 + n * 8);
    writeFileSync(`${this.mapPath}.tmp`, map, { mode: 0o600 });
    renameSync(`${this.mapPath}.tmp`, this.mapPath);
    this.writeSidecar({ version: SIDECAR_VERSION, state: 'saved', seq, dimensions: this.dimensions, space: this.identity, mapClean: true, shared: [...this.shared] });
    this.changedSinceSave = 0;
  }

  private seqBeforePending(): number {
    const ids = [...this.pending.keys()];
    const first = this.store.db
      .prepare<[number, string], { s: number | null }>('SELECT min(seq) AS s FROM ann_log WHERE space_id = ? AND added = 1 AND segment_id IN (SELECT value FROM json_each(?))')
      .get(this.spaceId, JSON.stringify(ids))!.s;
    return first === null ? this.seq : first - 1;
  }

  /** The log rows this index will never need again (those its saved files hold); 0 while nothing is saved. */
  watermark(): number {
    try {
      const s = JSON.parse(readFileSync(this.sidecarPath, 'utf8')) as Sidecar;
      return s.state === 'saved' ? s.seq : Math.min(s.seq, this.seq);
    } catch {
      return 0;
    }
  }

  /**
   * The `k` nearest segments of these kinds (null: every kind) by approximate distance, with the changes not yet in a
   * graph scanned exactly, and whether the graphs walked hold no more of them (asking for more finds nothing new).
   * The caller filters and rescores.
   */
  search(query: Float32Array, k: number, kinds: readonly ItemKind[] | null): { candidates: AnnCandidate[]; exhausted: boolean } {
    const wanted = kinds ?? ITEM_KINDS;
    const out: AnnCandidate[] = [];
    let exhausted = true;
    const walk = (g: Index | undefined, n: number, keep: (segmentId: number) => boolean) => {
      if (!g || g.size() === 0) return;
      const m = g.search(query, Math.min(n, g.size()), 1);
      if (n < g.size()) exhausted = false;
      for (let i = 0; i < m.keys.length; i++) {
        const key = m.keys[i]!;
        if (key === 0xffffffffffffffffn) continue; // padding when fewer were found
        const segmentId = Number(key);
        if (keep(segmentId)) out.push({ segmentId, distance: m.distances[i]! });
      }
    };
    const every = ITEM_KINDS.every((kind) => wanted.includes(kind));
    if (!every && !wanted.some((kind) => this.shared.has(kind))) {
      // Kinds with graphs of their own: each is walked for k.
      for (const kind of wanted) walk(this.graphs.get(kind), k, () => true);
    } else {
      // Every kind, or a large one among them: the common graph, asked for as many more as the other kinds would
      // take of what it finds (a large kind was a quarter of it or more when it was built).
      const all = this.graphs.get('all');
      let share = 1;
      if (!every) {
        let mine = 0;
        let total = 0;
        for (const kind of ITEM_KINDS) {
          const n = this.counts[kindCode(kind)]!;
          total += n;
          if (wanted.includes(kind)) mine += n;
        }
        share = total > 0 ? Math.max(0.05, mine / total) : 1;
      }
      const codes = new Set(wanted.map(kindCode));
      walk(all, Math.ceil(k / share), (id) => every || (id < this.kindOf.length && codes.has(this.kindOf[id]!)));
    }
    for (const [id, p] of this.pending) if (wanted.includes(p.kind)) out.push({ segmentId: id, distance: 1 - dot(query, p.vector) });
    out.sort((a, b) => a.distance - b.distance);
    return { candidates: out.slice(0, k), exhausted };
  }

  /** Forgets the index and its files (the space was dropped). */
  drop(): void {
    this.graphs.clear();
    this.pending.clear();
    this.close();
    for (const key of GRAPH_KEYS) rmSync(this.graphPath(key), { force: true });
    for (const f of [this.sidecarPath, this.vecPath, this.mapPath]) rmSync(f, { force: true });
  }

  close(): void {
    if (this.vecFd !== null) closeSync(this.vecFd);
    this.vecFd = null;
  }
}
