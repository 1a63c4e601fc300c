// The library by time: pages of items newest first and the months they fall in. [Note: timeline]
// Pages are keyset-paginated on (taken_at, id) over the partial index items_by_time, so a page deep in a library of
// 100k items costs what the first one does. Items without a time yet (a library indexed before migration 7, until
// its times are filled in at open) are left out.
import type { ItemKind, TimelineMonth } from '../../../shared/types.js';
import type { Db } from './db.js';
import { scopeClauses, type ItemScope } from './places.js';
import { PLACE_COLUMNS, PLACE_JOIN, type ItemRow } from './items.js';

export interface TimeFilter {
  readonly kinds: readonly ItemKind[] | null;
  readonly after: number | null; // inclusive
  readonly before: number | null; // exclusive
  readonly scope?: ItemScope | null; // in:, near:, camera: [Note: places]
}

export interface PagePosition {
  /** Strictly older than this (taken_at, id) pair. */
  readonly below: { readonly takenAt: number; readonly id: number } | null;
  /** Only items taken before this time. */
  readonly from: number | null;
}

/** SQL clauses on `items i` for kinds and a date range, their values pushed onto `params` (search uses them too). */
export function itemFilterClauses(filter: TimeFilter, params: unknown[]): string[] {
  const clauses: string[] = [];
  if (filter.kinds) {
    clauses.push(`i.kind IN (${filter.kinds.map(() => '?').join(', ')})`);
    params.push(...filter.kinds);
  }
  if (filter.after !== null) {
    clauses.push('i.taken_at >= ?');
    params.push(filter.after);
  }
  if (filter.before !== null) {
    clauses.push('i.taken_at < ?');
    params.push(filter.before);
  }
  if (filter.scope) clauses.push(...scopeClauses(filter.scope, params));
  return clauses;
}

function where(filter: TimeFilter, params: unknown[]): string {
  return [`i.status = 'indexed'`, 'i.taken_at IS NOT NULL', ...itemFilterClauses(filter, params)].join(' AND ');
}

export class TimelineRepo {
  /** Months and counts per filter, until the library changes: at 100k items they cost ~100 ms to count. */
  private readonly cache = new Map<string, { version: string; months?: TimelineMonth[]; count?: number }>();

  constructor(private readonly db: Db) {}

  /** Changes when anything was written, by this connection or another. */
  private version(): string {
    return `${String(this.db.pragma('data_version', { simple: true }))}:${String(this.db.prepare('SELECT total_changes()').pluck().get())}`;
  }

  private entry(filter: TimeFilter): { version: string; months?: TimelineMonth[]; count?: number } {
    const id = JSON.stringify(filter);
    const version = this.version();
    let entry = this.cache.get(id);
    if (!entry || entry.version !== version) {
      entry = { version };
      this.cache.set(id, entry);
      if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value!);
    }
    return entry;
  }

  page(filter: TimeFilter, at: PagePosition, limit: number): ItemRow[] {
    const params: unknown[] = [];
    let sql = `SELECT i.*, r.path AS root_path, ${PLACE_COLUMNS} FROM items i INDEXED BY items_by_time JOIN roots r ON r.id = i.root_id ${PLACE_JOIN} WHERE ${where(filter, params)}`;
    if (at.from !== null) {
      sql += ' AND i.taken_at < ?';
      params.push(at.from);
    }
    if (at.below) {
      sql += ' AND (i.taken_at < ? OR (i.taken_at = ? AND i.id < ?))';
      params.push(at.below.takenAt, at.below.takenAt, at.below.id);
    }
    sql += ' ORDER BY i.taken_at DESC, i.id DESC LIMIT ?';
    params.push(limit);
    return this.db.prepare(sql).all(...params) as ItemRow[];
  }

  /** Every month with items, newest first, with counts (UTC wall-clock months, as taken_at is written). */
  months(filter: TimeFilter): TimelineMonth[] {
    const entry = this.entry(filter);
    return (entry.months ??= this.countMonths(filter));
  }

  private countMonths(filter: TimeFilter): TimelineMonth[] {
    const params: unknown[] = [];
    const rows = this.db
      .prepare(
        `SELECT strftime('%Y-%m', i.taken_at / 1000, 'unixepoch') AS month, count(*) AS count
         FROM items i INDEXED BY items_by_time WHERE ${where(filter, params)} GROUP BY 1 ORDER BY 1 DESC`,
      )
      .all(...params) as { month: string | null; count: number }[];
    return rows.flatMap(({ month, count }) => {
      if (!month) return [];
      const [y, m] = month.split('-').map(Number) as [number, number];
      const start = new Date(0);
      start.setUTCFullYear(y, m - 1, 1);
      const end = new Date(0);
      end.setUTCFullYear(y, m, 1);
      return [{ month, count, start: start.getTime(), end: end.getTime() }];
    });
  }

  count(filter: TimeFilter): number {
    const entry = this.entry(filter);
    return (entry.count ??= this.countAll(filter));
  }

  private countAll(filter: TimeFilter): number {
    const params: unknown[] = [];
    return (this.db.prepare(`SELECT count(*) AS n FROM items i INDEXED BY items_by_time WHERE ${where(filter, params)}`).get(...params) as { n: number }).n;
  }
}
