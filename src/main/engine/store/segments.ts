import type { Segment, SegmentKind } from '../../../shared/types.js';
import type { Db } from './db.js';

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

export class SegmentsRepo {
  private readonly deleteStmt;
  private readonly insertStmt;
  private readonly forItemStmt;
  private readonly deleteKindStmt;
  private readonly maxOrdinalStmt;
  private readonly manyStmt;

  constructor(db: Db) {
    this.deleteStmt = db.prepare<[number]>('DELETE FROM segments WHERE item_id = ?');
    this.insertStmt = db.prepare<[number, string, number, string | null, string, number | null, number | null]>(
      'INSERT INTO segments (item_id, kind, ordinal, text, breadcrumb, start, "end") VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.deleteKindStmt = db.prepare<[number, string]>('DELETE FROM segments WHERE item_id = ? AND kind = ?');
    this.maxOrdinalStmt = db.prepare<[number], { m: number | null }>('SELECT max(ordinal) AS m FROM segments WHERE item_id = ?');
    this.forItemStmt = db.prepare<[number], SegmentRow>('SELECT * FROM segments WHERE item_id = ? ORDER BY ordinal');
    this.manyStmt = db.prepare<[string], SegmentRow>(
      'SELECT * FROM segments WHERE id IN (SELECT value FROM json_each(?))',
    );
  }

  /**
   * Replaces an item's segments; returns the new ids in order. The old segments' FTS rows and vectors are deleted
   * by triggers. Call inside the batch's transaction.
   */
  replace(itemId: number, segments: readonly NewSegment[]): number[] {
    this.deleteStmt.run(itemId);
    return segments.map((s, ordinal) =>
      Number(
        this.insertStmt.run(itemId, s.kind, ordinal, s.text, JSON.stringify(s.breadcrumb), s.start, s.end)
          .lastInsertRowid,
      ),
    );
  }

  /** Replaces only the item's segments of one kind (its OCR text, say), after the others; returns the new ids. */
  replaceKind(itemId: number, kind: NewSegment['kind'], segments: readonly NewSegment[]): number[] {
    this.deleteKindStmt.run(itemId, kind);
    const first = (this.maxOrdinalStmt.get(itemId)?.m ?? -1) + 1;
    return segments.map((s, i) =>
      Number(this.insertStmt.run(itemId, kind, first + i, s.text, JSON.stringify(s.breadcrumb), s.start, s.end).lastInsertRowid),
    );
  }

  forItem(itemId: number): StoredSegment[] {
    return this.forItemStmt.all(itemId).map(toSegment);
  }

  many(ids: readonly number[]): Map<number, StoredSegment> {
    const out = new Map<number, StoredSegment>();
    if (ids.length === 0) return out;
    for (const row of this.manyStmt.all(JSON.stringify(ids))) out.set(row.id, toSegment(row));
    return out;
  }
}
