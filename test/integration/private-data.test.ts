// The library's folder and database are private to their user: they hold the text of every note and every photo's
// OCR. [Note: private-data] A new data folder is created 0700 and its database 0600, and so are the -wal and -shm
// files SQLite makes beside it while the engine writes; a folder or files left open to others by an older Trove (or
// by hand) are closed to them when the library is opened. POSIX permissions only: skipped on Windows.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { tempDir } from '../helpers.js';

/** A path's permission bits, as an octal string for readable failures ('700', '600'). */
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('private data', () => {
  const tmp = tempDir('private-data');
  let umask = 0;
  beforeAll(() => {
    // The usual umask, whatever this machine's is: under 077 everything would be private without Trove doing anything.
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
    tmp.cleanup();
  });

  it('creates a new library private: the folder 0700, the database and its -wal and -shm 0600', async () => {
    const dataDir = join(tmp.dir, 'new', 'data');
    const folder = join(tmp.dir, 'notes');
    mkdirSync(folder);
    const engine = Engine.open({ dataDir, ocr: false });
    try {
      await engine.addRoot({ path: folder }); // a write: SQLite makes the -wal and -shm files
      const db = join(dataDir, 'library.db');
      expect(existsSync(`${db}-wal`) && existsSync(`${db}-shm`), 'the -wal and -shm files while the engine is open').toBe(true);
      expect({ folder: mode(dataDir), db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`) }).toEqual({
        folder: '700',
        db: '600',
        wal: '600',
        shm: '600',
      });
    } finally {
      await engine.close();
    }
  });

  it('closes an existing library to others when it is opened: folder 0755 → 0700, files 0644 → 0600', async () => {
    const dataDir = join(tmp.dir, 'old');
    const db = join(dataDir, 'library.db');
    // A library written before this rule: everything readable by everyone, -wal and -shm left by a crash or a
    // process still running (an engine that stays open keeps them).
    const older = Engine.open({ dataDir, ocr: false });
    try {
      await older.addRoot({ path: tmp.dir });
      for (const [path, m] of [[dataDir, 0o755], [db, 0o644], [`${db}-wal`, 0o644], [`${db}-shm`, 0o644]] as const) chmodSync(path, m);
      expect(mode(dataDir)).toBe('755');

      const engine = Engine.open({ dataDir, ocr: false });
      try {
        expect((await engine.listRoots()).length).toBe(1); // the same library, opened as it was
        expect({ folder: mode(dataDir), db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`) }).toEqual({
          folder: '700',
          db: '600',
          wal: '600',
          shm: '600',
        });
      } finally {
        await engine.close();
      }
    } finally {
      await older.close();
    }
  });
});
