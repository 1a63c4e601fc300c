// The approximate indexes of a library's spaces, as the search reader keeps them, and the KNN that uses them.
// [Note: ann] A space under ANN_MIN_SEGMENTS is searched exactly: in a long-lived process from a copy in memory once
// it is loaded ([Note: flat-space]), else by sqlite-vec; above it, through its index once that is built, and exactly
// until then. Background work (building, taking in changes, saving, trimming the log) runs in
// slices between searches, only in a long-lived process (the app, `trove serve`, `trove watch`): a one-off command
// uses a saved index when there is one and never starts a build it would not live to finish.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Store } from '../store/index.js';
import { widenPerItem, type KnnFilter, type Neighbour } from '../store/spaces.js';
import { createLogger } from '../log.js';
import { ANN_MIN_SEGMENTS, SpaceAnn, type AnnCandidate, type AnnProgress } from './space-ann.js';
import { FlatSpace } from './flat.js';

const log = createLogger('ann');

/** A KNN over one space: sqlite-vec's exact scan, or the approximate index. */
export type Knn = (spaceId: number, query: Float32Array, k: number, filter?: KnnFilter) => Neighbour[];

/** How long a space's size is trusted before it is counted again. */
const RECOUNT_MS = 30_000;
/** How often the log is trimmed. */
const TRIM_MS = 30_000;
/** A save waits for this long without a search (it holds the reader for a second or two at a million vectors). */
const QUIET_MS = 5_000;

interface Entry {
  ann: SpaceAnn | null;
  /** A small space's copy in memory (long-lived processes only). [Note: flat-space] */
  flat: FlatSpace | null;
  /** Its copy could not be kept (a library opened read-only, written by an older Trove): not tried again. */
  noFlat: boolean;
  /** The space's model, revision and creation time: an id is reused after its space is dropped. */
  identity: string;
  segments: number;
  countedAt: number;
}

export class AnnRegistry {
  private readonly entries = new Map<number, Entry>();
  private lastSearch = 0;
  private lastTrim = 0;

  constructor(
    private readonly store: Store,
    private readonly dir: string,
    private readonly maintain: boolean,
    private readonly writer: Database.Database | null = null,
    private readonly minSegments = ANN_MIN_SEGMENTS,
  ) {}

  /** The space's entry, counted again now and then; `searched`: a search asks, so a small space gets its copy. */
  private entry(spaceId: number, searched = false): Entry | null {
    const space = this.store.spaces.get(spaceId);
    let e = this.entries.get(spaceId);
    const identity = space ? `${space.model_id}@${space.revision}/${space.created_at}` : '';
    if (!space || (e && e.identity !== identity)) {
      e?.ann?.drop();
      this.entries.delete(spaceId);
      if (!space) return null;
      e = undefined;
    }
    const now = Date.now();
    // A copy in memory that has grown past the bound is counted again at once (the index takes over).
    const outgrown = e?.flat && e.flat.size >= this.minSegments;
    if (!e || (!e.ann && (now - e.countedAt > RECOUNT_MS || outgrown || (searched && !e.flat && !e.noFlat && e.segments < this.minSegments && this.maintain)))) {
      const segments = this.store.db
        .prepare<[number], { n: number }>('SELECT count(*) AS n FROM segments WHERE space_id IS NULL OR space_id = ?')
        .get(spaceId)!.n;
      let ann: SpaceAnn | null = null;
      try {
        ann = segments >= this.minSegments ? SpaceAnn.open(this.store, spaceId, space.dimensions, this.dir, this.maintain) : null;
      } catch (error) {
        // A folder that cannot be written (a read-only library), a damaged file: searches stay exact.
        log.warn('the approximate index cannot be opened; searches are exact', { space: spaceId, error: (error as Error).message });
      }
      // A one-off command searches a few times: loading a copy would cost more than the scans it saves. A space
      // no search asked for (one being built for a new model) gets none until one does.
      const noFlat = e?.noFlat ?? false;
      const small = !ann && segments < this.minSegments && this.maintain && !noFlat;
      const flat = small ? (e?.flat ?? (searched ? new FlatSpace(this.store, spaceId, space.dimensions, segments) : null)) : null;
      e = { ann, flat, noFlat, identity, segments, countedAt: now };
      this.entries.set(spaceId, e);
    }
    return e;
  }

