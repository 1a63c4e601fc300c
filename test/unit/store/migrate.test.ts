import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/shared/errors.js';
import { openDatabase } from '../../../src/main/engine/store/db.js';
import { latestVersion, migrate, schemaVersion } from '../../../src/main/engine/store/migrate.js';
import type { Migration } from '../../../src/main/engine/store/migrations/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'trove-migrate-'));

describe('migrations', () => {
  it('bring a new database to the latest version and record it in user_version', () => {
    const db = openDatabase(join(tmp(), 'library.db'));
    expect(schemaVersion(db)).toBe(latestVersion());
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['roots', 'items', 'segments', 'spaces', 'item_embeddings', 'segments_fts']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('apply nothing the second time', () => {
    const file = join(tmp(), 'library.db');
    openDatabase(file).close();
    const db = new Database(file);
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('apply pending migrations in order, in one transaction', () => {
    const db = new Database(':memory:');
    const ms: Migration[] = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (y INTEGER)' },
    ];
    expect(migrate(db, ms.slice(0, 1))).toEqual([1]);
    expect(migrate(db, ms)).toEqual([2]);
    expect(schemaVersion(db)).toBe(2);
  });

  it('roll back every pending migration when one fails', () => {
    const db = new Database(':memory:');
    const ms: Migration[] = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE oops (' },
    ];
    expect(() => migrate(db, ms)).toThrow();
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'a'`).pluck().get()).toBe(0);
  });

  it('refuse versions with gaps', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', sql: 'SELECT 1' }])).toThrow(/expected 1/);
  });

  it('refuse a database from a newer Trove with a clear error and leave it byte-for-byte untouched', () => {
    const file = join(tmp(), 'future.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future_things (x INTEGER)');
    raw.pragma(`user_version = ${latestVersion() + 5}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TroveError);
    expect((error as TroveError).code).toBe('DB_TOO_NEW');
    expect((error as TroveError).message).toMatch(/newer version of Trove .*update Trove/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('report a file that is not a database as DB_CORRUPT', async () => {
    const file = join(tmp(), 'junk.db');
    (await import('node:fs')).writeFileSync(file, 'this is not a database, just some text that is long enough'.repeat(100));
    expect(() => openDatabase(file)).toThrowError(expect.objectContaining({ code: 'DB_CORRUPT' }) as Error);
  });
});
