// Events from the merged timeline: the pure algorithm behind collections. [Note: collections]
//
//  1. Seeds are photos whose time of day is known (EXIF, or a time in the file's name). Sorted by time, a gap is a
//     boundary when its logarithm exceeds the mean logarithm of the gaps around it (TOC_WINDOW on each side) by
//     TOC_K — PhotoTOC's adaptive threshold (Platt et al. 2003): a 40-minute pause splits a burst of shots taken a
//     minute apart, and does not split a day of shots taken an hour apart. Gaps under MIN_SPLIT_GAP never split,
//     gaps over MAX_GAP always do.
//  2. Split by place (consecutive photos far apart after a pause) and by meaning (the two sides of a pause as
//     unrelated as random photos); join neighbours a short gap apart that are at the same place, or whose photos
//     are much alike (a lunch break in one outing).
//  3. Notes and recordings (and photos dated only by day) are attached to the event their time falls in — a day,
//     for an item dated only by day — when their meaning fits it better than the neighbouring events, and at least
//     as well as the median unrelated pair. A time that is only the file's modification time attaches only on
//     strong meaning.
//  4. Notes and recordings left over that were written on one day about one thing (alike in meaning) make an event.
//  5. Singletons and loose photos stay out: an event needs MIN_PHOTOS photos, or two members of different kinds,
//     or two notes or recordings of one day about one thing.
import type { ItemKind } from '../../../shared/types.js';
import { DAY, distanceM, HOUR, MEANING_Z_FLOOR, meaningStrength, type PairStats } from './evidence.js';
import { centroid, dot } from './vectors.js';

export const TOC_WINDOW = 10;
export const TOC_K = Math.log(17);
export const MIN_SPLIT_GAP = 30 * 60_000;
export const MAX_GAP = 30 * HOUR;
/** Place: a pause of an hour or more between photos this far apart starts another event. */
export const PLACE_SPLIT_M = 30_000;
/** Join: neighbours at most this far apart in time, and at the same place (GPS) or alike (z-score). */
export const JOIN_GAP = 12 * HOUR;
export const JOIN_PLACE_M = 2_000;
/** Trips: days joined across nights (gaps up to MAX_GAP) at one place (GPS within this) or alike, at most this long. */
export const TRIP_PLACE_M = 30_000;
export const MAX_TRIP_SPAN = 4 * DAY;
export const JOIN_MEANING_Z = 3;
/** Split by meaning: the two sides of a pause are this close to unrelated (z-score of their centroids). */
export const SPLIT_MEANING_Z = 1;
/**
 * Two sides are one subject when their centroids are as alike as each side's photos are to their own centroid,
 * less this margin (noise makes the two figures close for one subject; two subjects are far below: in CLIP
 * space ~0.45 against ~0.86).
 */
export const COHESION_MARGIN = 0.05;
/** Attach: how far before and after an event an item with a time of day still belongs to it. */
export const ATTACH_MARGIN = 6 * HOUR;
/** A neighbouring event takes an item away only when it fits better by this many σ of the pair's calibration. */
export const NEIGHBOUR_MARGIN = 0.5;
export const MIN_PHOTOS = 3;

export interface EventItem {
  readonly id: number;
  readonly kind: ItemKind;
  readonly t: number; // takenAt
  readonly day: boolean; // only the day is known
  readonly guessed: boolean; // the time is the file's modification time
  readonly lat: number | null;
  readonly lon: number | null;
  readonly vector: Float32Array | null;
}

export interface Member {
  readonly id: number;
  readonly role: 'event' | 'attached';
}

export interface Event {
  readonly members: readonly Member[];
  readonly start: number;
  readonly end: number;
}

export interface Stats {
  stats(a: ItemKind, b: ItemKind): PairStats;
}

interface Group {
  items: EventItem[]; // seeds, in time order
  attached: EventItem[];
}

const gapLog = (g: number) => Math.log(Math.max(g, 1000) / 1000);

