// Crash safety: indexing a library of 500 files is killed with SIGKILL at random moments and restarted; at the end
// the database is intact, every file is indexed exactly once, nothing is orphaned, and no file whose work had
// been committed before a kill was embedded again after it. A SIGKILL is a crash like any other [Note: crash-retry]:
// a file that was in flight at two kills (retried alone after the first) is recorded as an error, and only such a
// file; each kill after the first can condemn at most the one file being retried alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASHED } from '../../src/main/engine/ingest/indexer.js';
import { random } from '../fixtures/make-library.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

const PHOTOS = 300;
const NOTES = 200;
const WORDS = ['red', 'blue', 'green', 'harbour', 'kitchen', 'garden', 'train', 'letter', 'yellow', 'grey'];

async function makeLibrary(dir: string): Promise<void> {
  const next = random(99);
  mkdirSync(join(dir, 'photos'), { recursive: true });
  mkdirSync(join(dir, 'notes'), { recursive: true });
  for (let i = 0; i < PHOTOS; i++) {
    const rgb = { r: Math.floor(next() * 256), g: Math.floor(next() * 256), b: Math.floor(next() * 256) };
    await sharp({ create: { width: 96, height: 64, channels: 3, background: rgb } }).png().toFile(join(dir, 'photos', `IMG_${String(i).padStart(4, '0')}.png`));
  }
  for (let i = 0; i < NOTES; i++) {
    const words = Array.from({ length: 40 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
    writeFileSync(join(dir, 'notes', `note-${i}.md`), `# Note ${i}\n\n${words}.\n\n## More\n\n${words}.\n`);
  }
}

/**
 * Runs `trove index` and kills it `killAfterMs` after it starts embedding (or lets it finish); returns the files it
 * started embedding.
 */
function runIndex(lib: string, data: string, killAfterMs: number | null): Promise<{ embedded: string[]; code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/trove.js'), 'index', lib, '--no-ocr', '--model', COLOURS_PACK, '--data-dir', data], {
      env: { ...process.env, TROVE_LOG: 'debug' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (killAfterMs !== null && timer === null && stderr.includes('[ingest/indexer] embedding ')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const embedded = stderr
        .split('\n')
        .filter((l) => l.includes('[ingest/indexer] embedding '))
        .flatMap((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { files: string[] }).files);
      resolve({ embedded, code, signal });
    });
  });
}

/** Files whose current version is committed as embedded. */
function committed(dbFile: string): Set<string> {
  if (!existsSync(dbFile)) return new Set(); // killed before the database existed
  const db = new Database(dbFile, { readonly: true });
  try {
    return new Set(
      db.prepare(`SELECT i.rel_path FROM items i JOIN item_embeddings e ON e.item_id = i.id AND e.hash = i.hash WHERE i.status = 'indexed'`).pluck().all() as string[],
    );
  } catch {
    return new Set(); // killed before the schema was written
  } finally {
    db.close();
  }
}

/** Files recorded as errors because the process died on them twice. */
function crashed(dbFile: string): Set<string> {
  if (!existsSync(dbFile)) return new Set();
  const db = new Database(dbFile, { readonly: true });
  try {
    return new Set(db.prepare(`SELECT rel_path FROM items WHERE status = 'error' AND error = ?`).pluck().all(CRASHED) as string[]);
  } catch {
    return new Set();
  } finally {
    db.close();
  }
}

/** The files the persistent queue holds (found new or changed, not committed). */
function queued(dbFile: string): string[] {
  if (!existsSync(dbFile)) return [];
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(`SELECT rel_path FROM queue ORDER BY priority DESC, queued_at`).pluck().all() as string[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  const tmp = tempDir('crash');
  afterAll(() => tmp.cleanup());

  it('survives SIGKILL at random moments: no loss, no repeat, no orphan, no corruption', async () => {
    const lib = join(tmp.dir, 'lib');
    const data = join(tmp.dir, 'data');
    await makeLibrary(lib);
    const next = random(7);
    let kills = 0;
    let all = PHOTOS + NOTES;
    for (let round = 0; round < 5; round++) {
      const before = committed(join(data, 'library.db'));
      const left = queued(join(data, 'library.db'));
      const run = await runIndex(lib, data, Math.floor(next() * 400));
      if (run.signal === 'SIGKILL') {
        kills++;
        // Killed after embedding began: the queue in SQLite holds exactly the files not committed yet.
        const done = committed(join(data, 'library.db'));
        const waiting = queued(join(data, 'library.db'));
        const gaveUp = crashed(join(data, 'library.db'));
        expect(waiting.filter((f) => done.has(f)), `round ${round}: committed files still queued`).toEqual([]);
        expect(done.size + waiting.length + gaveUp.size, `round ${round}: every file committed, queued or given up`).toBe(all);
        expect(gaveUp.size, `round ${round}: files given up`).toBeLessThanOrEqual(kills - 1);
        // A new file the next scan meets first must still wait behind the work the killed run left queued.
        writeFileSync(join(lib, `000-new-${round}.md`), `# New ${round}\n\nred harbour ${round}\n`);
        all++;
      }
      // A restart resumes where the last run stopped: the files it left queued are embedded first.
      const leftSet = new Set(left);
      const first = run.embedded.slice(0, Math.min(16, left.length));
      expect(first.filter((f) => !leftSet.has(f)), `round ${round}: embedded before the queued files`).toEqual([]);
      const again = run.embedded.filter((f) => before.has(f));
      expect(again, `round ${round}: committed files embedded again`).toEqual([]);
    }
    expect(kills).toBeGreaterThanOrEqual(3); // the test must really have interrupted work in progress
    const before = committed(join(data, 'library.db'));
    const last = await runIndex(lib, data, null);
    expect(last.code).toBe(0);
    expect(last.embedded.filter((f) => before.has(f))).toEqual([]);
    expect(queued(join(data, 'library.db'))).toEqual([]);

    const gaveUp = crashed(join(data, 'library.db'));
    expect(gaveUp.size).toBeLessThanOrEqual(kills - 1);
    const db = new Database(join(data, 'library.db'), { readonly: true });
    sqliteVec.load(db);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const one = (sql: string) => db.prepare(sql).pluck().get() as number;
      expect(one(`SELECT count(*) FROM items WHERE status = 'indexed'`)).toBe(all - gaveUp.size);
      expect(one(`SELECT count(*) FROM items WHERE status = 'error'`)).toBe(gaveUp.size);
      expect(one(`SELECT count(DISTINCT rel_path) FROM items`)).toBe(all);
      const space = one(`SELECT id FROM spaces WHERE state = 'active'`);
      expect(one(`SELECT count(*) FROM items i LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ${space} AND e.hash = i.hash WHERE i.status = 'indexed' AND e.item_id IS NULL`)).toBe(0);
      expect(one(`SELECT count(*) FROM segments WHERE item_id NOT IN (SELECT id FROM items)`)).toBe(0);
      expect(one(`SELECT count(*) FROM vec_space_${space} WHERE segment_id NOT IN (SELECT id FROM segments)`)).toBe(0);
      expect(one(`SELECT count(*) FROM segments s WHERE NOT EXISTS (SELECT 1 FROM vec_space_${space} v WHERE v.segment_id = s.id)`)).toBe(0);
      expect(one(`SELECT count(*) FROM segments WHERE kind = 'image'`)).toBe(PHOTOS - [...gaveUp].filter((f) => f.startsWith('photos/')).length);
    } finally {
      db.close();
    }
  }, 240_000);
});
