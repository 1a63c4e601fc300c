// Near-duplicate photos: burst shots, edits, resized and re-saved copies, exact copies. [Note: duplicates]
//
// Pairs are proposed cheaply, three ways, never all against all (at 20k photos usearch's exact all-pairs search
// took 40 s here): photos taken within DUPLICATE_WINDOW_MS of each other (bursts, edits that keep their EXIF
// time), photos whose perceptual hashes share one of four 16-bit bands (a copy resized or re-saved, whatever its
// date: two hashes within 3 bits always share a band), and files with the same bytes. A pair is a duplicate when
// both the joint space (cosine of the image vectors ≥ MIN_SIMILARITY) and the perceptual hash (≤ MAX_HASH_DISTANCE
// of 64 bits apart) say so: the first alone joins two different photos of one scene, the second alone two
// different scenes of one layout. Pairs join into groups (union-find); in each the photo to keep is the one with
// the most pixels, then the largest file, then the earliest, then the shortest path, and the reason is said.
import type { DuplicateGroup, DuplicateMember, DuplicatesResponse, ItemSummary } from '../../../shared/types.js';
import { dot } from '../collections/vectors.js';
import type { Store } from '../store/index.js';
import { toSummary, type ItemRow } from '../store/items.js';
import { hashDistance } from './phash.js';

/** Photos taken this close together are compared. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
/** At most this many later photos in the window are compared with each (a long burst). */
const WINDOW_MAX = 64;
/** A hash band shared by more photos than this says nothing (blank or uniform images) and proposes no pairs. */
const BAND_MAX = 64;
/** Cosine of the image vectors at or above which two photos may be one. */
export const MIN_SIMILARITY = 0.9;
/** Bits of 64 by which the perceptual hashes of one photo's versions may differ. */
export const MAX_HASH_DISTANCE = 14;
/** A pair this close in hash and meaning, at other pixel sizes, is the same picture resized. */
const SAME_PICTURE = { bits: 4, similarity: 0.97 };

export interface DuplicateOptions {
  readonly limit?: number;
  /** The perceptual hash of a photo indexed before hashes were kept (from its thumbnail); null when it cannot be made. */
  readonly hashOf?: (row: ItemRow) => Promise<string | null>;
}

/** What the finder keeps of each photo: a few numbers and its path, never the whole row (OCR text, metadata). */
type PhotoFacts = Pick<ItemRow, 'id' | 'taken_at' | 'hash' | 'width' | 'height' | 'size' | 'mtime' | 'rel_path'>;

interface Photo {
  readonly row: PhotoFacts;
  readonly segment: number;
  hash: string | null | undefined; // undefined: not looked for yet
}

export async function findDuplicates(store: Store, spaceId: number, options: DuplicateOptions = {}): Promise<Omit<DuplicatesResponse, 'tookMs'>> {
  // Only the columns the finder reads: at 20k photos whole rows held ~100 MB. [Note: duplicates]
  const rows = store.db
    .prepare<[number], PhotoFacts & { segment: number; phash: string | null }>(
      `SELECT i.id, i.taken_at, i.hash, i.width, i.height, i.size, i.mtime, i.rel_path, i.phash, s.id AS segment
       FROM items i JOIN segments s ON s.item_id = i.id AND s.kind = 'image'
       JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ?
       WHERE i.kind = 'photo' AND i.status = 'indexed'`,
    )
    .all(spaceId);
  const photos = new Map<number, Photo>(rows.map((r) => [r.id, { row: r, segment: r.segment, hash: r.phash ?? undefined }]));
  const hashOf = async (p: Photo): Promise<string | null> => {
    if (p.hash !== undefined) return p.hash;
    const whole = options.hashOf ? store.items.get(p.row.id) : undefined;
    p.hash = (whole && (await options.hashOf?.(whole))) ?? null;
    if (p.hash) store.db.prepare('UPDATE items SET phash = ? WHERE id = ? AND hash IS ?').run(p.hash, p.row.id, p.row.hash);
    return p.hash;
  };
  // Photos indexed before hashes were kept get theirs first (once: they are stored), so their copies are proposed.
  for (const p of photos.values()) if (p.hash === undefined) await hashOf(p);
  const pairs = candidatePairs([...photos.values()]);
  const vectors = store.spaces.vectors(spaceId, [...new Set([...pairs].flatMap(([a, b]) => [photos.get(a)!.segment, photos.get(b)!.segment]))]);
  const vectorOf = (p: Photo) => vectors.get(p.segment);

  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const [a, b] of pairs) {
    const pa = photos.get(a)!;
    const pb = photos.get(b)!;
    if (!(await isDuplicate(pa, pb, vectorOf, hashOf))) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const members = new Map<number, Photo[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    if (!members.has(root)) members.set(root, []);
    members.get(root)!.push(photos.get(id)!);
  }
  // Confirmed pairs chain (A like B, B like C) into components where the ends need not look alike at all: each
  // component is cut into groups around the photo to keep, each member a duplicate of it, the rest grouped again.
  // On /usr/share/icons (4,861 icons) the chains made one group of 1,054 unrelated symbolic icons.
  const grouped: Photo[][] = [];
  for (const component of members.values()) {
    let rest = [...component].sort(keepFirst);
    while (rest.length > 1) {
      const keep = rest[0]!;
      const group = [keep];
      const left: Photo[] = [];
      for (const p of rest.slice(1)) ((await isDuplicate(keep, p, vectorOf, hashOf)) ? group : left).push(p);
      if (group.length > 1) grouped.push(group);
      rest = left;
    }
  }
  const summaries = new Map(store.items.many(grouped.flat().map((p) => p.row.id)).map((r) => [r.id, toSummary(r)]));
  const groups: DuplicateGroup[] = [];
  for (const group of grouped) {
    const present = group.filter((p) => summaries.has(p.row.id)); // gone since: left out
    if (present.length > 1) groups.push(await describe(present, summaries, vectorOf, hashOf));
  }
  // What frees the most space first; then the newest.
  const freed = (g: DuplicateGroup) => g.members.filter((m) => m.relation !== 'keep').reduce((n, m) => n + m.item.size, 0);
  groups.sort((a, b) => freed(b) - freed(a) || (b.members[0]!.item.takenAt ?? 0) - (a.members[0]!.item.takenAt ?? 0));
  return { groups: groups.slice(0, options.limit ?? 100), total: groups.length, photos: photos.size };
}