/** Indices i where a new event starts at seeds[i] (PhotoTOC's adaptive threshold, bounded). */
export function boundaries(times: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  const logs = gaps.map(gapLog);
  const prefix = [0];
  for (const l of logs) prefix.push(prefix[prefix.length - 1]! + l);
  const cuts: number[] = [];
  for (let i = 0; i < gaps.length; i++) {
    const g = gaps[i]!;
    if (g < MIN_SPLIT_GAP) continue;
    if (g > MAX_GAP) {
      cuts.push(i + 1);
      continue;
    }
    const lo = Math.max(0, i - TOC_WINDOW);
    const hi = Math.min(gaps.length, i + TOC_WINDOW + 1);
    const mean = (prefix[hi]! - prefix[lo]!) / (hi - lo);
    if (logs[i]! >= TOC_K + mean) cuts.push(i + 1);
  }
  return cuts;
}

function vectorsOf(items: readonly EventItem[]): Float32Array[] {
  return items.flatMap((i) => (i.vector ? [i.vector] : []));
}

function gpsCentre(items: readonly EventItem[]): { lat: number; lon: number } | null {
  const placed = items.filter((i) => i.lat !== null && i.lon !== null);
  if (placed.length === 0) return null;
  const lats = placed.map((i) => i.lat!).sort((a, b) => a - b);
  const lons = placed.map((i) => i.lon!).sort((a, b) => a - b);
  return { lat: lats[lats.length >> 1]!, lon: lons[lons.length >> 1]! };
}

/** Splits a group where a pause separates far-apart places, or two unrelated halves. */
function split(group: EventItem[], stats: Stats): EventItem[][] {
  // By place: consecutive located photos far apart, after a pause.
  for (let i = 1; i < group.length; i++) {
    const a = group[i - 1]!;
    const b = group[i]!;
    if (b.t - a.t >= HOUR && a.lat !== null && a.lon !== null && b.lat !== null && b.lon !== null && distanceM(a.lat, a.lon, b.lat, b.lon) > PLACE_SPLIT_M) {
      return [...split(group.slice(0, i), stats), ...split(group.slice(i), stats)];
    }
  }
  // By meaning: at the longest pauses, the two sides as unrelated as random photos.
  if (group.length < 2 * MIN_PHOTOS) return [group];
  const pauses: number[] = [];
  for (let i = MIN_PHOTOS; i <= group.length - MIN_PHOTOS; i++) if (group[i]!.t - group[i - 1]!.t >= MIN_SPLIT_GAP) pauses.push(i);
  pauses.sort((x, y) => group[y]!.t - group[y - 1]!.t - (group[x]!.t - group[x - 1]!.t));
  const s = stats.stats('photo', 'photo');
  for (const i of pauses.slice(0, 3)) {
    const lv = vectorsOf(group.slice(0, i));
    const rv = vectorsOf(group.slice(i));
    const left = centroid(lv);
    const right = centroid(rv);
    if (!left || !right) continue;
    const between = dot(left, right);
    const z = (between - s.mean) / Math.max(s.std, 1e-4);
    // As unrelated as random photos, and less alike than each side is to itself: in a small library the
    // calibration's "random" pairs are partly related, so the second test keeps one subject in one piece.
    if (z < SPLIT_MEANING_Z && between < Math.min(cohesion(lv, left), cohesion(rv, right)) - COHESION_MARGIN) {
      return [...split(group.slice(0, i), stats), ...split(group.slice(i), stats)];
    }
  }
  return [group];
}

/** How alike a group's vectors are to their centroid, on average. */
function cohesion(vectors: readonly Float32Array[], c: Float32Array): number {
  let sum = 0;
  for (const v of vectors) sum += dot(v, c);
  return vectors.length ? sum / vectors.length : 1;
}

