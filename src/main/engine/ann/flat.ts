// A small space's vectors in the search reader's memory, searched exactly in one pass. [Note: flat-space]
//
// A space under ANN_MIN_SEGMENTS has no approximate index, and sqlite-vec's scan keeps its best k with a cost that
// grows with k: over 8,000 vectors, k = 56 cost 0.6 ms (16 dimensions) / 3.6 ms (512), k = 896 11.3 / 15.3 ms. A
// search keeps one segment per item, so a library of long notes (dozens of near chunks each) widened k ×4 until
// enough items came up, to k = 896 and beyond, and under load searches queued behind those scans (BENCHMARKS.md,
// "Search under load"). This copy holds each vector in 16-bit fixed point (as `vectors_q15` does: cosines off by
// ~1e-4 at most) with its segment's item and kind, and a search scores every vector once, keeping each item's best
// as it goes: 20,000 × 512 in ~6 ms, whatever k is and however many segments an item has. It costs 2 bytes a
// dimension a vector (20 MB at 20,000 × 512, the most a flat space holds before the approximate index takes over).
//
// Kept in step like the approximate index: loaded from `vectors_q15` in slices between searches (searches use
// sqlite-vec until it is whole), then the rows of `ann_log` after the last it applied are read at each search.
// Dates are read from SQLite for the candidates, where they may change without a new vector (a file renamed to a
// date). If another process trimmed the log past what this copy applied (`ann_trimmed`), it is loaded again.
import type { ItemKind } from '../../../shared/types.js';
import { ITEM_KINDS } from '../../../shared/types.js';
import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/index.js';
import { MAX_K, type KnnFilter, type Neighbour } from '../store/spaces.js';

const SCALE = 32767;
/** Vectors read from SQLite per slice of loading (~12 µs each: ~25 ms a slice). */
const LOAD_SLICE = 2048;
/** Candidates whose dates or scope are tested at a time. */
const TEST_BATCH = 256;
/** Row keys pack a distance quantized to 2^-20 above a row number below 2^22. */
const ROW_BITS = 2 ** 22;
const DISTANCE_STEPS = 2 ** 20;

const kindCode = (kind: ItemKind): number => ITEM_KINDS.indexOf(kind) + 1;

export class FlatSpace {
  /** Rows in use, live or removed; a removed row's segment is 0. */
  private rows = 0;
  private removed = 0;
  private vectors: Int16Array;
  private segmentOf: Int32Array;
  private itemSlotOf: Int32Array;
  private kindOf: Uint8Array;
  private readonly rowOfSegment = new Map<number, number>();
  /** Items by a dense slot of their own, so a search keeps each item's best in a typed array. */
  private itemOfSlot: Int32Array;
  private readonly slotOfItem = new Map<number, number>();
  /** The last `ann_log` row applied. */
  private seq = 0;
  /** While loading: the last segment id read from `vectors_q15`; null once loaded. */
  private cursor: number | null = 0;
  /** Statements prepared once: `sync` runs at every search. */
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();