/** The pairs worth comparing: near in time, sharing a hash band, or the same bytes (smaller id first). */
export function candidatePairs(photos: readonly Photo[]): Set<[number, number]> {
  const seen = new Set<string>();
  const out = new Set<[number, number]>();
  const add = (a: number, b: number) => {
    if (a === b) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    const key = `${x}:${y}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.add([x, y]);
  };
  const timed = photos.filter((p) => p.row.taken_at !== null).sort((a, b) => a.row.taken_at! - b.row.taken_at!);
  for (let i = 0; i < timed.length; i++) {
    for (let j = i + 1; j < timed.length && j <= i + WINDOW_MAX && timed[j]!.row.taken_at! - timed[i]!.row.taken_at! <= DUPLICATE_WINDOW_MS; j++) {
      add(timed[i]!.row.id, timed[j]!.row.id);
    }
  }
  const groups = new Map<string, number[]>();
  const group = (key: string, id: number) => {
    const list = groups.get(key);
    if (list) list.push(id);
    else groups.set(key, [id]);
  };
  for (const p of photos) {
    if (p.row.hash) group(`bytes:${p.row.hash}`, p.row.id);
    if (p.hash) for (let band = 0; band < 4; band++) group(`${band}:${p.hash.slice(band * 4, band * 4 + 4)}`, p.row.id);
  }
  for (const [key, ids] of groups) {
    if (ids.length < 2 || (ids.length > BAND_MAX && !key.startsWith('bytes:'))) continue;
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) add(ids[i]!, ids[j]!);
  }
  return out;
}

async function isDuplicate(a: Photo, b: Photo, vectorOf: (p: Photo) => Float32Array | undefined, hashOf: (p: Photo) => Promise<string | null>): Promise<boolean> {
  if (a.row.hash !== null && a.row.hash === b.row.hash) return true; // the same bytes
  const va = vectorOf(a);
  const vb = vectorOf(b);
  if (!va || !vb || dot(va, vb) < MIN_SIMILARITY) return false;
  const [ha, hb] = [await hashOf(a), await hashOf(b)];
  return ha !== null && hb !== null && hashDistance(ha, hb) <= MAX_HASH_DISTANCE;
}

const pixels = (p: Photo) => (p.row.width ?? 0) * (p.row.height ?? 0);

/** The photo to keep first: the most pixels, then the largest file, then the earliest, then the shortest path. */
const keepFirst = (a: Photo, b: Photo) =>
  pixels(b) - pixels(a) || b.row.size - a.row.size || a.row.mtime - b.row.mtime || a.row.rel_path.length - b.row.rel_path.length || a.row.id - b.row.id;

/** A group with the photo to keep first, the reason, and how each other one relates to it. */
async function describe(
  group: Photo[],
  summaries: ReadonlyMap<number, ItemSummary>,
  vectorOf: (p: Photo) => Float32Array | undefined,
  hashOf: (p: Photo) => Promise<string | null>,
): Promise<DuplicateGroup> {
  const sorted = [...group].sort(keepFirst);
  const keep = sorted[0]!;
  const next = sorted[1]!;
  const why =
    pixels(keep) > pixels(next)
      ? `most pixels (${keep.row.width} × ${keep.row.height})`
      : keep.row.size > next.row.size
        ? 'largest file at the same size (least compressed)'
        : keep.row.mtime < next.row.mtime
          ? 'earliest file (the others look like copies of it)'
          : 'shortest path';
  const keepHash = await hashOf(keep);
  const kv = vectorOf(keep);
  const members: DuplicateMember[] = [];
  for (const p of sorted) {
    if (p === keep) {
      members.push({ item: summaries.get(p.row.id)!, relation: 'keep', similarity: 1, difference: 0 });
      continue;
    }
    const v = vectorOf(p);
    const h = await hashOf(p);
    const similarity = kv && v ? Math.round(dot(kv, v) * 1000) / 1000 : null;
    const difference = keepHash && h ? hashDistance(keepHash, h) : null;
    const relation =
      p.row.hash !== null && p.row.hash === keep.row.hash
        ? 'copy'
        : pixels(p) !== pixels(keep) && difference !== null && difference <= SAME_PICTURE.bits && (similarity ?? 0) >= SAME_PICTURE.similarity
          ? 'resized'
          : 'similar';
    members.push({ item: summaries.get(p.row.id)!, relation, similarity, difference });
  }
  return { keep: keep.row.id, why, members };
}