function joinable(a: EventItem[], b: EventItem[], stats: Stats): boolean {
  const gap = b[0]!.t - a[a.length - 1]!.t;
  // Across a night (up to MAX_GAP), only what is clearly one trip joins, and a trip so made stays within
  // MAX_TRIP_SPAN: days of everyday photos that look alike must not chain into a month.
  const overnight = gap > JOIN_GAP;
  if (overnight && (gap > MAX_GAP || b[b.length - 1]!.t - a[0]!.t > MAX_TRIP_SPAN)) return false;
  const pa = gpsCentre(a);
  const pb = gpsCentre(b);
  if (pa && pb) return distanceM(pa.lat, pa.lon, pb.lat, pb.lon) <= (overnight ? TRIP_PLACE_M : JOIN_PLACE_M);
  const va = vectorsOf(a);
  const vb = vectorsOf(b);
  const ca = centroid(va);
  const cb = centroid(vb);
  if (!ca || !cb) return false;
  const s = stats.stats('photo', 'photo');
  const between = dot(ca, cb);
  // Much alike for this space, or (the same day) as alike as each side is to itself (the test that holds in a
  // small library, where calibration is loose).
  const z = (between - s.mean) / Math.max(s.std, 1e-4);
  if (overnight) return z >= JOIN_MEANING_Z && between >= Math.min(cohesion(va, ca), cohesion(vb, cb)) - COHESION_MARGIN;
  return z >= JOIN_MEANING_Z || between >= Math.min(cohesion(va, ca), cohesion(vb, cb)) - COHESION_MARGIN;
}

/** The window of time an item to attach speaks for. */
function windowOf(x: EventItem): [number, number] {
  const dayStart = Math.floor(x.t / DAY) * DAY;
  return x.day ? [dayStart, dayStart + DAY] : [x.t, x.t];
}

function fit(x: EventItem, g: Group, centroids: Map<Group, Float32Array | null>): number | null {
  if (!x.vector) return null;
  let c = centroids.get(g);
  if (c === undefined) {
    c = centroid(vectorsOf(g.items));
    centroids.set(g, c);
  }
  return c ? dot(x.vector, c) : null;
}

/** Attaches an item to the event its time falls in, when its meaning fits that event best. */
function attach(x: EventItem, groups: readonly Group[], stats: Stats, centroids: Map<Group, Float32Array | null>): Group | null {
  const [from, to] = windowOf(x);
  const margin = x.day ? 0 : ATTACH_MARGIN;
  const spans = groups.map((g) => [g.items[0]!.t, g.items[g.items.length - 1]!.t] as const);
  const inside: number[] = [];
  for (let i = 0; i < groups.length; i++) if (spans[i]![0] - margin < to + (x.day ? 0 : 1) && spans[i]![1] + margin >= from) inside.push(i);
  if (inside.length === 0) return null;
  const neighbours = [inside[0]! - 1, inside[inside.length - 1]! + 1].filter((i) => i >= 0 && i < groups.length);
  const fits = inside.map((i) => ({ i, f: fit(x, groups[i]!, centroids) }));
  if (fits.every((f) => f.f === null)) return !x.guessed && inside.length === 1 ? groups[inside[0]!]! : null;
  const best = fits.filter((f) => f.f !== null).sort((a, b) => b.f! - a.f!)[0]!;
  const s = stats.stats(x.kind, 'photo');
  for (const n of neighbours) {
    const f = fit(x, groups[n]!, centroids);
    // It speaks of another event — clearly: two days of one trip fit about alike, and noise must not decide.
    if (f !== null && f > best.f! + NEIGHBOUR_MARGIN * s.std) return null;
  }
  const z = (best.f! - s.mean) / Math.max(s.std, 1e-4);
  if (x.guessed ? meaningStrength(best.f!, s) < 0.5 : z < 0) return null;
  return groups[best.i]!;
}