  private stmt<R>(sql: string): Statement<unknown[], R> {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.store.db.prepare<unknown[], unknown>(sql)));
    return s as Statement<unknown[], R>;
  }

  constructor(
    private readonly store: Store,
    readonly spaceId: number,
    private readonly dimensions: number,
    /** The vectors the space is expected to hold (its segments): room for them is made once, not by doubling. */
    expected = 0,
  ) {
    const rows = Math.max(1024, Math.ceil(expected * 1.05));
    this.vectors = new Int16Array(rows * dimensions);
    this.segmentOf = new Int32Array(rows);
    this.itemSlotOf = new Int32Array(rows);
    this.kindOf = new Uint8Array(rows);
    this.itemOfSlot = new Int32Array(1024);
    this.restart();
  }

  get ready(): boolean {
    return this.cursor === null;
  }

  /** Vectors held (removed ones not counted). */
  get size(): number {
    return this.rows - this.removed;
  }

  /** The memory the copy holds, in bytes. */
  get bytes(): number {
    return this.vectors.byteLength + this.segmentOf.byteLength * 2 + this.kindOf.byteLength + this.itemOfSlot.byteLength;
  }

  /** The last log row this copy applied: the log is kept from there on. */
  watermark(): number {
    return this.seq;
  }

  /** Drops what is held and loads again from the start (the log as it is now is the new starting point). */
  private restart(): void {
    this.rows = 0;
    this.removed = 0;
    this.rowOfSegment.clear();
    this.slotOfItem.clear();
    this.seq = this.stmt<{ s: number | null }>("SELECT seq AS s FROM sqlite_sequence WHERE name = 'ann_log'").get()?.s ?? 0;
    this.cursor = 0;
  }

  /** One slice of loading; returns whether more is left. Rows written meanwhile come again from the log (`sync`). */
  step(): boolean {
    if (this.cursor === null) return false;
    const rows = this
      .stmt<{ id: number; itemId: number; kind: ItemKind; v: Buffer }>(
        `SELECT q.segment_id AS id, s.item_id AS itemId, i.kind, q.v FROM vectors_q15 q
         JOIN segments s ON s.id = q.segment_id JOIN items i ON i.id = s.item_id
         WHERE q.space_id = ? AND q.segment_id > ? ORDER BY q.segment_id LIMIT ?`,
      )
      .all(this.spaceId, this.cursor, LOAD_SLICE);
    for (const r of rows) this.put(r.id, r.itemId, r.kind, r.v);
    if (rows.length < LOAD_SLICE) {
      this.cursor = null;
      this.sync();
      return false;
    }
    this.cursor = rows[rows.length - 1]!.id;
    return true;
  }

  /** Applies the log rows written since the last look (loaded copies only). */
  sync(): void {
    if (this.cursor !== null) return;
    const trimmed = this.stmt<{ upTo: number }>('SELECT up_to AS upTo FROM ann_trimmed WHERE space_id = ?').get(this.spaceId)?.upTo ?? 0;
    if (trimmed > this.seq) {
      // Another process trimmed rows this copy had not read: what they said is lost, so load again.
      this.restart();
      while (this.step());
      return;
    }
    for (;;) {
      const rows = this
        .stmt<{ seq: number; segment_id: number; added: number }>(
          'SELECT seq, segment_id, added FROM ann_log WHERE space_id = ? AND seq > ? ORDER BY seq LIMIT 10000',
        )
        .all(this.spaceId, this.seq);
      if (rows.length === 0) return;
      const added = new Set<number>();
      for (const r of rows) {
        if (r.added) added.add(r.segment_id);
        else {
          added.delete(r.segment_id);
          this.remove(r.segment_id);
        }
        this.seq = r.seq;
      }
      if (added.size > 0) {
        const fresh = this
          .stmt<{ id: number; itemId: number; kind: ItemKind; v: Buffer }>(
            `SELECT q.segment_id AS id, s.item_id AS itemId, i.kind, q.v FROM vectors_q15 q
             JOIN segments s ON s.id = q.segment_id JOIN items i ON i.id = s.item_id
             WHERE q.space_id = ? AND q.segment_id IN (SELECT value FROM json_each(?))`,
          )
          .all(this.spaceId, JSON.stringify([...added]));
        for (const r of fresh) this.put(r.id, r.itemId, r.kind, r.v);
      }
      if (rows.length < 10000) return;
    }
  }

  private put(segmentId: number, itemId: number, kind: ItemKind, v: Buffer): void {
    if (v.byteLength !== this.dimensions * 2) return; // not this space's shape: never searched
    let row = this.rowOfSegment.get(segmentId);
    if (row === undefined) {
      row = this.rows++;
      this.grow(this.rows);
      this.rowOfSegment.set(segmentId, row);
    }
    let slot = this.slotOfItem.get(itemId);
    if (slot === undefined) {
      slot = this.slotOfItem.size;
      if (slot >= this.itemOfSlot.length) this.itemOfSlot = grown(this.itemOfSlot, slot + 1);
      this.itemOfSlot[slot] = itemId;
      this.slotOfItem.set(itemId, slot);
    }
    this.segmentOf[row] = segmentId;
    this.itemSlotOf[row] = slot;
    this.kindOf[row] = kindCode(kind);
    // A view of the row's bytes where they are aligned for 16-bit reads (SQLite's buffers usually are), else a copy.
    const ints = v.byteOffset % 2 === 0 ? new Int16Array(v.buffer, v.byteOffset, this.dimensions) : new Int16Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    this.vectors.set(ints, row * this.dimensions);
  }

  private remove(segmentId: number): void {
    const row = this.rowOfSegment.get(segmentId);
    if (row === undefined) return;
    this.rowOfSegment.delete(segmentId);
    this.segmentOf[row] = 0;
    this.removed++;
    if (this.removed > 1024 && this.removed * 4 > this.rows) this.compact();
  }

  private grow(rows: number): void {
    if (rows <= this.segmentOf.length) return;
    const n = Math.max(rows, this.segmentOf.length * 2);
    this.segmentOf = grown(this.segmentOf, n);
    this.itemSlotOf = grown(this.itemSlotOf, n);
    this.kindOf = grown(this.kindOf, n);
    this.vectors = grown(this.vectors, n * this.dimensions);
  }

  /** Moves the live rows together when a quarter are removed ones; items without a row lose their slot. */
  private compact(): void {
    const d = this.dimensions;
    const slots = new Map<number, number>();
    let to = 0;
    for (let from = 0; from < this.rows; from++) {
      const segment = this.segmentOf[from]!;
      if (segment === 0) continue;
      const itemId = this.itemOfSlot[this.itemSlotOf[from]!]!;
      let slot = slots.get(itemId);
      if (slot === undefined) slots.set(itemId, (slot = slots.size));
      this.segmentOf[to] = segment;
      this.itemSlotOf[to] = slot;
      this.kindOf[to] = this.kindOf[from]!;
      if (to !== from) this.vectors.copyWithin(to * d, from * d, from * d + d);
      this.rowOfSegment.set(segment, to);
      to++;
    }
    this.slotOfItem.clear();
    for (const [itemId, slot] of slots) {
      this.itemOfSlot[slot] = itemId;
      this.slotOfItem.set(itemId, slot);
    }
    this.rows = to;
    this.removed = 0;
  }

  /**
   * The k nearest segments (or, with `perItem`, the k items with the nearest segments, each by its best), filtered as
   * sqlite-vec's KNN filters: kinds, an item left out, a list of items, items a phrase lets through, dates, a scope.
   */
  knn(query: Float32Array, k: number, filter: KnnFilter = {}): Neighbour[] {
    if (query.length !== this.dimensions) throw new Error(`a query of ${query.length} dimensions in a space of ${this.dimensions}`);
    k = Math.min(Math.max(1, Math.trunc(k)), MAX_K);
    const d = this.dimensions;
    let kinds = 0xff;
    if (filter.kinds && filter.kinds.length > 0) {
      kinds = 0;
      for (const kind of filter.kinds) kinds |= 1 << kindCode(kind);
    }
    // Each item's verdict, asked once: 0 not yet asked, 1 in, 2 out.
    const verdict = new Uint8Array(this.slotOfItem.size);
    const admitted = (slot: number): boolean => {
      const v = verdict[slot]!;
      if (v !== 0) return v === 1;
      const itemId = this.itemOfSlot[slot]!;
      const ok = itemId !== filter.excludeItemId && (!filter.items || filter.items.has(itemId)) && (!filter.keepItem || filter.keepItem(itemId));
      verdict[slot] = ok ? 1 : 2;
      return ok;
    };
    const q = new Float64Array(query);
    const v = this.vectors;
    const perItem = filter.perItem === true;
    // Per item: its best score and row; per segment: each row's score. Keys sort best first.
    const best = perItem ? new Float64Array(this.slotOfItem.size).fill(-Infinity) : null;
    const bestRow = perItem ? new Int32Array(this.slotOfItem.size) : null;
    const keys = new Float64Array(perItem ? this.slotOfItem.size : this.rows);
    const scores = new Float64Array(this.rows);
    let n = 0;
    for (let row = 0; row < this.rows; row++) {
      if (this.segmentOf[row] === 0 || ((kinds >> this.kindOf[row]!) & 1) === 0) continue;
      const slot = this.itemSlotOf[row]!;
      if (!admitted(slot)) continue;
      const o = row * d;
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        a += v[o + j]! * q[j]!;
        b += v[o + j + 1]! * q[j + 1]!;
        c += v[o + j + 2]! * q[j + 2]!;
        e += v[o + j + 3]! * q[j + 3]!;
      }
      for (; j < d; j++) a += v[o + j]! * q[j]!;
      const score = (a + b + c + e) / SCALE;
      scores[row] = score;
      if (best) {
        if (score > best[slot]!) {
          best[slot] = score;
          bestRow![slot] = row;
        }
      } else keys[n++] = key(score, row);
    }
    if (best) {
      for (let slot = 0; slot < best.length; slot++) if (best[slot]! > -Infinity) keys[n++] = key(best[slot]!, bestRow![slot]!);
    }
    const out: Neighbour[] = [];
    const dated = (filter.after ?? null) !== null || (filter.before ?? null) !== null;
    // Only the best candidates are put in order: the first `sorted` keys, chosen by selection (a sort of every
    // segment's key cost more than the scan at 8k × 16).
    const order = keys.subarray(0, n);
    let sorted = 0;
    for (let at = 0; at < n && out.length < k; ) {
      // Dates and a broad scope are tested for the candidates only, a batch at a time, best first.
      const batch: number[] = [];
      const size = dated || filter.passing ? Math.max(TEST_BATCH, (k - out.length) * 2) : k - out.length;
      if (at + size > sorted) {
        const upTo = Math.min(n, Math.max(at + size, sorted * 4));
        selectSmallest(order, sorted, n, upTo);
        order.subarray(sorted, upTo).sort();
        sorted = upTo;
      }
      for (; at < sorted && batch.length < size; at++) batch.push(order[at]! % ROW_BITS);
      const times = dated ? this.times(batch) : null;
      const pass = filter.passing ? filter.passing(batch.map((row) => this.segmentOf[row]!)) : null;
      for (const row of batch) {
        if (out.length >= k) break;
        const segmentId = this.segmentOf[row]!;
        const itemId = this.itemOfSlot[this.itemSlotOf[row]!]!;
        if (pass && !pass.has(segmentId)) continue;
        if (times) {
          const t = times.get(itemId) ?? null;
          if ((filter.after ?? null) !== null && (t === null || t < filter.after!)) continue;
          if ((filter.before ?? null) !== null && (t === null || t >= filter.before!)) continue;
        }
        out.push({ segmentId, itemId, distance: 1 - scores[row]! });
      }
    }
    return out;
  }

  /** The candidates' items' dates, from SQLite (null: unknown). */
  private times(rows: readonly number[]): Map<number, number | null> {
    const ids = [...new Set(rows.map((row) => this.itemOfSlot[this.itemSlotOf[row]!]!))];
    const found = this
      .stmt<{ id: number; t: number | null }>('SELECT id, taken_at AS t FROM items WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids));
    return new Map(found.map((r) => [r.id, r.t]));
  }
}

/** A sort key: the distance, quantized, above the row; ascending keys are best first. */
function key(score: number, row: number): number {
  const distance = Math.min(2, Math.max(0, 1 - score));
  return Math.round(distance * DISTANCE_STEPS) * ROW_BITS + row;
}

/**
 * Puts the smallest keys of a[from, to) first, so that a[from, m) holds the (m − from) smallest in some order:
 * Hoare's selection, expected linear time. [Note: flat-space]
 */
export function selectSmallest(a: Float64Array, from: number, to: number, m: number): void {
  let lo = from;
  let hi = to - 1;
  while (lo < hi && m > lo && m <= hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    // a[lo..j] ≤ pivot ≤ a[i..hi]: go on in the part that holds the boundary m.
    if (m <= j) hi = j;
    else if (m >= i) lo = i;
    else return;
  }
}

function grown<T extends Int16Array | Int32Array | Uint8Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(length, a.length * 2));
  b.set(a);
  return b;
}
