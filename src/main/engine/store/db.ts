// Opens the library database: checks the version, turns on WAL and foreign keys, loads sqlite-vec, migrates.
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { TroveError } from '../../../shared/errors.js';
import { diskFullMessage, freeBytesSync, isDiskFull } from '../disk.js';
import { sqliteBinding, unpackedPath } from '../packaged.js';
import { assertNotFromTheFuture, migrate } from './migrate.js';
import { registerWordFunctions } from './words.js';
import { registerPlaceFunctions } from './places.js';

export type Db = Database.Database;

/**
 * Switches the file to WAL. SQLite answers "database is locked" at once, without its busy handler, when another
 * process is switching or migrating the same new file at that moment; WAL is a property of the file, so waiting a
 * little and asking again settles it (the other process usually set it already).
 */
function enableWal(db: Db): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!/locked|busy/i.test((error as Error).message) || attempt >= 100) throw error;
      Atomics.wait(pause, 0, 0, 10 + attempt * 5); // up to ≈ 26 s in all, on a machine that is very busy
    }
  }
}

/**
 * The database file is private to this user: it holds the text of every note and every photo's OCR. It is created
 * 0600 before SQLite opens it (SQLite gives the -wal and -shm files it creates the database's permissions), and an
 * existing one that others can read is closed to them, together with any -wal and -shm already beside it (left by a
 * crash, or by a process of an older Trove still running: they hold the latest writes, note text included).
 * [Note: private-data]
 */
function privateFile(file: string): void {
  if (process.platform === 'win32' || file === ':memory:') return;
  try {
    closeSync(openSync(file, 'a', 0o600));
  } catch {
    return; // a read-only place or someone else's file: SQLite says what is wrong when it opens it
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const st = statSync(f);
      if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(f, 0o600);
    } catch {
      // not there (no -wal or -shm yet), or not ours to change
    }
  }
}

export function openDatabase(file: string): Db {
  let db: Db;
  privateFile(file);
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
    enableWal(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.loadExtension(unpackedPath(sqliteVec.getLoadablePath())); // SQLite opens it itself: never from app.asar
    registerWordFunctions(db); // the triggers that fill the full-text indexes call them [Note: cjk]
    registerPlaceFunctions(db); // near: [Note: places]
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof TroveError) throw error;
    // A full disk is not a damaged library: say what to free. [Note: disk-full]
    if (isDiskFull(error, dirname(file))) {
      const then = 'then open the library again (nothing in it was lost)';
      throw new TroveError('DISK_FULL', diskFullMessage(dirname(file), freeBytesSync(dirname(file)), then), { cause: error });
    }
    throw new TroveError('DB_CORRUPT', `cannot read the library database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * A read-only connection to a library another connection of this process opened (and migrated): the search reader's
 * [Note: search-reader]. WAL lets it read while that one writes; it never writes, so it needs no migration or lock.
 */
export function openReader(file: string): Db {
  const nativeBinding = sqliteBinding(); // [Note: electron-native]
  const db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
  try {
    db.pragma('busy_timeout = 5000');
    db.loadExtension(unpackedPath(sqliteVec.getLoadablePath()));
    registerWordFunctions(db); // statements the Store prepares name them, though a reader never runs them
    registerPlaceFunctions(db);
    // Searches read vectors and rows at random places in a large file: mapped, a read is a copy from the page cache
    // instead of a system call (an approximate-index KNN at 100k: 1.5 ms → 0.9 ms). [Note: ann]
    db.pragma('mmap_size = 1073741824');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
