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

/** Brings the database up to date; returns the versions applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertNotFromTheFuture(db, migrations);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) {
      if (m.sql) db.exec(m.sql);
      m.up?.(db);
    }
    db.pragma(`user_version = ${latestVersion(migrations)}`);
  }).immediate();
  return pending.map((m) => m.version);
}
