// The indexing queue: files found new or changed, not yet committed. [Note: queue]
import type { Db } from './db.js';

export const PRIORITY = { backfill: 0, live: 1 } as const;

export interface QueuedFile {
  readonly rootId: number;
  readonly relPath: string;
  readonly priority: number;
  readonly queuedAt: number;
  /** Runs that started on this file and did not commit it: the process died (or was killed) while on it. */
  readonly attempts: number;
}

/** A file the process died on this many times is recorded as an error instead of being read again. [Note: crash-retry] */
export const MAX_ATTEMPTS = 2;

export class QueueRepo {
  private readonly addStmt;
  private readonly removeStmt;
  private readonly listStmt;
  private readonly countStmt;
  private readonly staleStmt;
  private readonly getStmt;
  private readonly attemptStmt;
  private readonly unattemptStmt;

  constructor(private readonly db: Db) {
    // A file queued again keeps its place (the earlier time) and the higher of the two priorities.
    this.addStmt = db.prepare<[number, string, number, number]>(
      `INSERT INTO queue (root_id, rel_path, priority, queued_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (root_id, rel_path) DO UPDATE SET priority = max(priority, excluded.priority)`,
    );
    this.removeStmt = db.prepare<[number, string]>('DELETE FROM queue WHERE root_id = ? AND rel_path = ?');
    this.listStmt = db.prepare<[number]>(
      'SELECT root_id AS rootId, rel_path AS relPath, priority, queued_at AS queuedAt, attempts FROM queue WHERE root_id = ? ORDER BY priority DESC, queued_at',
    );
    this.countStmt = db.prepare<[]>('SELECT count(*) AS n FROM queue');
    this.getStmt = db.prepare<[number, string]>(
      'SELECT root_id AS rootId, rel_path AS relPath, priority, queued_at AS queuedAt, attempts FROM queue WHERE root_id = ? AND rel_path = ?',
    );
    this.attemptStmt = db.prepare<[number, string]>('UPDATE queue SET attempts = attempts + 1 WHERE root_id = ? AND rel_path = ?');
    this.unattemptStmt = db.prepare<[number, string]>('UPDATE queue SET attempts = max(0, attempts - 1) WHERE root_id = ? AND rel_path = ?');
    this.staleStmt = db.prepare<[number, number, number]>('DELETE FROM queue WHERE root_id = ? AND queued_at < ? AND priority <= ?');
  }

  /** Queues files of a root (in one transaction with the caller's, or its own). */
  add(rootId: number, relPaths: Iterable<string>, priority: number, now = Date.now()): void {
    this.db.transaction(() => {
      for (const rel of relPaths) this.addStmt.run(rootId, rel, priority, now);
    })();
  }

  /** Called inside the transaction that commits the file's item. */
  remove(rootId: number, relPath: string): void {
    this.removeStmt.run(rootId, relPath);
  }

  /** A root's queue, highest priority first, then oldest first. */
  forRoot(rootId: number): QueuedFile[] {
    return this.listStmt.all(rootId) as QueuedFile[];
  }

  /** The rows of these files (a run over a few paths need not list a backfill's whole queue). */
  some(rootId: number, relPaths: Iterable<string>): QueuedFile[] {
    const out: QueuedFile[] = [];
    for (const rel of relPaths) {
      const row = this.getStmt.get(rootId, rel) as QueuedFile | undefined;
      if (row) out.push(row);
    }
    return out;
  }

  /**
   * Written (and committed) before a run reads these files: if the process dies before their group commits, the
   * count stays raised and the next run knows it was on them. [Note: crash-retry]
   */
  attempt(files: Iterable<{ readonly rootId: number; readonly relPath: string }>): void {
    this.db.transaction(() => {
      for (const f of files) this.attemptStmt.run(f.rootId, f.relPath);
    })();
  }

  /** Takes back `attempt` for files a run read ahead and then did not work on (it was asked to stop). */
  unattempt(files: Iterable<{ readonly rootId: number; readonly relPath: string }>): void {
    this.db.transaction(() => {
      for (const f of files) this.unattemptStmt.run(f.rootId, f.relPath);
    })();
  }

  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }

  /**
   * After a complete run over a root: rows queued before the run began that it did not commit name files that are
   * gone (a file deleted while Trove was closed). Live rows queued since are kept.
   */
  dropStale(rootId: number, before: number, maxPriority: number = PRIORITY.backfill): void {
    this.staleStmt.run(rootId, before, maxPriority);
  }
}
