// One vector per item, for links and collections: a photo's image vector, a note's or a transcript's chunks
// averaged. [Note: links] A photo's OCR text is left out: what a photo shows, not what is printed on it, places it.
import type { Statement } from 'better-sqlite3';
import type { ItemKind } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import type { ItemRow } from '../store/items.js';
import type { Placed } from './evidence.js';

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** The unit mean of some unit vectors. */
export function centroid(vectors: readonly Float32Array[]): Float32Array | null {
  const first = vectors[0];
  if (!first) return null;
  const c = new Float32Array(first.length);
  for (const v of vectors) for (let i = 0; i < c.length; i++) c[i]! += v[i]!;
  return normalise(c);
}

// An item's segment ids of one kind in a space, in order, by the (item, space, ordinal) index (left to itself the
// planner reads every shared segment by space), as plain numbers: a log of 3,000 chunks is 3,000 numbers, not
// 3,000 row objects for the collector.
const segmentStatements = new WeakMap<Store, Statement<[number, number, string], number>>();
function segmentsOf(store: Store): Statement<[number, number, string], number> {
  let stmt = segmentStatements.get(store);
  if (!stmt) {
    stmt = store.db
      .prepare<[number, number, string], number>(
        `SELECT id FROM segments INDEXED BY segments_order WHERE item_id = ? AND (space_id IS NULL OR space_id = ?) AND kind = ? ORDER BY ordinal`,
      )
      .pluck();
    segmentStatements.set(store, stmt);
  }
  return stmt;
}

/** Chunks averaged for an item's vector at most. */
export const MAX_CHUNKS = 64;

const MEANING_SEGMENTS: Readonly<Record<ItemKind, string>> = { photo: 'image', note: 'text', audio: 'transcript' };

/**
 * Item vectors kept for one run of the work after embedding (links and collections ask for the same neighbours
 * again and again: an item's candidates are its neighbours' candidates). Reading a vector from vec0 costs about as
 * much as the rest of a link together; at 2 KB a vector (512 floats) the cap holds 40 MB.
 */
export class VectorCache {
  private readonly map = new Map<number, Float32Array | null>();

  constructor(private readonly cap = 20_000) {}

  get(id: number): Float32Array | null | undefined {
    return this.map.get(id);
  }

  set(id: number, v: Float32Array | null): void {
    if (this.map.size >= this.cap) this.map.delete(this.map.keys().next().value!);
    this.map.set(id, v);
  }
}

/** Item vectors in a space, for the items that have one (a recording not yet transcribed has none). */
export function itemVectors(store: Store, spaceId: number, wanted: readonly Pick<ItemRow, 'id' | 'kind'>[], cache?: VectorCache): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  const rows = cache ? wanted.filter((r) => cache.get(r.id) === undefined) : wanted;
  if (cache) {
    for (const r of wanted) {
      const v = cache.get(r.id);
      if (v) out.set(r.id, v);
    }
  }
  if (rows.length === 0) return out;
  const byItem = new Map<number, number[]>();
  for (const r of rows) {
    const ids = segmentsOf(store).all(r.id, spaceId, MEANING_SEGMENTS[r.kind]);
    if (ids.length) byItem.set(r.id, ids);
  }
  // A long note's vector is the mean of at most MAX_CHUNKS evenly spaced chunks, summed as they are read: a
  // changelog of 10,000 chunks costs what a short note does, and never holds its chunks' vectors at once.
  for (const [id, segmentIds] of byItem) {
    const step = Math.max(1, segmentIds.length / MAX_CHUNKS);
    const picked: number[] = [];
    for (let i = 0; i < segmentIds.length && picked.length < MAX_CHUNKS; i += step) picked.push(segmentIds[Math.floor(i)]!);
    let sum: Float32Array | null = null;
    for (const segmentId of picked) {
      const v = store.spaces.vectors(spaceId, [segmentId]).get(segmentId);
      if (!v) continue;
      if (!sum) sum = picked.length === 1 ? v : new Float32Array(v.length);
      if (sum !== v) for (let i = 0; i < sum.length; i++) sum[i]! += v[i]!;
    }
    if (sum && meaningful(sum)) out.set(id, picked.length === 1 ? sum : normalise(sum));
  }
  if (cache) for (const r of rows) cache.set(r.id, out.get(r.id) ?? null);
  return out;
}

/** A vector that carries no meaning (zero or constant) never links anything. */
export function meaningful(v: Float32Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < min) min = v[i]!;
    if (v[i]! > max) max = v[i]!;
  }
  return Number.isFinite(min) && max - min > 1e-6;
}

/** The folder of an item, as evidence: root and directory. */
export function folderOf(row: Pick<ItemRow, 'root_id' | 'rel_path'>): string {
  const slash = row.rel_path.lastIndexOf('/');
  return `${row.root_id}:${slash < 0 ? '' : row.rel_path.slice(0, slash)}`;
}

/** An item row with where its time came from (migration 7). */
export type TimedRow = ItemRow & { time_source?: string | null; time_day?: number };

export function placed(row: TimedRow): Placed {
  return {
    kind: row.kind,
    takenAt: row.taken_at,
    guessed: row.time_source === 'mtime' || row.time_source === null || row.time_source === undefined,
    day: row.time_day === 1,
    latitude: row.latitude,
    longitude: row.longitude,
    folder: folderOf(row),
  };
}
