// What keeps one file, one link or a second process from taking a library down: tries of the one-at-a-time steps,
// paths a scan did not follow, and the index lock. [Note: crash-retry] [Note: symlinks] [Note: index-lock]
import type { Db } from './db.js';

export type Step = 'ocr' | 'transcribe';

/** Tries of the later, one-at-a-time steps of an item (OCR, transcription), per content hash. [Note: crash-retry] */
export class StepTriesRepo {
  private readonly beginStmt;
  private readonly clearStmt;

  constructor(db: Db) {
    // A new hash starts the count again: a changed file deserves a fresh try.
    this.beginStmt = db.prepare<[number, Step, string], { tries: number }>(
      `INSERT INTO step_tries (item_id, step, hash, tries) VALUES (?, ?, ?, 1)
       ON CONFLICT (item_id, step) DO UPDATE SET tries = CASE WHEN hash = excluded.hash THEN tries + 1 ELSE 1 END, hash = excluded.hash
       RETURNING tries`,
    );
    this.clearStmt = db.prepare<[number, Step]>('DELETE FROM step_tries WHERE item_id = ? AND step = ?');
  }

  /** Written before the step starts on the item; the count of tries including this one. */
  begin(itemId: number, step: Step, hash: string): number {
    return this.beginStmt.get(itemId, step, hash)!.tries;
  }

  /** The step finished (or gave up cleanly) on the item. */
  clear(itemId: number, step: Step): void {
    this.clearStmt.run(itemId, step);
  }
}

export interface SkippedPath {
  readonly rootId: number;
  readonly relPath: string;
  readonly reason: string;
}

/** Paths a scan met and did not follow, with the reason (a link that leads outside its folder). [Note: symlinks] */
export class SkippedRepo {
  private readonly clearRootStmt;
  private readonly putStmt;
  private readonly dropStmt;
  private readonly listStmt;
  private readonly countStmt;

  constructor(private readonly db: Db) {
    this.clearRootStmt = db.prepare<[number]>('DELETE FROM skipped WHERE root_id = ?');
    this.putStmt = db.prepare<[number, string, string, number]>(
      `INSERT INTO skipped (root_id, rel_path, reason, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (root_id, rel_path) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at`,
    );
    this.dropStmt = db.prepare<[number, string, string]>("DELETE FROM skipped WHERE root_id = ? AND (rel_path = ? OR rel_path LIKE ? ESCAPE '\\')");
    this.listStmt = db.prepare<[number], SkippedPath>(
      'SELECT root_id AS rootId, rel_path AS relPath, reason FROM skipped ORDER BY root_id, rel_path LIMIT ?',
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM skipped');
  }

  /** After a complete scan of a root: what it skipped, replacing what the last one did. */
  replaceRoot(rootId: number, paths: readonly { relPath: string; reason: string }[], now = Date.now()): void {
    this.db.transaction(() => {
      this.clearRootStmt.run(rootId);
      for (const p of paths) this.putStmt.run(rootId, p.relPath, p.reason, now);
    })();
  }

  /** After a scan of some paths (the watcher's): these are skipped now; the others under `checked` are not. */
  update(rootId: number, checked: Iterable<string>, skipped: readonly { relPath: string; reason: string }[], now = Date.now()): void {
    this.db.transaction(() => {
      for (const rel of checked) this.dropStmt.run(rootId, rel, `${rel.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`);
      for (const p of skipped) this.putStmt.run(rootId, p.relPath, p.reason, now);
    })();
  }

  list(limit = 1000): SkippedPath[] {
    return this.listStmt.all(limit);
  }

  count(): number {
    return this.countStmt.get()!.n;
  }
}

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly started: number;
  readonly beat: number;
}

/**
 * Which process indexes the library. [Note: index-lock] Taken and released in SQLite transactions, so two
 * processes can never both believe they hold it; a holder whose heartbeat is older than `staleMs`, or whose process
 * is gone (same host), has died and the lock is taken over.
 */
export class IndexLockRepo {
  private readonly getStmt;
  private readonly putStmt;
  private readonly beatStmt;
  private readonly releaseStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[], LockHolder>('SELECT pid, host, token, started, beat FROM index_lock WHERE id = 1');
    this.putStmt = db.prepare<[number, string, string, number, number]>(
      'INSERT OR REPLACE INTO index_lock (id, pid, host, token, started, beat) VALUES (1, ?, ?, ?, ?, ?)',
    );
    this.beatStmt = db.prepare<[number, string]>('UPDATE index_lock SET beat = ? WHERE id = 1 AND token = ?');
    this.releaseStmt = db.prepare<[string]>('DELETE FROM index_lock WHERE id = 1 AND token = ?');
  }

  holder(): LockHolder | undefined {
    return this.getStmt.get();
  }

  /** Takes the lock unless a live holder has it; answers that holder, or null when taken. */
  tryTake(me: { pid: number; host: string; token: string }, alive: (h: LockHolder) => boolean, now = Date.now()): LockHolder | null {
    return this.db.transaction(() => {
      const h = this.getStmt.get();
      if (h && h.token !== me.token && alive(h)) return h;
      this.putStmt.run(me.pid, me.host, me.token, h && h.token === me.token ? h.started : now, now);
      return null;
    }).immediate();
  }

  /** Says the holder `token` is alive; false when the lock is not (or no longer) its own: it was taken over. */
  beat(token: string, now = Date.now()): boolean {
    return this.beatStmt.run(now, token).changes === 1;
  }

  release(token: string): void {
    this.releaseStmt.run(token);
  }
}