  /** The space's copy in memory when it is loaded, brought up to date with the log; null: not kept, or not yet. */
  private flat(spaceId: number): FlatSpace | null {
    const e = this.entry(spaceId, true);
    const flat = e?.flat ?? null;
    if (!flat?.ready) return null;
    try {
      flat.sync();
      return flat;
    } catch (error) {
      // A library written by an older Trove and opened read-only (no `ann_trimmed`), a damaged row: sqlite-vec answers.
      log.warn('the copy in memory cannot be kept; searches use sqlite-vec', { space: spaceId, error: (error as Error).message });
      e!.flat = null;
      e!.noFlat = true;
      return null;
    }
  }

  /** The space's index when it is ready, brought up to date with the log; null: search exactly. */
  ready(spaceId: number): SpaceAnn | null {
    const ann = this.entry(spaceId)?.ann ?? null;
    if (!ann) return null;
    ann.sync();
    return ann.ready ? ann : null;
  }

  progress(spaceId: number): AnnProgress | null {
    return this.entry(spaceId)?.ann?.progress() ?? null;
  }

  /** The nearest segments, filtered inside the search: through the index when it is ready, else exactly. */
  readonly knn: Knn = (spaceId, query, k, filter = {}) => {
    this.lastSearch = Date.now();
    let ann: SpaceAnn | null = null;
    try {
      ann = this.ready(spaceId);
    } catch (error) {
      log.warn('the approximate index failed; this search is exact', { space: spaceId, error: (error as Error).message });
    }
    if (!ann) {
      const flat = this.flat(spaceId);
      return flat ? flat.knn(query, k, filter) : this.store.spaces.knn(spaceId, query, k, filter);
    }
    if (filter.perItem || filter.keepItem) {
      const { perItem: _perItem, keepItem: _keepItem, enough: _enough, ...rest } = filter;
      return widenPerItem((want) => this.knn(spaceId, query, want, rest), k, filter);
    }
    // A list of items (in:, near:, camera:) is scanned directly, from the copy beside the graphs (~3 µs a vector):
    // a graph search would mostly find others.
    if (filter.items) return this.scan(ann, query, k, filter.items, filter.excludeItemId);
    const kinds = filter.kinds && filter.kinds.length ? filter.kinds : null;
    const dated = (filter.after ?? null) !== null || (filter.before ?? null) !== null;
    const narrowed = dated || filter.excludeItemId !== undefined || filter.passing !== undefined;
    // A date or an item left out: widen until enough pass, then, for a filter that leaves very little, scan exactly.
    // k × 4 + 32 candidates a graph, rescored: the 8-bit graphs reorder near-ties, and a few more candidates make up
    // for it at a cost the search expansion (256) dwarfs.
    let want = k * 4 + 32;
    for (let round = 0; round < 3; round++, want *= 8) {
      const { candidates: found, exhausted } = ann.search(query, want, kinds);
      // Dates can change without a new vector (a file renamed to a date): they are read from SQLite, only when asked.
      const times = dated ? this.times(found) : null;
      const scoped = filter.passing ? filter.passing(found.map((c) => c.segmentId)) : null;
      const pass = found.filter((c) => {
        if (scoped && !scoped.has(c.segmentId)) return false;
        const itemId = ann.itemOfSegment(c.segmentId);
        if (itemId === 0 || itemId === filter.excludeItemId) return false;
        if (!times) return true;
        if (!times.has(c.segmentId)) return false; // deleted since
        const t = times.get(c.segmentId)!;
        if ((filter.after ?? null) !== null && (t === null || t < filter.after!)) return false;
        if ((filter.before ?? null) !== null && (t === null || t >= filter.before!)) return false;
        return true;
      });
      // Twice k passing, so the k-th best is well inside what was searched (k alone would cut the edge short).
      if (pass.length >= (narrowed ? k * 2 + 8 : k) || exhausted) return this.rescore(ann, query, pass, k);
    }
    return this.store.spaces.knn(spaceId, query, k, filter);
  };

