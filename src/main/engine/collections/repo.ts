// The collections tables: collections, their members, the items people took out, tombstones. [Note: collections]
import type { CollectionMember, CollectionTitleSource } from '../../../shared/types.js';
import type { Store } from '../store/index.js';

export interface CollectionRow {
  id: number;
  state: 'live' | 'removed';
  title: string;
  title_source: CollectionTitleSource;
  user_title: string | null;
  pinned: number;
  hidden: number;
  edited: number;
  start: number;
  end: number;
  cover_id: number | null;
  photos: number;
  notes: number;
  recordings: number;
  created_at: number;
  updated_at: number;
  signature: string;
}

export interface MemberRow {
  item_id: number;
  role: CollectionMember['role'];
}

export interface Shape {
  readonly title: string;
  readonly titleSource: CollectionTitleSource;
  readonly start: number;
  readonly end: number;
  readonly coverId: number | null;
  readonly counts: { readonly photo: number; readonly note: number; readonly audio: number };
}

export class CollectionsRepo {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  get(id: number): CollectionRow | undefined {
    return this.db.prepare<[number], CollectionRow>('SELECT * FROM collections WHERE id = ?').get(id);
  }

  /** Live ones (newest first, pinned first); hidden ones only when asked. */
  list(includeHidden: boolean, limit: number, offset: number): { rows: CollectionRow[]; total: number } {
    const where = `state = 'live'${includeHidden ? '' : ' AND hidden = 0'}`;
    const rows = this.db.prepare<[number, number], CollectionRow>(`SELECT * FROM collections WHERE ${where} ORDER BY pinned DESC, start DESC, id DESC LIMIT ? OFFSET ?`).all(limit, offset);
    const total = this.db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM collections WHERE ${where}`).get()!.n;
    return { rows, total };
  }

  /** Collections whose span meets [from, to]: live ones and, with `state`, tombstones. */
  overlapping(from: number, to: number, state: 'live' | 'removed'): CollectionRow[] {
    return this.db.prepare<[string, number, number], CollectionRow>(`SELECT * FROM collections WHERE state = ? AND start <= ? AND "end" >= ?`).all(state, to, from);
  }

  members(id: number): MemberRow[] {
    return this.db.prepare<[number], MemberRow>('SELECT item_id, role FROM collection_members WHERE collection_id = ?').all(id);
  }

  of(itemId: number): CollectionRow[] {
    return this.db
      .prepare<[number], CollectionRow>(
        `SELECT c.* FROM collection_members m JOIN collections c ON c.id = m.collection_id WHERE m.item_id = ? AND c.state = 'live' ORDER BY c.start DESC`,
      )
      .all(itemId);
  }

  /** Items in collections a person edited (merged, split): runs leave them where they are. */
  frozenItems(): Set<number> {
    const rows = this.db
      .prepare<[], { item_id: number }>(`SELECT m.item_id FROM collection_members m JOIN collections c ON c.id = m.collection_id WHERE c.state = 'live' AND c.edited = 1`)
      .all();
    return new Set(rows.map((r) => r.item_id));
  }

  exclusions(id: number): Set<number> {
    return new Set(this.db.prepare<[number], { item_id: number }>('SELECT item_id FROM collection_exclusions WHERE collection_id = ?').all(id).map((r) => r.item_id));
  }

  exclude(id: number, itemIds: readonly number[]): void {
    const stmt = this.db.prepare('INSERT OR IGNORE INTO collection_exclusions (collection_id, item_id) VALUES (?, ?)');
    const del = this.db.prepare('DELETE FROM collection_members WHERE collection_id = ? AND item_id = ?');
    for (const item of itemIds) {
      stmt.run(id, item);
      del.run(id, item);
    }
  }

  create(shape: Shape, members: readonly MemberRow[], signature: readonly number[], now = Date.now()): number {
    const row = this.db
      .prepare(
        `INSERT INTO collections (title, title_source, start, "end", cover_id, photos, notes, recordings, created_at, updated_at, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(shape.title, shape.titleSource, shape.start, shape.end, shape.coverId, shape.counts.photo, shape.counts.note, shape.counts.audio, now, now, JSON.stringify(signature)) as { id: number };
    this.setMembers(row.id, members);
    return row.id;
  }

  setMembers(id: number, members: readonly MemberRow[]): void {
    this.db.prepare('DELETE FROM collection_members WHERE collection_id = ?').run(id);
    const stmt = this.db.prepare('INSERT OR IGNORE INTO collection_members (collection_id, item_id, role) VALUES (?, ?, ?)');
    for (const m of members) stmt.run(id, m.item_id, m.role);
  }

  reshape(id: number, shape: Shape, signature: readonly number[] | null, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE collections SET title = ?, title_source = ?, start = ?, "end" = ?, cover_id = ?, photos = ?, notes = ?, recordings = ?,
           updated_at = ?, signature = coalesce(?, signature) WHERE id = ?`,
      )
      .run(shape.title, shape.titleSource, shape.start, shape.end, shape.coverId, shape.counts.photo, shape.counts.note, shape.counts.audio, now, signature ? JSON.stringify(signature) : null, id);
  }

  /** A person's edits: a title of their own (null: Trove's), pinned, hidden, edited (members fixed). */
  edit(id: number, change: { userTitle?: string | null; pinned?: boolean; hidden?: boolean; edited?: boolean }): void {
    const row = this.get(id);
    if (!row) return;
    this.db
      .prepare('UPDATE collections SET user_title = ?, pinned = ?, hidden = ?, edited = ?, updated_at = ? WHERE id = ?')
      .run(
        change.userTitle !== undefined ? change.userTitle : row.user_title,
        change.pinned !== undefined ? Number(change.pinned) : row.pinned,
        change.hidden !== undefined ? Number(change.hidden) : row.hidden,
        change.edited !== undefined ? Number(change.edited) : row.edited,
        Date.now(),
        id,
      );
  }

  /** Removed for good: it stays as a tombstone (its signature), so the same event is not made again. */
  remove(id: number): void {
    this.db.prepare(`UPDATE collections SET state = 'removed', updated_at = ? WHERE id = ?`).run(Date.now(), id);
    this.db.prepare('DELETE FROM collection_members WHERE collection_id = ?').run(id);
  }

  /** Gone without a trace: an automatic collection whose event no longer exists. */
  drop(id: number): void {
    this.db.prepare('DELETE FROM collections WHERE id = ?').run(id);
  }

  dirtyFirst(): number | null {
    return this.db.prepare<[], { at: number | null }>('SELECT min(at) AS at FROM collection_dirty').get()?.at ?? null;
  }

  dirtyIn(from: number, to: number): number[] {
    return this.db.prepare<[number, number], { at: number }>('SELECT at FROM collection_dirty WHERE at BETWEEN ? AND ? ORDER BY at').all(from, to).map((r) => r.at);
  }

  clearDirty(from: number, to: number): void {
    this.db.prepare('DELETE FROM collection_dirty WHERE at BETWEEN ? AND ?').run(from, to);
  }

  countDirty(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM collection_dirty').get()!.n;
  }

  markDirty(at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO collection_dirty (at) VALUES (?)').run(at);
  }
}
