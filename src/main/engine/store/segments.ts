// Segments: the units that carry vectors. [Note: spaces]
// An image segment is shared by every embedding space (space_id NULL: one image, one vector per space); text
// segments (note chunks, OCR and transcript chunks) belong to the space whose model they were sized for.
import type { Segment, SegmentKind } from '../../../shared/types.js';
import type { Db } from './db.js';
import { insertGramsSql, insertWordsSql } from './words.js';

export interface NewSegment {
  kind: SegmentKind;
  text: string | null;
  breadcrumb: readonly string[];
  start: number | null;
  end: number | null;
}

interface SegmentRow {
  id: number;
  item_id: number;
  space_id: number | null;
  kind: SegmentKind;
  ordinal: number;
  text: string | null;
  breadcrumb: string;
  start: number | null;
  end: number | null;
}

export type StoredSegment = Segment & { itemId: number };

function toSegment(row: SegmentRow): StoredSegment {
  return {
    id: row.id,
    itemId: row.item_id,
    kind: row.kind,
    ordinal: row.ordinal,
    text: row.text,
    breadcrumb: JSON.parse(row.breadcrumb) as string[],
    start: row.start,
    end: row.end,
  };
}

/** Whether a segment of this kind is shared by all spaces. */
export const isShared = (kind: SegmentKind): boolean => kind === 'image';

export class SegmentsRepo {
  private readonly deleteAllStmt;
  private readonly deleteSpaceStmt;
  private readonly deleteKindStmt;
  private readonly insertStmt;
  private readonly maxOrdinalStmt;
  private readonly forItemStmt;
  private readonly imageStmt;
  private readonly manyStmt;
  private readonly ftsDeleteStmt;
  private readonly ftsInsertStmt;
  private readonly gramsDeleteStmt;
  private readonly gramsInsertStmt;

  constructor(db: Db) {
    this.deleteAllStmt = db.prepare<[number]>('DELETE FROM segments WHERE item_id = ?');
    this.deleteSpaceStmt = db.prepare<[number, number]>('DELETE FROM segments WHERE item_id = ? AND space_id = ?');
    this.deleteKindStmt = db.prepare<[number, string, number]>('DELETE FROM segments WHERE item_id = ? AND kind = ? AND space_id = ?');
    this.insertStmt = db.prepare<[number, number | null, string, number, string | null, string, number | null, number | null]>(
      'INSERT INTO segments (item_id, space_id, kind, ordinal, text, breadcrumb, start, "end") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.maxOrdinalStmt = db.prepare<[number], { m: number | null }>('SELECT max(ordinal) AS m FROM segments WHERE item_id = ?');
    this.forItemStmt = db.prepare<[number, number], SegmentRow>(
      'SELECT * FROM segments WHERE item_id = ? AND (space_id IS NULL OR space_id = ?) ORDER BY ordinal',
    );
    this.imageStmt = db.prepare<[number], { id: number }>(`SELECT id FROM segments WHERE item_id = ? AND kind = 'image' AND space_id IS NULL`);
    this.manyStmt = db.prepare<[string], SegmentRow>('SELECT * FROM segments WHERE id IN (SELECT value FROM json_each(?))');
    this.ftsDeleteStmt = db.prepare<[number]>('DELETE FROM segments_fts WHERE rowid IN (SELECT id FROM segments WHERE item_id = ?)');
    this.gramsDeleteStmt = db.prepare<[number]>('DELETE FROM grams_fts WHERE rowid IN (SELECT id FROM segments WHERE item_id = ?)');
    this.ftsInsertStmt = db.prepare<[number]>(insertWordsSql('s.item_id = ?'));
    this.gramsInsertStmt = db.prepare<[number]>(insertGramsSql('s.item_id = ?'));
  }

  private insert(itemId: number, spaceId: number, segments: readonly NewSegment[], first: number): number[] {
    return segments.map((s, i) =>
      Number(
        this.insertStmt.run(itemId, isShared(s.kind) ? null : spaceId, s.kind, first + i, s.text, JSON.stringify(s.breadcrumb), s.start, s.end)
          .lastInsertRowid,
      ),
    );
  }

  private next(itemId: number): number {
    return (this.maxOrdinalStmt.get(itemId)?.m ?? -1) + 1;
  }

  /**
   * A new version of an item: every segment of every space goes (with its FTS rows and vectors, by trigger) and
   * these take their place, text ones in `spaceId`. Returns the new ids in order. Call inside a transaction.
   */
  replace(itemId: number, spaceId: number, segments: readonly NewSegment[]): number[] {
    this.deleteAllStmt.run(itemId);
    return this.insert(itemId, spaceId, segments, 0);
  }

  /** The same version of an item in another space: only that space's text segments are replaced. */
  replaceInSpace(itemId: number, spaceId: number, segments: readonly NewSegment[]): number[] {
    this.deleteSpaceStmt.run(itemId, spaceId);
    return this.insert(itemId, spaceId, segments.filter((s) => !isShared(s.kind)), this.next(itemId));
  }

  /** Replaces the item's text segments of one kind in one space (its OCR text, say); returns the new ids. */
  replaceKind(itemId: number, spaceId: number, kind: SegmentKind, segments: readonly NewSegment[]): number[] {
    this.deleteKindStmt.run(itemId, kind, spaceId);
    return this.insert(itemId, spaceId, segments, this.next(itemId));
  }

  /** Refreshes the FTS rows of an item's segments after its title or path changed (a move). */
  reindexWords(itemId: number): void {
    this.ftsDeleteStmt.run(itemId);
    this.gramsDeleteStmt.run(itemId);
    this.ftsInsertStmt.run(itemId);
    this.gramsInsertStmt.run(itemId);
  }

  /** The shared image segment of a photo, if it has one. */
  imageSegment(itemId: number): number | undefined {
    return this.imageStmt.get(itemId)?.id;
  }

  /** An item's segments as one space sees them: the shared ones and its own. */
  forItem(itemId: number, spaceId: number): StoredSegment[] {
    return this.forItemStmt.all(itemId, spaceId).map(toSegment);
  }

  many(ids: readonly number[]): Map<number, StoredSegment> {
    const out = new Map<number, StoredSegment>();
    if (ids.length === 0) return out;
    for (const row of this.manyStmt.all(JSON.stringify(ids))) out.set(row.id, toSegment(row));
    return out;
  }
}
