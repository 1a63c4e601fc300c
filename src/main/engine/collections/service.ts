// Links and collections as the engine offers them: the work that follows embedding, and the operations of the
// contract. [Note: links] [Note: collections]
import type { RequestOf } from '../../../shared/api.js';
import { TroveError } from '../../../shared/errors.js';
import type { CollectionDetail, CollectionMember, CollectionSummary, LinkedItem, LinkVerdict } from '../../../shared/types.js';
import type { Encoder } from '../models/encoder.js';
import type { Store } from '../store/index.js';
import { toSummary, type ItemRow } from '../store/items.js';
import { inTurn } from '../turns.js';
import { excerpt } from '../search/browse.js';
import { CollectionBuilder } from './build.js';
import { Calibration } from './calibrate.js';
import { linkInfo } from './evidence.js';
import { computeLinks, LinksRepo, measure, TextVectors, type StoredLink } from './links.js';
import { CollectionsRepo, type CollectionRow } from './repo.js';
import { placed, VectorCache, type TimedRow } from './vectors.js';
import { vocabulary } from './vocabulary.js';

/** Items whose links are computed between two writes. */
const LINK_BATCH = 32;

export interface FollowHooks {
  /** Runs a write, waiting for room on a full disk (the engine's untilRoom). */
  readonly write: <T>(fn: () => T) => Promise<T>;
  readonly stopped: () => boolean;
  readonly progress: (done: number, total: number) => void;
  readonly collectionsChanged: (changed: readonly number[], removed: readonly number[]) => void;
}

export class Collections {
  readonly links: LinksRepo;
  readonly repo: CollectionsRepo;

  constructor(private readonly store: Store) {
    this.links = new LinksRepo(store);
    this.repo = new CollectionsRepo(store);
  }

  /** Work waiting: items to link, times to rebuild collections at. */
  pending(): number {
    return this.links.countQueued() + this.repo.countDirty();
  }

  /**
   * The work that follows embedding: links of the queued items, then the collections around the changed times.
   * Each batch is written with the removal of its queue rows in one transaction. [Note: queue]
   */
  async follow(encoder: Encoder | null, spaceId: number, hooks: FollowHooks): Promise<void> {
    if (this.pending() === 0) return;
    const calibration = new Calibration(this.store, spaceId);
    if (calibration.stale()) await hooks.write(() => this.store.transaction(() => calibration.refresh()));
    let total = this.pending();
    let done = 0;
    hooks.progress(done, total);
    // Collections first: they read vectors, not links, and are what a person browses.
    const vocab = await vocabulary(this.store, spaceId, encoder).catch(() => null);
    const cache = new VectorCache();
    const builder = new CollectionBuilder(this.store, spaceId, calibration, vocab, cache);
    for (;;) {
      if (hooks.stopped()) return;
      await inTurn(() => undefined, 'work'); // a window is one piece of work: searches go first [Note: responsive]
      const before = this.repo.countDirty();
      const r = await hooks.write(() => this.store.transaction(() => builder.step()));
      if (r.done) break;
      if (r.changed.length || r.removed.length) hooks.collectionsChanged(r.changed, r.removed);
      done += Math.max(1, before - this.repo.countDirty());
      hooks.progress(done, Math.max(total, done + this.pending()));
    }
    // Then links, a batch per transaction with the removal of its queue rows.
    const texts = new TextVectors(this.store, spaceId);
    for (;;) {
      if (hooks.stopped()) return;
      const ids = this.links.queued(LINK_BATCH);
      if (ids.length === 0) break;
      const computed = new Map<number, StoredLink[]>();
      for (const id of ids) {
        const row = this.store.items.get(id) as TimedRow | undefined;
        if (row && row.status === 'indexed') computed.set(id, await inTurn(() => computeLinks(this.store, spaceId, calibration, row, texts, cache)));
      }
      await hooks.write(() =>
        this.store.transaction(() => {
          for (const [id, links] of computed) this.links.replace(id, links);
          this.links.dequeue(ids);
        }),
      );
      done += ids.length;
      total = Math.max(total, done + this.pending());
      hooks.progress(done, total);
    }
  }