/** Notes and recordings of one day about one thing. */
function writingDays(left: readonly EventItem[], stats: Stats): EventItem[][] {
  const byDay = new Map<number, EventItem[]>();
  for (const x of left) {
    if (x.guessed || !x.vector) continue;
    const d = Math.floor(x.t / DAY);
    byDay.set(d, [...(byDay.get(d) ?? []), x]);
  }
  const out: EventItem[][] = [];
  for (const items of byDay.values()) {
    const pool = [...items];
    while (pool.length >= 2) {
      // Seed with the pair most alike; grow with what is alike to the group.
      let bestPair: [number, number] | null = null;
      let bestZ = -Infinity;
      for (let i = 0; i < pool.length; i++) {
        for (let j = i + 1; j < pool.length; j++) {
          const s = stats.stats(pool[i]!.kind, pool[j]!.kind);
          const z = (dot(pool[i]!.vector!, pool[j]!.vector!) - s.mean) / Math.max(s.std, 1e-4);
          if (z > bestZ) {
            bestZ = z;
            bestPair = [i, j];
          }
        }
      }
      if (!bestPair || bestZ < MEANING_Z_FLOOR) break;
      const group = [pool[bestPair[0]]!, pool[bestPair[1]]!];
      const rest = pool.filter((_, k) => k !== bestPair![0] && k !== bestPair![1]);
      const c = centroid(group.map((g) => g.vector!))!;
      const stay: EventItem[] = [];
      for (const x of rest) {
        const s = stats.stats(x.kind, 'note');
        if (meaningStrength(dot(x.vector!, c), s) > 0) group.push(x);
        else stay.push(x);
      }
      out.push(group.sort((a, b) => a.t - b.t || a.id - b.id));
      pool.length = 0;
      pool.push(...stay);
    }
  }
  return out;
}

const byTime = (a: EventItem, b: EventItem) => a.t - b.t || a.id - b.id;

/** The events among these items (any order). Deterministic: the same items give the same events. */
export function findEvents(items: readonly EventItem[], stats: Stats): Event[] {
  const seeds = items.filter((i) => i.kind === 'photo' && !i.day && !i.guessed).sort(byTime);
  const others = items.filter((i) => !(i.kind === 'photo' && !i.day && !i.guessed)).sort(byTime);

  // 1. Adaptive time gaps.
  const cuts = [0, ...boundaries(seeds.map((s) => s.t)), seeds.length];
  let groups: EventItem[][] = [];
  for (let c = 0; c + 1 < cuts.length; c++) if (cuts[c + 1]! > cuts[c]!) groups.push(seeds.slice(cuts[c], cuts[c + 1]));
  // 2. Split by place and meaning, join neighbours.
  groups = groups.flatMap((g) => split(g, stats));
  const joined: EventItem[][] = [];
  for (const g of groups) {
    const last = joined[joined.length - 1];
    if (last && joinable(last, g, stats)) joined[joined.length - 1] = [...last, ...g];
    else joined.push(g);
  }
  const full: Group[] = joined.map((g) => ({ items: g, attached: [] }));

  // 3. Attach notes, recordings and photos dated by day.
  const centroids = new Map<Group, Float32Array | null>();
  const left: EventItem[] = [];
  for (const x of others) {
    const g = attach(x, full, stats, centroids);
    if (g) g.attached.push(x);
    else if (x.kind !== 'photo') left.push(x);
  }

  // 5. Keep events, not loose photos.
  const events: Event[] = [];
  for (const g of full) {
    const kinds = new Set([...g.items, ...g.attached].map((i) => i.kind));
    const photos = g.items.length + g.attached.filter((a) => a.kind === 'photo').length;
    if (photos < MIN_PHOTOS && !(kinds.size >= 2 && g.items.length + g.attached.length >= 2)) continue;
    events.push(toEvent(g.items, g.attached));
  }
  // 4. Days of writing about one thing.
  for (const group of writingDays(left, stats)) events.push(toEvent(group, []));
  return events.sort((a, b) => a.start - b.start || a.members[0]!.id - b.members[0]!.id);
}

function toEvent(items: readonly EventItem[], attached: readonly EventItem[]): Event {
  const all = [...items, ...attached].sort(byTime);
  // A member dated only by day does not stretch the span to midnight, unless no member has a time of day.
  const timed = all.some((x) => !x.day) ? all.filter((x) => !x.day) : all;
  let start = Infinity;
  let end = -Infinity;
  for (const x of timed) {
    start = Math.min(start, x.t);
    end = Math.max(end, x.t);
  }
  return {
    members: [...items.map((i) => ({ id: i.id, role: 'event' as const })), ...attached.map((i) => ({ id: i.id, role: 'attached' as const }))],
    start,
    end,
  };
}
