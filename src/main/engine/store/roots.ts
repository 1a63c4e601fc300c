import type { Root } from '../../../shared/types.js';
import type { Db } from './db.js';

interface RootRow {
  id: number;
  path: string;
  ignore: string;
  added_at: number;
  present: number;
  ocr: number;
  items: number;
  errors: number;
}

const SELECT = `
  SELECT r.id, r.path, r.ignore, r.added_at, r.present, r.ocr,
         (SELECT count(*) FROM items i WHERE i.root_id = r.id) AS items,
         (SELECT count(*) FROM items i WHERE i.root_id = r.id AND i.status = 'error') AS errors
  FROM roots r`;

function toRoot(row: RootRow): Root {
  return {
    id: row.id,
    path: row.path,
    ignore: JSON.parse(row.ignore) as string[],
    addedAt: row.added_at,
    items: row.items,
    errors: row.errors,
    present: row.present === 1,
    ocr: row.ocr === 1,
  };
}

export class RootsRepo {
  private readonly listStmt;
  private readonly byIdStmt;
  private readonly byPathStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly presentStmt;
  private readonly updateStmt;

  constructor(db: Db) {
    this.listStmt = db.prepare<[], RootRow>(`${SELECT} ORDER BY r.path`);
    this.byIdStmt = db.prepare<[number], RootRow>(`${SELECT} WHERE r.id = ?`);
    this.byPathStmt = db.prepare<[string], RootRow>(`${SELECT} WHERE r.path = ?`);
    this.insertStmt = db.prepare<[string, string, number, number]>(
      'INSERT INTO roots (path, ignore, added_at, ocr) VALUES (?, ?, ?, ?)',
    );
    this.deleteStmt = db.prepare<[number]>('DELETE FROM roots WHERE id = ?');
    this.presentStmt = db.prepare<[number, number]>('UPDATE roots SET present = ? WHERE id = ?');
    this.updateStmt = db.prepare<[string, number, number]>('UPDATE roots SET ignore = ?, ocr = ? WHERE id = ?');
  }

  list(): Root[] {
    return this.listStmt.all().map(toRoot);
  }

  get(id: number): Root | undefined {
    const row = this.byIdStmt.get(id);
    return row && toRoot(row);
  }

  byPath(path: string): Root | undefined {
    const row = this.byPathStmt.get(path);
    return row && toRoot(row);
  }

  add(path: string, ignore: readonly string[], now = Date.now(), ocr = true): Root {
    const id = Number(this.insertStmt.run(path, JSON.stringify(ignore), now, ocr ? 1 : 0).lastInsertRowid);
    const root = this.get(id);
    if (!root) throw new Error(`root ${id} vanished after insert`);
    return root;
  }

  /** Removes a root; its items, segments and vectors go with it (foreign keys and triggers). */
  remove(id: number): void {
    this.deleteStmt.run(id);
  }

  update(id: number, options: { ignore: readonly string[]; ocr: boolean }): void {
    this.updateStmt.run(JSON.stringify(options.ignore), options.ocr ? 1 : 0, id);
  }

  setPresent(id: number, present: boolean): void {
    this.presentStmt.run(present ? 1 : 0, id);
  }
}