  // ---- the contract ------------------------------------------------------------------------------------------

  summary(row: CollectionRow): CollectionSummary {
    const cover = row.cover_id !== null ? this.store.items.get(row.cover_id) : undefined;
    return {
      id: row.id,
      title: row.user_title ?? row.title,
      titleSource: row.user_title ? 'user' : row.title_source,
      start: row.start,
      end: row.end,
      counts: { photo: row.photos, note: row.notes, audio: row.recordings },
      cover: cover ? toSummary(cover) : null,
      pinned: row.pinned === 1,
      hidden: row.hidden === 1,
    };
  }

  private live(id: number): CollectionRow {
    const row = this.repo.get(id);
    if (!row || row.state !== 'live') throw new TroveError('NOT_FOUND', `no collection with id ${id}`);
    return row;
  }

  list(req: RequestOf<'listCollections'>): { collections: CollectionSummary[]; total: number } {
    const { rows, total } = this.repo.list(req.includeHidden === true, req.limit ?? 100, req.offset ?? 0);
    return { collections: rows.map((r) => this.summary(r)), total };
  }

  get(id: number, spaceId: number): CollectionDetail {
    const row = this.live(id);
    const members = this.repo.members(id);
    const roles = new Map(members.map((m) => [m.item_id, m.role]));
    const rows = this.store.items.many(members.map((m) => m.item_id)).sort((a, b) => (a.taken_at ?? a.mtime) - (b.taken_at ?? b.mtime) || a.id - b.id);
    const out: CollectionMember[] = rows.map((r) => ({ item: toSummary(r), role: roles.get(r.id)!, excerpt: r.kind === 'photo' ? null : excerpt(this.store, r, spaceId) }));
    return { ...this.summary(row), members: out };
  }

  of(itemId: number): CollectionSummary[] {
    return this.repo.of(itemId).map((r) => this.summary(r));
  }

  private builder(spaceId: number): CollectionBuilder {
    return new CollectionBuilder(this.store, spaceId, new Calibration(this.store, spaceId), null);
  }

  update(req: RequestOf<'updateCollection'>, spaceId: number): CollectionSummary {
    this.live(req.id);
    this.store.transaction(() => {
      const change: { userTitle?: string | null; pinned?: boolean; hidden?: boolean } = {};
      if (req.title !== undefined) change.userTitle = req.title === null || req.title === '' ? null : req.title;
      if (req.pinned !== undefined) change.pinned = req.pinned;
      if (req.hidden !== undefined) change.hidden = req.hidden;
      this.repo.edit(req.id, change);
      this.builder(spaceId).reshapeStored(req.id);
    });
    return this.summary(this.live(req.id));
  }

  merge(ids: readonly number[], spaceId: number): CollectionDetail {
    const [target, ...others] = [...new Set(ids)];
    if (target === undefined || others.length === 0) throw new TroveError('INVALID_ARGUMENT', 'name at least two different collections');
    for (const id of [target, ...others]) this.live(id);
    this.store.transaction(() => {
      const members = new Map(this.repo.members(target).map((m) => [m.item_id, m]));
      for (const id of others) {
        for (const m of this.repo.members(id)) if (!members.has(m.item_id)) members.set(m.item_id, { item_id: m.item_id, role: 'added' });
        this.repo.remove(id);
      }
      this.repo.setMembers(target, [...members.values()].map((m) => ({ item_id: m.item_id, role: 'added' })));
      this.repo.edit(target, { edited: true });
      this.builder(spaceId).reshapeStored(target);
    });
    return this.get(target, spaceId);
  }

