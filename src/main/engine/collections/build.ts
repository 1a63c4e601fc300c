// Building collections from the queue of changed times, a window at a time. [Note: collections]
//
// `collection_dirty` holds the times where items came, changed or went. A step takes the earliest, widens it to a
// window that no event can straddle (it ends in a pause longer than MAX_GAP, which always separates events, and
// covers every collection it meets), finds the events of that window (events.ts), and reconciles them with the
// collections already there — all in one transaction with the deletion of the dirty times it covered, so a kill
// loses and repeats nothing. Only the events next to new items are recomputed; a full build is the same steps
// over the whole timeline.
//
// Reconciling keeps ids: a new event takes the id of the live collection it shares most members with (at least
// half of the smaller); a collection left without its event goes, unless a person named, pinned or hid it; an
// event that matches a collection a person removed (its tombstone's members) is not made again. Items a person
// took out of a collection stay out of it; collections a person merged or split keep their members as they are.
import type { CollectionTitleSource, ItemKind } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import type { Calibration } from './calibrate.js';
import { DAY, meaningStrength } from './evidence.js';
import { findEvents, MAX_GAP, type Event, type EventItem } from './events.js';
import { CollectionsRepo, type CollectionRow, type MemberRow, type Shape } from './repo.js';
import { centroid, dot, itemVectors, type TimedRow, type VectorCache } from './vectors.js';

/** Most items one step reads (a window is cut here when no long pause comes sooner). */
export const WINDOW_ITEMS = 2000;

export interface Vocabulary {
  readonly words: readonly string[];
  readonly vectors: readonly Float32Array[];
}

export interface StepResult {
  readonly changed: number[];
  readonly removed: number[];
  readonly done: boolean;
}

interface WindowRow {
  id: number;
  kind: ItemKind;
  taken_at: number;
  time_source: string | null;
  time_day: number;
  latitude: number | null;
  longitude: number | null;
  title: string;
}

const DATE_TITLE = /^[\d\s._-]*$|^(?:IMG|PXL|VID|DSC|Screenshot)[\W_]/i;

