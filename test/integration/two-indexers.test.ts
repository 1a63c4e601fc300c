// One indexer per library [Note: index-lock]: two `trove index` processes started on one library at the same moment
// do the work once between them. The second waits for the first (and says so: "another Trove process (pid N) is
// indexing this library…"), then finds every file done; no file is embedded by both. A lock left behind by a process
// that was killed is taken over at once, since its pid is gone, not after the heartbeat goes stale.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random } from '../fixtures/make-library.js';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../helpers.js';

const PHOTOS = 100;
const NOTES = 300; // ≈ 3 KB each: long enough a run that the two processes, started together, overlap
const WORDS = ['red', 'blue', 'green', 'harbour', 'kitchen', 'garden', 'train', 'letter', 'yellow', 'grey'];
const WAITING = /^trove: another Trove process \(pid (\d+)\) is indexing this library/m;

async function makeLibrary(dir: string): Promise<string[]> {
  const next = random(11);
  const files: string[] = [];
  mkdirSync(join(dir, 'photos'), { recursive: true });
  mkdirSync(join(dir, 'notes'), { recursive: true });
  for (let i = 0; i < PHOTOS; i++) {
    const background = { r: Math.floor(next() * 256), g: Math.floor(next() * 256), b: Math.floor(next() * 256) };
    await sharp({ create: { width: 64, height: 48, channels: 3, background } }).png().toFile(join(dir, 'photos', `IMG_${i}.png`));
    files.push(`photos/IMG_${i}.png`);
  }
  for (let i = 0; i < NOTES; i++) {
    const para = () => Array.from({ length: 80 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
    writeFileSync(join(dir, 'notes', `note-${i}.md`), `# Note ${i}\n\n${Array.from({ length: 5 }, para).join('.\n\n')}.\n`);
    files.push(`notes/note-${i}.md`);
  }
  return files.sort();
}

interface Run {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  /** The files this process embedded, from its `[ingest/indexer] embedding` lines (TROVE_LOG=debug). */
  readonly embedded: string[];
}

/**
 * Starts `trove index` on the library; `kill(stderr)` is asked on each piece of output and kills the process
 * (SIGKILL) when it says so. Killed anyway after `timeoutMs`, so a process waiting for ever fails the test in time.
 */
function startIndex(
  lib: string,
  data: string,
  kill: (stderr: string) => boolean = () => false,
  timeoutMs = 50_000,
  signal: NodeJS.Signals = 'SIGKILL',
): { pid: number; done: Promise<Run> } {
  const child = spawn(process.execPath, [join(REPO, 'bin/trove.js'), 'index', lib, '--no-ocr', '--model', COLOURS_PACK, '--data-dir', data], {
    cwd: REPO,
    env: { ...process.env, TROVE_LOG: 'debug' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (child.exitCode === null && child.signalCode === null && !sent && kill(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const embedded = stderr
        .split('\n')
        .filter((l) => l.includes('[ingest/indexer] embedding '))
        .flatMap((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { files: string[] }).files);
      resolve({ pid: child.pid!, code, signal, stderr, embedded });
    });
  });
  return { pid: child.pid!, done };
}

/** What a run printed besides its debug lines, for failure messages. */
const said = (r: Run) => r.stderr.split('\n').filter((l) => !l.includes(' DEBUG ')).slice(-10).join('\n');

/** The library as committed: indexed files (with their vectors' record) by path, and what is still queued or locked. */
function library(data: string): { indexed: string[]; items: number; queued: number; locks: number } {
  const db = new Database(join(data, 'library.db'), { readonly: true });
  try {
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      indexed: db
        .prepare(`SELECT i.rel_path FROM items i JOIN item_embeddings e ON e.item_id = i.id AND e.hash = i.hash WHERE i.status = 'indexed' ORDER BY i.rel_path`)
        .pluck()
        .all() as string[],
      items: n('SELECT count(*) FROM items'),
      queued: n('SELECT count(*) FROM queue'),
      locks: n('SELECT count(*) FROM index_lock'),
    };
  } finally {
    db.close();
  }
}

describe('one indexer per library', () => {
  const tmp = tempDir('two-indexers');
  const lib = join(tmp.dir, 'lib');
  let files: string[] = [];
  beforeAll(async () => {
    files = await makeLibrary(lib);
  });
  afterAll(() => tmp.cleanup());

  it('two `trove index` started together do the work once: the second waits for the first', async () => {
    const data = join(tmp.dir, 'data-together');
    const a = startIndex(lib, data);
    const b = startIndex(lib, data);
    const runs = await Promise.all([a.done, b.done]);
    for (const r of runs) expect(r.code, said(r)).toBe(0);

    // No file embedded by both, every file by one of them.
    const [first, second] = runs as [Run, Run];
    const both = first.embedded.filter((f) => second.embedded.includes(f));
    expect(both, 'files embedded by both processes').toEqual([]);
    expect([...first.embedded, ...second.embedded].sort()).toEqual(files);

    // One of them waited, naming the other; the one that did the work never waited.
    const waited = runs.filter((r) => WAITING.test(r.stderr));
    expect(waited.length, runs.map(said).join('\n---\n')).toBe(1);
    const waiter = waited[0]!;
    const worker = waiter === first ? second : first;
    expect(Number(WAITING.exec(waiter.stderr)![1])).toBe(worker.pid);
    expect(worker.embedded.length).toBe(files.length);

    const after = library(data);
    expect(after.indexed).toEqual(files);
    expect(after.items).toBe(files.length);
    expect(after.queued).toBe(0);
    expect(after.locks).toBe(0); // both released it
  }, 60_000);

  it('takes over at once a lock left by a process that was killed (its pid is gone)', async () => {
    const data = join(tmp.dir, 'data-killed');
    // Killed with SIGKILL once it is embedding: it holds the lock, and cannot release it.
    const killed = await startIndex(lib, data, (stderr) => stderr.includes('[ingest/indexer] embedding ')).done;
    expect(killed.signal).toBe('SIGKILL');
    const left = library(data);
    expect(left.locks, 'the killed process left its lock behind').toBe(1);
    expect(left.indexed.length).toBeLessThan(files.length);

    // A new run must not wait for the dead one (the heartbeat would take a minute to go stale): killed at once if it
    // says it waits.
    const next = await startIndex(lib, data, (stderr) => WAITING.test(stderr)).done;
    expect(next.stderr).not.toMatch(WAITING);
    expect(next.code, said(next)).toBe(0);
    // It did what the killed one had not committed, and nothing twice.
    expect(next.embedded.filter((f) => left.indexed.includes(f))).toEqual([]);
    const after = library(data);
    expect(after.indexed).toEqual(files);
    expect(after.items).toBe(files.length);
    expect(after.queued).toBe(0);
    expect(after.locks).toBe(0);
  }, 60_000);

  it('lets Ctrl+C stop a run that waits for another: no error, nothing started', async () => {
    const data = join(tmp.dir, 'data-interrupted');
    const a = startIndex(lib, data);
    // The first holds the lock before the second starts (they would otherwise race for it).
    await eventually(() => {
      try {
        return library(data).locks === 1;
      } catch {
        return false; // not created yet
      }
    }, 'the first run to take the lock', 30_000);
    // The second is interrupted (SIGINT, as Ctrl+C) as soon as it says it waits.
    const b = await startIndex(lib, data, (stderr) => WAITING.test(stderr), 50_000, 'SIGINT').done;
    expect(b.stderr, said(b)).toMatch(WAITING);
    expect(b.code, said(b)).toBe(0);
    expect(b.stderr).not.toMatch(/closing|internal error/i);
    expect(b.embedded).toEqual([]);
    const first = await a.done;
    expect(first.code, said(first)).toBe(0);
    expect(library(data).indexed).toEqual(files);
  }, 60_000);
});
