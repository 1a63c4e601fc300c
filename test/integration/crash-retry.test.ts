// No file can crash-loop a library. [Note: crash-retry]
// `trove index` is killed (SIGKILL, as the kernel kills a process out of memory) while it reads one slow file. The
// next run tries that file again, alone; killed on it a second time, the run after records it as an error with the
// reason and indexes everything else. It is not read again until it changes. Ctrl+C (SIGINT) is not a crash: the run
// stops after the files in hand and leaves nothing counted against them.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASHED } from '../../src/main/engine/ingest/indexer.js';
import { random } from '../fixtures/make-library.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

const WORDS = ['red', 'blue', 'green', 'harbour', 'kitchen', 'garden', 'train', 'letter', 'yellow', 'grey'];

/** Runs `trove index`; `killOn` sends `signal` as soon as it starts reading that file. */
function runIndex(lib: string, data: string, killOn: string | null, signal: NodeJS.Signals = 'SIGKILL') {
  return new Promise<{ code: number | null; signal: string | null; read: string[]; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/trove.js'), 'index', lib, '--no-ocr', '--model', COLOURS_PACK, '--data-dir', data], {
      env: { ...process.env, TROVE_LOG: 'debug' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (killOn && !sent && stderr.includes(`reading {"path":"${killOn}"}`)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code, sig) => {
      const read = stderr
        .split('\n')
        .filter((l) => l.includes('[ingest/indexer] reading '))
        .map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { path: string }).path);
      resolve({ code, signal: sig, read, stderr });
    });
  });
}

function query<T>(dbFile: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe('a file the process dies on', () => {
  const tmp = tempDir('crash-retry');
  afterAll(() => tmp.cleanup());
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  const dbFile = join(data, 'library.db');

  it('is retried once, alone, then recorded as an error and skipped until it changes', async () => {
    mkdirSync(join(lib, 'notes'), { recursive: true });
    const next = random(5);
    const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
    for (let i = 0; i < 40; i++) writeFileSync(join(lib, 'notes', `note-${String(i).padStart(2, '0')}.md`), `# Note ${i}\n\n${words(30)}.\n`);
    // Slow to chunk (a few seconds), so a kill lands while it is being read.
    writeFileSync(join(lib, 'notes', 'note-20-heavy.txt'), `${words(400_000)}\n`);
    const heavy = 'notes/note-20-heavy.txt';

    const first = await runIndex(lib, data, heavy);
    expect(first.signal).toBe('SIGKILL');
    expect(query<{ attempts: number }>(dbFile, 'SELECT attempts FROM queue WHERE rel_path = ?', heavy)).toEqual([{ attempts: 1 }]);

    // The files that were in flight are retried first, each alone: when the process dies on the heavy one again, it
    // is the only file in flight, and the only one blamed twice.
    const suspects = query<{ path: string }>(dbFile, 'SELECT rel_path AS path FROM queue WHERE attempts > 0').map((r) => r.path);
    expect(suspects).toContain(heavy);
    const second = await runIndex(lib, data, heavy);
    expect(second.signal).toBe('SIGKILL');
    const before = second.read.slice(0, second.read.indexOf(heavy));
    expect(before.every((f) => suspects.includes(f))).toBe(true);
    const stillQueued = query<{ path: string }>(dbFile, 'SELECT rel_path AS path FROM queue').map((r) => r.path);
    expect(before.filter((f) => stillQueued.includes(f)), 'read alone, so committed before the heavy file was read').toEqual([]);
    expect(query(dbFile, 'SELECT rel_path AS path, attempts FROM queue WHERE attempts >= 2')).toEqual([{ path: heavy, attempts: 2 }]);

    // Twice is enough: the third run does not read it, says why, and indexes the rest.
    const third = await runIndex(lib, data, null);
    expect(third.code).toBe(0);
    expect(third.read).not.toContain(heavy);
    expect(query(dbFile, `SELECT rel_path AS path, status, error FROM items WHERE status = 'error'`)).toEqual([{ path: heavy, status: 'error', error: CRASHED }]);
    expect(query<{ n: number }>(dbFile, `SELECT count(*) AS n FROM items WHERE status = 'indexed'`)).toEqual([{ n: 40 }]);
    expect(query(dbFile, 'SELECT * FROM queue')).toEqual([]);

    // Unchanged, it stays skipped; changed, it is read again (and this time it is let through).
    const fourth = await runIndex(lib, data, null);
    expect(fourth.read).toEqual([]);
    appendFileSync(join(lib, heavy), 'a new last line\n');
    const fifth = await runIndex(lib, data, null);
    expect(fifth.code).toBe(0);
    expect(fifth.read).toEqual([heavy]);
    expect(query(dbFile, `SELECT status FROM items WHERE rel_path = ?`, heavy)).toEqual([{ status: 'indexed' }]);
  }, 240_000);

  it('is not blamed for a Ctrl+C: the run stops after the files in hand', async () => {
    appendFileSync(join(lib, 'notes/note-20-heavy.txt'), 'and another\n');
    const stopped = await runIndex(lib, data, 'notes/note-20-heavy.txt', 'SIGINT');
    expect(stopped.code).toBe(0);
    expect(stopped.stderr, stopped.stderr.slice(-2000)).toMatch(/stopping after the files in hand/);
    expect(query(dbFile, 'SELECT * FROM queue WHERE attempts > 0')).toEqual([]);
    expect(query(dbFile, `SELECT status FROM items WHERE rel_path = 'notes/note-20-heavy.txt'`)).toEqual([{ status: 'indexed' }]);
  }, 120_000);
});