  split(id: number, at: number, spaceId: number): CollectionDetail[] {
    const detail = this.get(id, spaceId);
    const index = detail.members.findIndex((m) => m.item.id === at);
    if (index < 0) throw new TroveError('INVALID_ARGUMENT', `item ${at} is not in collection ${id}`);
    if (index === 0) throw new TroveError('INVALID_ARGUMENT', 'split before a member that is not the first');
    const before = detail.members.slice(0, index).map((m) => ({ item_id: m.item.id, role: 'added' as const }));
    const after = detail.members.slice(index).map((m) => ({ item_id: m.item.id, role: 'added' as const }));
    let created = 0;
    this.store.transaction(() => {
      const builder = this.builder(spaceId);
      this.repo.setMembers(id, before);
      this.repo.edit(id, { edited: true });
      builder.reshapeStored(id);
      created = this.repo.create({ title: '', titleSource: 'date', start: 0, end: 0, coverId: null, counts: { photo: 0, note: 0, audio: 0 } }, after, after.map((m) => m.item_id));
      this.repo.edit(created, { edited: true });
      builder.reshapeStored(created);
    });
    return [this.get(id, spaceId), this.get(created, spaceId)];
  }

  removeItems(id: number, itemIds: readonly number[], spaceId: number): CollectionDetail {
    this.live(id);
    this.store.transaction(() => {
      this.repo.exclude(id, itemIds);
      if (this.repo.members(id).length === 0) this.repo.remove(id);
      else this.builder(spaceId).reshapeStored(id);
    });
    const row = this.repo.get(id);
    if (!row || row.state !== 'live') throw new TroveError('NOT_FOUND', `collection ${id} had no other items and was removed`);
    return this.get(id, spaceId);
  }

  delete(id: number): boolean {
    const row = this.repo.get(id);
    if (!row || row.state !== 'live') return false;
    this.store.transaction(() => this.repo.remove(id));
    return true;
  }

  // ---- links -------------------------------------------------------------------------------------------------

  /** An item's links with their evidence, confirmed first, rejected last; computed now when not stored yet. */
  linked(item: TimedRow, spaceId: number, limit: number): LinkedItem[] {
    const stored = this.links.of(item.id, limit * 2);
    const verdicts = this.links.verdicts(item.id);
    const others = new Map(stored.map((l) => [l.other, l]));
    // Links a person confirmed are shown even when Trove's evidence fell below its threshold since.
    const missing = [...verdicts.keys()].filter((id) => !others.has(id));
    const rows = new Map(this.store.items.many([...others.keys(), ...missing]).map((r) => [r.id, r as TimedRow]));
    const measured = measure(this.store, spaceId, new Calibration(this.store, spaceId), item, missing.flatMap((id) => rows.get(id) ?? []));
    const dayOnly = placed(item).day;
    const out: LinkedItem[] = [];
    for (const [id, row] of rows) {
      const l = others.get(id);
      const m = l
        ? { evidence: { meaning: l.meaning, similarity: l.similarity, gapMs: l.gapMs, sameDay: l.sameDay, distanceM: l.distanceM, sameFolder: l.sameFolder }, dayOnly: dayOnly || placed(row).day }
        : measured.get(id)!;
      out.push({ item: toSummary(row), link: linkInfo(m.evidence, m.dayOnly, verdicts.get(id) ?? null) });
    }
    const rank = (x: LinkedItem) => (x.link.verdict === 'rejected' ? -1 : x.link.score);
    return out.sort((a, b) => rank(b) - rank(a) || a.item.id - b.item.id).slice(0, limit);
  }

  setVerdict(a: ItemRow, b: ItemRow, verdict: LinkVerdict | null, spaceId: number): LinkedItem | null {
    if (a.id === b.id) throw new TroveError('INVALID_ARGUMENT', 'an item is not linked to itself');
    this.store.transaction(() => this.links.setVerdict(a.id, b.id, verdict));
    return this.linked(a as TimedRow, spaceId, 1000).find((l) => l.item.id === b.id) ?? null;
  }
}
