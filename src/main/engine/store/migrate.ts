// Applies migrations and refuses databases from the future. [Note: migrations]
// The schema version is SQLite's user_version. All pending migrations run in one transaction, so a crash leaves
// the database at the old version, never half-way. A database whose version is newer than this Trove knows is
// refused before anything is written to it.
import type { Database } from 'better-sqlite3';
import { TroveError } from '../../../shared/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : Math.max(...migrations.map((m) => m.version));
}

/** Refuses a database written by a newer Trove. Call before any write. */
export function assertNotFromTheFuture(db: Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = schemaVersion(db);
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new TroveError(
      'DB_TOO_NEW',
      `this library was written by a newer version of Trove (database version ${current}, this Trove knows up to ${latest}); ` +
        'update Trove to open it, or use another --data-dir. Nothing was changed.',
    );
  }
}

/**
 * Brings the database up to date; returns the versions applied. The version is read again under the write lock:
 * two Trove processes opening a new library at once (the app and a `trove` command) must not both migrate it —
 * the second waits for the first and then finds nothing to do.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertNotFromTheFuture(db, migrations);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  if (schemaVersion(db) >= latestVersion(migrations)) return [];
  let applied: number[] = [];
  db.transaction(() => {
    assertNotFromTheFuture(db, migrations);
    const pending = migrations.filter((m) => m.version > schemaVersion(db));
    for (const m of pending) {
      if (m.sql) db.exec(m.sql);
      m.up?.(db);
    }
    if (pending.length > 0) db.pragma(`user_version = ${latestVersion(migrations)}`);
    applied = pending.map((m) => m.version);
  }).immediate();
  return applied;
}