export function formatSpan(start: number, end: number): string {
  const f = (t: number, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', ...o }).format(new Date(t));
  const a = new Date(start);
  const b = new Date(end);
  if (a.getUTCFullYear() !== b.getUTCFullYear()) return `${f(start, { day: 'numeric', month: 'short', year: 'numeric' })} – ${f(end, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  if (a.getUTCMonth() !== b.getUTCMonth()) return `${f(start, { day: 'numeric', month: 'short' })} – ${f(end, { day: 'numeric', month: 'short', year: 'numeric' })}`;
  if (a.getUTCDate() !== b.getUTCDate()) return `${a.getUTCDate()}–${f(end, { day: 'numeric', month: 'long', year: 'numeric' })}`;
  return f(start, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

export class CollectionBuilder {
  readonly repo: CollectionsRepo;

  constructor(
    private readonly store: Store,
    private readonly spaceId: number,
    private readonly calibration: Calibration,
    private readonly vocabulary: Vocabulary | null,
    private readonly cache?: VectorCache,
  ) {
    this.repo = new CollectionsRepo(store);
  }

  private rowsBetween(from: number, to: number, limit: number): WindowRow[] {
    return this.store.db
      .prepare<[number, number, number], WindowRow>(
        `SELECT id, kind, taken_at, time_source, time_day, latitude, longitude, title FROM items INDEXED BY items_by_time
         WHERE status = 'indexed' AND taken_at IS NOT NULL AND taken_at BETWEEN ? AND ? ORDER BY taken_at DESC, id DESC LIMIT ?`,
      )
      .all(from, to, limit);
  }

  private countBetween(from: number, to: number): number {
    return this.store.db
      .prepare<[number, number, number], { n: number }>(
        `SELECT count(*) AS n FROM (SELECT 1 FROM items INDEXED BY items_by_time WHERE status = 'indexed' AND taken_at BETWEEN ? AND ? LIMIT ?)`,
      )
      .get(from, to, WINDOW_ITEMS)!.n;
  }

  /** Times of up to `limit` items beyond t, nearest first. */
  private timesBeyond(t: number, dir: 'before' | 'after', limit: number): number[] {
    const sql =
      dir === 'before'
        ? `SELECT taken_at FROM items INDEXED BY items_by_time WHERE status = 'indexed' AND taken_at < ? ORDER BY taken_at DESC LIMIT ?`
        : `SELECT taken_at FROM items INDEXED BY items_by_time WHERE status = 'indexed' AND taken_at > ? ORDER BY taken_at ASC LIMIT ?`;
    return this.store.db.prepare<[number, number], number>(sql).pluck().all(t, limit);
  }

  private edge(from: number, to: number, dir: 'min' | 'max'): number | null {
    return this.store.db.prepare<[number, number], number | null>(`SELECT ${dir}(taken_at) FROM items INDEXED BY items_by_time WHERE status = 'indexed' AND taken_at BETWEEN ? AND ?`).pluck().get(from, to) ?? null;
  }

  /**
   * Widens [at - 1 day, at + 1 day] to take the dirty times close by and every collection it meets, then to both
   * sides until a pause longer than MAX_GAP (events never straddle one), within WINDOW_ITEMS items.
   */
  private window(at: number): [number, number] {
    let from = at - DAY;
    let to = at + DAY;
    for (let grew = true; grew; ) {
      grew = false;
      const more = this.repo.dirtyIn(to, to + 2 * DAY);
      const last = more[more.length - 1];
      if (last !== undefined && last + DAY > to && this.countBetween(from, last + DAY) < WINDOW_ITEMS) {
        to = last + DAY;
        grew = true;
      }
      for (const c of this.repo.overlapping(from, to, 'live')) {
        if (c.start < from) {
          from = c.start - 1;
          grew = true;
        }
        if (c.end > to) {
          to = c.end + 1;
          grew = true;
        }
      }
    }
    const budget = Math.max(0, WINDOW_ITEMS - this.countBetween(from, to));
    let edge = this.edge(from, to, 'min') ?? from;
    for (const t of this.timesBeyond(from, 'before', budget >> 1)) {
      if (edge - t > MAX_GAP) break;
      edge = t;
    }
    from = Math.min(from, edge);
    edge = this.edge(from, to, 'max') ?? to;
    for (const t of this.timesBeyond(to, 'after', budget >> 1)) {
      if (t - edge > MAX_GAP) break;
      edge = t;
    }
    to = Math.max(to, edge);
    return [from, to];
  }

  /** One window: recompute its events and reconcile them. Call inside a write transaction. */
  step(): StepResult {
    const at = this.repo.dirtyFirst();
    if (at === null) return { changed: [], removed: [], done: true };
    const [from, to] = this.window(at);
    const frozen = this.repo.frozenItems();
    const rows = this.rowsBetween(from, to, WINDOW_ITEMS * 2).filter((r) => !frozen.has(r.id));
    const vectors = itemVectors(this.store, this.spaceId, rows, this.cache);
    const items: EventItem[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      t: r.taken_at,
      day: r.time_day === 1,
      guessed: r.time_source === 'mtime' || r.time_source === null,
      lat: r.latitude,
      lon: r.longitude,
      vector: vectors.get(r.id) ?? null,
    }));
    const byId = new Map(items.map((i) => [i.id, i]));
    const titles = new Map(rows.map((r) => [r.id, r.title]));
    const events = findEvents(items, this.calibration);
    const result = this.reconcile(events, from, to, byId, titles);
    this.repo.clearDirty(from, to);
    return { ...result, done: false };
  }

  private reconcile(events: readonly Event[], from: number, to: number, byId: Map<number, EventItem>, titles: Map<number, string>): { changed: number[]; removed: number[] } {
    const changed: number[] = [];
    const removed: number[] = [];
    const live = this.repo.overlapping(from, to, 'live').filter((c) => c.edited === 0);
    const liveMembers = new Map(live.map((c) => [c.id, this.repo.members(c.id)]));
    const pairs: { e: number; c: CollectionRow; shared: number }[] = [];
    events.forEach((ev, e) => {
      const ids = new Set(ev.members.map((m) => m.id));
      for (const c of live) {
        const members = liveMembers.get(c.id)!.filter((m) => m.role !== 'added');
        const shared = members.filter((m) => ids.has(m.item_id)).length;
        if (shared > 0 && shared * 2 >= Math.min(ids.size, Math.max(1, members.length))) pairs.push({ e, c, shared });
      }
    });
    pairs.sort((a, b) => b.shared - a.shared || a.c.id - b.c.id || a.e - b.e);
    const eventOf = new Map<number, CollectionRow>();
    const taken = new Set<number>();
    for (const p of pairs) {
      if (eventOf.has(p.e) || taken.has(p.c.id)) continue;
      eventOf.set(p.e, p.c);
      taken.add(p.c.id);
    }
    const tombstones = this.repo.overlapping(from - DAY, to + DAY, 'removed');
    const tombSets = tombstones.map((t) => new Set(JSON.parse(t.signature) as number[]));

    events.forEach((ev, e) => {
      const c = eventOf.get(e);
      const signature = ev.members.map((m) => m.id);
      if (c) {
        const excluded = this.repo.exclusions(c.id);
        const added = liveMembers.get(c.id)!.filter((m) => m.role === 'added' && !excluded.has(m.item_id));
        const members: MemberRow[] = [...ev.members.filter((m) => !excluded.has(m.id)).map((m) => ({ item_id: m.id, role: m.role })), ...added];
        this.repo.setMembers(c.id, members);
        this.repo.reshape(c.id, this.shape(members, byId, titles, c), signature);
        changed.push(c.id);
        return;
      }
      const ids = new Set(signature);
      const dead = tombSets.some((t) => {
        let shared = 0;
        for (const id of t) if (ids.has(id)) shared++;
        return shared > 0 && shared * 2 >= Math.min(ids.size, t.size);
      });
      if (dead) return; // a person removed this event: never made again
      const members: MemberRow[] = ev.members.map((m) => ({ item_id: m.id, role: m.role }));
      changed.push(this.repo.create(this.shape(members, byId, titles, null), members, signature));
    });
    for (const c of live) {
      if (taken.has(c.id)) continue;
      // Its event is gone (its items deleted, or now part of another). What a person named, pinned or hid stays,
      // with the members it still has, fixed from now on.
      const left = this.repo.members(c.id);
      if ((c.user_title !== null || c.pinned === 1 || c.hidden === 1) && left.length > 0) {
        this.repo.setMembers(c.id, left.map((m) => ({ ...m, role: 'added' })));
        this.repo.edit(c.id, { edited: true });
        this.reshapeStored(c.id);
        changed.push(c.id);
      } else {
        this.repo.drop(c.id);
        removed.push(c.id);
      }
    }
    return { changed, removed };
  }

  /** Title, cover, span and counts of a collection from its members. */
  shape(members: readonly MemberRow[], byId: Map<number, EventItem>, titles: Map<number, string>, row: CollectionRow | null): Shape {
    const items = members.map((m) => byId.get(m.item_id)).filter((x): x is EventItem => x !== undefined);
    const counts = { photo: 0, note: 0, audio: 0 };
    let start = Infinity;
    let end = -Infinity;
    const timed = items.some((x) => !x.day) ? items.filter((x) => !x.day) : items;
    for (const x of items) counts[x.kind]++;
    for (const x of timed) {
      start = Math.min(start, x.t);
      end = Math.max(end, x.t);
    }
    if (!Number.isFinite(start)) {
      start = row?.start ?? 0;
      end = row?.end ?? 0;
    }
    const photos = items.filter((x) => x.kind === 'photo' && x.vector);
    const c = centroid(photos.map((p) => p.vector!));
    let coverId: number | null = items.find((x) => x.kind === 'photo')?.id ?? null;
    if (c) {
      let best = -Infinity;
      for (const p of photos) {
        const s = dot(p.vector!, c);
        if (s > best) {
          best = s;
          coverId = p.id;
        }
      }
    }
    const { title, source } = this.title(items, c ?? centroid(items.flatMap((x) => (x.vector ? [x.vector] : []))), titles, start, end, row);
    return { title, titleSource: source, start, end, coverId, counts };
  }

  private title(items: readonly EventItem[], c: Float32Array | null, titles: Map<number, string>, start: number, end: number, row: CollectionRow | null): { title: string; source: CollectionTitleSource } {
    if (row?.user_title) return { title: row.user_title, source: 'user' };
    // A journal note's title: the note dated in the event whose meaning is nearest its photos.
    const notes = items.filter((x) => x.kind === 'note' && !x.guessed && !DATE_TITLE.test(titles.get(x.id) ?? ''));
    if (notes.length) {
      const best = c ? [...notes].sort((a, b) => (b.vector ? dot(b.vector, c) : -2) - (a.vector ? dot(a.vector, c) : -2))[0]! : notes[0]!;
      const t = titles.get(best.id);
      if (t) return { title: t, source: 'note' };
    }
    // The words nearest its centroid, when they stand out (calibrated like any text against photos).
    if (c && this.vocabulary && this.vocabulary.words.length) {
      const s = this.calibration.stats('note', 'photo');
      const scored = this.vocabulary.vectors.map((v, i) => ({ w: this.vocabulary!.words[i]!, s: dot(v, c) })).sort((a, b) => b.s - a.s);
      const strong = scored.filter((x) => meaningStrength(x.s, s) > 0).slice(0, 2);
      if (strong.length) {
        const words = strong.map((x) => x.w);
        const text = words.join(' and ');
        return { title: text.charAt(0).toUpperCase() + text.slice(1), source: 'words' };
      }
    }
    return { title: formatSpan(start, end), source: 'date' };
  }

  /** Recomputes a stored collection's shape from its members as they are (after a person's edit). */
  reshapeStored(id: number): void {
    const row = this.repo.get(id);
    if (!row) return;
    const members = this.repo.members(id);
    const rows = this.store.items.many(members.map((m) => m.item_id)) as TimedRow[];
    const vectors = itemVectors(this.store, this.spaceId, rows);
    const byId = new Map<number, EventItem>(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          kind: r.kind,
          t: r.taken_at ?? r.mtime,
          day: r.time_day === 1,
          guessed: r.time_source === 'mtime' || !r.time_source,
          lat: r.latitude,
          lon: r.longitude,
          vector: vectors.get(r.id) ?? null,
        },
      ]),
    );
    const titles = new Map(rows.map((r) => [r.id, r.title]));
    this.repo.reshape(id, this.shape(members, byId, titles, row), null);
  }
}
