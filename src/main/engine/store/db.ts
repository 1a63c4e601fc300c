// Opens the library database: checks the version, turns on WAL and foreign keys, loads sqlite-vec, migrates.
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { TroveError } from '../../../shared/errors.js';
import { sqliteBinding, unpackedPath } from '../packaged.js';
import { assertNotFromTheFuture, migrate } from './migrate.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  let db: Db;
  try {
    const nativeBinding = sqliteBinding(); // [Note: electron-native]
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    throw new TroveError('DB_CORRUPT', `cannot open the library database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    db.pragma('busy_timeout = 5000');
    assertNotFromTheFuture(db); // before WAL or anything else writes to the file
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.loadExtension(unpackedPath(sqliteVec.getLoadablePath())); // SQLite opens it itself: never from app.asar
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof TroveError) throw error;
    throw new TroveError('DB_CORRUPT', `cannot read the library database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
