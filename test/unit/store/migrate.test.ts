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

describe('migration 3: text segments per space', () => {
  it('keeps ids, FTS rows and vectors, gives text segments to the active space, and keeps the vector triggers', async () => {
    const { MIGRATIONS } = await import('../../../src/main/engine/store/migrations/index.js');
    const sqliteVec = await import('sqlite-vec');
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    sqliteVec.load(db);
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`
      INSERT INTO roots (id, path, added_at) VALUES (1, '/lib', 0);
      INSERT INTO items (id, root_id, rel_path, kind, size, mtime, hash, status, title) VALUES
        (1, 1, 'a.jpg', 'photo', 1, 1, 'h1', 'indexed', 'a'), (2, 1, 'b.md', 'note', 1, 1, 'h2', 'indexed', 'b');
      INSERT INTO spaces (id, model_id, revision, dimensions, state, created_at) VALUES (7, 'm', '1', 2, 'active', 0);
      CREATE VIRTUAL TABLE vec_space_7 USING vec0(segment_id INTEGER PRIMARY KEY, embedding float[2] distance_metric=cosine, kind TEXT, item_id INTEGER, taken_at INTEGER);
      CREATE TRIGGER vec_space_7_segment_gone AFTER DELETE ON segments BEGIN DELETE FROM vec_space_7 WHERE segment_id = old.id; END;
      INSERT INTO segments (id, item_id, kind, ordinal, text) VALUES (10, 1, 'image', 0, NULL), (11, 1, 'ocr', 1, 'harbour museum'), (20, 2, 'text', 0, 'sea walk');
    `);
    const ins = db.prepare('INSERT INTO vec_space_7 (segment_id, embedding, kind, item_id, taken_at) VALUES (?, ?, ?, ?, 0)');
    for (const [seg, item, kind] of [[10n, 1n, 'photo'], [11n, 1n, 'photo'], [20n, 2n, 'note']] as const) ins.run(seg, Buffer.from(new Float32Array([1, 0]).buffer), kind, item);

    expect(migrate(db)).toEqual(Array.from({ length: latestVersion() - 2 }, (_, i) => i + 3)); // and every later migration
    expect(db.prepare('SELECT id, space_id FROM segments ORDER BY id').all()).toEqual([
      { id: 10, space_id: null },
      { id: 11, space_id: 7 },
      { id: 20, space_id: 7 },
    ]);
    expect(db.prepare(`SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'sea'`).pluck().all()).toEqual([20]);
    expect(db.prepare(`SELECT rowid FROM ocr_fts WHERE ocr_fts MATCH 'arbou'`).pluck().all()).toEqual([11]);
    expect(db.prepare('SELECT count(*) FROM vec_space_7').pluck().get()).toBe(3);
    db.prepare('DELETE FROM items WHERE id = 1').run();
    expect(db.prepare('SELECT segment_id FROM vec_space_7').pluck().all()).toEqual([20]);
    expect(db.prepare(`SELECT count(*) FROM ocr_fts WHERE ocr_fts MATCH 'arbou'`).pluck().get()).toBe(0);
  });
});