  /** The k nearest segments of these items, every one scored (see SpaceAnn.nearestOfItems). */
  private scan(ann: SpaceAnn, query: Float32Array, k: number, items: ReadonlySet<number>, excludeItemId?: number): Neighbour[] {
    return ann.nearestOfItems(query, k, items, excludeItemId);
  }

  private times(found: readonly AnnCandidate[]): Map<number, number | null> {
    const rows = this.store.db
      .prepare<[string], { id: number; takenAt: number | null }>(
        `SELECT s.id, i.taken_at AS takenAt FROM segments s JOIN items i ON i.id = s.item_id
         WHERE s.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(found.map((c) => c.segmentId)));
    return new Map(rows.map((r) => [r.id, r.takenAt]));
  }

  /**
   * Exact distances for the best candidates (the graphs keep 8-bit vectors; beside them a 16-bit copy), best first.
   * Rescoring the first 4k + 64 by approximate distance recovers what quantization swapped near the edge.
   */
  private rescore(ann: SpaceAnn, query: Float32Array, pass: readonly AnnCandidate[], k: number): Neighbour[] {
    const out: Neighbour[] = [];
    for (const c of pass.slice(0, Math.min(pass.length, k * 4 + 64))) {
      const score = ann.score(c.segmentId, query);
      if (score === null) continue;
      out.push({ segmentId: c.segmentId, itemId: ann.itemOfSegment(c.segmentId), distance: 1 - score });
    }
    out.sort((a, b) => a.distance - b.distance);
    return out.slice(0, k);
  }

  /**
   * One slice of background work for the first space that has some (a build, changes into the graphs, a save when
   * searches are quiet), and the log trimmed now and then. Returns whether more work waits.
   */
  work(): boolean {
    if (!this.maintain) return false;
    let more = false;
    for (const space of this.store.spaces.listRows()) {
      const e = this.entry(space.id);
      if (e?.flat && !e.flat.ready) {
        try {
          if (e.flat.step()) return true;
        } catch (error) {
          log.warn('the copy in memory cannot be loaded; searches use sqlite-vec', { space: space.id, error: (error as Error).message });
          e.flat = null;
          e.noFlat = true;
        }
      }
      const ann = e?.ann;
      if (!ann) continue;
      ann.sync();
      if (ann.step()) {
        more = true;
        break;
      }
      if (ann.wantsSave && Date.now() - this.lastSearch > QUIET_MS) ann.save();
    }
    if (Date.now() - this.lastTrim > TRIM_MS) this.trim();
    return more;
  }

  /** Deletes the log rows no index needs: up to what the saved index holds, or all of a space without one. */
  private trim(): void {
    this.lastTrim = Date.now();
    if (!this.writer) return;
    for (const space of this.store.spaces.listRows()) {
      let upTo: number;
      try {
        // Another process may keep an index of this library: its sidecar says what it still needs.
        const s = JSON.parse(readFileSync(join(this.dir, `space-${space.id}.json`), 'utf8')) as { state: string; seq: number };
        upTo = s.state === 'saved' ? s.seq : Math.min(s.seq, this.entries.get(space.id)?.ann?.watermark() ?? s.seq);
      } catch {
        if (this.entries.get(space.id)?.ann) continue; // building, its sidecar not written yet
        upTo = this.writer.prepare<[number], { s: number | null }>('SELECT max(seq) AS s FROM ann_log WHERE space_id = ?').get(space.id)!.s ?? 0;
      }
      // A copy in memory here reads the log from its own mark on. [Note: flat-space]
      const flat = this.entries.get(space.id)?.flat;
      if (flat) upTo = Math.min(upTo, flat.watermark());
      if (upTo > 0) {
        this.writer.transaction(() => {
          this.writer!.prepare('DELETE FROM ann_log WHERE space_id = ? AND seq <= ?').run(space.id, upTo);
          this.writer!.prepare('INSERT INTO ann_trimmed (space_id, up_to) VALUES (?, ?) ON CONFLICT (space_id) DO UPDATE SET up_to = max(up_to, excluded.up_to)').run(space.id, upTo);
        })();
      }
    }
    this.writer.prepare('DELETE FROM ann_log WHERE space_id NOT IN (SELECT id FROM spaces)').run();
  }
}
