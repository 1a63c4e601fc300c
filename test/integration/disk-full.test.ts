// A full disk under the library [Note: disk-full]: the library's data folder lives on a small tmpfs that the index
// outgrows part-way. The run must not fail: it says the disk is full (progress `waiting`, printed by `trove index`),
// waits, and once the file system has room again finishes by itself, every file indexed exactly once and the
// database intact. An API call that writes while the disk is full answers DISK_FULL, not INTERNAL, and a library a
// full disk keeps from opening is said to be on a full disk, not damaged.
// Mounting needs root, or a user namespace of our own (`unshare`); where neither is allowed the cases are skipped.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { random } from '../fixtures/make-library.js';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../helpers.js';

const MB = 1024 * 1024;
const NOTES = 400; // ≈ 4 KB each, 18 chunks of the fixture pack's 32 tokens: a library of ≈ 5 MB
const PHOTOS = 100;
const SMALL = 3 * MB; // room for the new database, its queue and a part of the items; not for all of them
const ROOMY = 64 * MB;
const WORDS = ['red', 'blue', 'green', 'harbour', 'kitchen', 'garden', 'train', 'letter', 'yellow', 'grey', 'morning', 'quiet', 'shore'];

/**
 * How this machine can mount a tmpfs: directly (root), inside a user and mount namespace of our own (`unshare`;
 * this process then reaches the files through /proc/<pid>/root), or not at all.
 */
function mountable(): 'mount' | 'unshare' | null {
  if (process.platform !== 'linux') return null;
  const dir = mkdtempSync(join(tmpdir(), 'trove-tmpfs-probe-'));
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0) {
      spawnSync('umount', [dir]);
      return 'mount';
    }
    const ns = spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$1"', 'sh', dir]);
    return ns.status === 0 ? 'unshare' : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const how = mountable();
if (!how) console.warn('disk-full.test.ts: this machine cannot mount a tmpfs (not root, no user namespaces), so the full-disk cases are skipped');

interface Tmpfs {
  /** The file system's root as Trove, started by `node`, sees it. */
  readonly path: string;
  /** The same folder as this process reaches it (in a namespace of our own: through /proc/<pid>/root). */
  readonly here: string;
  /** Runs `node args` where the tmpfs is at `path`. */
  node(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams;
  /** Gives the file system room (ROOMY in all), as a person freeing space would. */
  grow(): void;
  /** Unmounts it; safe to call twice. */
  close(): void;
}

/**
 * A tmpfs of `size` bytes at `dir`. As root it is mounted there and grown by `mount -o remount,size=…`. Otherwise
 * it lives in a user and mount namespace held by a child process, entered with nsenter (a tmpfs mounted in a user
 * namespace cannot be remounted, so it is made ROOMY and filled but for `size` bytes by a reserve that `grow`
 * deletes). SQLite resolves /proc/<pid>/root to `/`, so only a process inside the namespace can open the database.
 */
async function tmpfs(dir: string, size: number): Promise<Tmpfs> {
  mkdirSync(dir, { recursive: true });
  if (how === 'mount') {
    const run = (args: string[]) => {
      const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    };
    run(['mount', '-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
    let mounted = true;
    return {
      path: dir,
      here: dir,
      node: (args, env) => spawn(process.execPath, args, { cwd: REPO, env, stdio: 'pipe' }),
      grow: () => run(['mount', '-o', `remount,size=${ROOMY}`, dir]),
      close: () => {
        if (!mounted) return;
        mounted = false;
        if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]); // lazily, if something still holds it
      },
    };
  }
  // The holder lives while its stdin is open: if this process dies, the namespace and its tmpfs go with it.
  const holder = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', `mount -t tmpfs -o size=${ROOMY} tmpfs "$1" && echo mounted && exec cat >/dev/null`, 'sh', dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`unshare exited with ${code}`)));
  });
  const here = `/proc/${holder.pid}/root${dir}`;
  const reserve = join(here, '.reserve');
  writeFileSync(reserve, Buffer.alloc(ROOMY - size));
  return {
    path: dir,
    here,
    node: (args, env) =>
      spawn('nsenter', ['--target', String(holder.pid), '--user', '--mount', '--preserve-credentials', `--wd=${REPO}`, process.execPath, ...args], { env, stdio: 'pipe' }),
    grow: () => rmSync(reserve),
    close: () => {
      holder.stdin.end();
      holder.kill();
    },
  };
}

/** Runs a child to its end: its exit code and output; killed (code null) after `timeoutMs`. */
function finish(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes into `dir` until its disk has not a byte left; returns the file to delete to free it. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  try {
    for (const size of [MB, 4096, 1]) {
      const block = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

async function makeLibrary(dir: string): Promise<string[]> {
  const next = random(5);
  const files: string[] = [];
  mkdirSync(join(dir, 'notes'), { recursive: true });
  mkdirSync(join(dir, 'photos'), { recursive: true });
  for (let i = 0; i < NOTES; i++) {
    const para = () => Array.from({ length: 80 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
    writeFileSync(join(dir, 'notes', `note-${i}.md`), `# Note ${i}\n\n${Array.from({ length: 6 }, para).join('.\n\n')}.\n`);
    files.push(`notes/note-${i}.md`);
  }
  for (let i = 0; i < PHOTOS; i++) {
    const background = { r: Math.floor(next() * 256), g: Math.floor(next() * 256), b: Math.floor(next() * 256) };
    await sharp({ create: { width: 64, height: 48, channels: 3, background } }).png().toFile(join(dir, 'photos', `IMG_${i}.png`));
    files.push(`photos/IMG_${i}.png`);
  }
  return files;
}

describe.skipIf(!how)('a full disk', () => {
  const tmp = tempDir('disk-full');
  const mounts: Tmpfs[] = [];
  const children: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const m of mounts) m.close();
    tmp.cleanup();
  });

  it('answers DISK_FULL to an API call that writes, not INTERNAL, and takes it once there is room', async () => {
    const disk = await tmpfs(join(tmp.dir, 'mnt-api'), 8 * MB);
    mounts.push(disk);
    const folder = join(tmp.dir, 'folder');
    const other = join(tmp.dir, 'other');
    mkdirSync(folder);
    mkdirSync(other);
    // The engine runs where the tmpfs is (see tmpfs): it opens a new library there, then fills the disk to its
    // last byte and calls the API through the one dispatcher the front doors use.
    const script = `
      import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
      const { Engine } = await import(${JSON.stringify(join(REPO, 'src/main/engine/index.ts'))});
      const { dispatch } = await import(${JSON.stringify(join(REPO, 'src/shared/dispatch.ts'))});
      const filler = ${JSON.stringify(join(disk.path, 'filler'))};
      const engine = Engine.open({ dataDir: ${JSON.stringify(join(disk.path, 'data'))}, ocr: false });
      const out = {};
      try {
        const root = await engine.addRoot({ path: ${JSON.stringify(folder)} });
        const fd = openSync(filler, 'w');
        for (const size of [1048576, 4096, 1]) {
          const block = Buffer.alloc(size, 1);
          try {
            for (;;) writeSync(fd, block);
          } catch (error) {
            if (error.code !== 'ENOSPC') throw error;
          }
        }
        closeSync(fd);
        out.updateRoot = await dispatch(engine, 'updateRoot', { id: root.id, ignore: ['*.tmp'] });
        out.addRoot = await dispatch(engine, 'addRoot', { path: ${JSON.stringify(other)} });
        out.read = await dispatch(engine, 'listRoots', {});
        rmSync(filler);
        out.again = await dispatch(engine, 'updateRoot', { id: root.id, ignore: ['*.tmp'] });
      } finally {
        await engine.close();
      }
      console.log(JSON.stringify(out));
    `;
    const run = await finish(disk.node(['--import', 'tsx', '--input-type=module', '-e', script], { ...process.env, TROVE_LOG: 'warn' }), 45_000);
    expect(run.code, run.stderr).toBe(0);
    type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
    const out = JSON.parse(run.stdout) as Record<'updateRoot' | 'addRoot' | 'read' | 'again', Answer>;
    const diskFull = { ok: false, error: { code: 'DISK_FULL', message: expect.stringMatching(/disk .* is full: free some space/) as unknown } };
    expect(out.updateRoot).toEqual(diskFull);
    expect(out.addRoot).toEqual(diskFull);
    // Reading still works, and the refused writes left nothing half-done.
    expect(out.read).toEqual({ ok: true, value: [expect.objectContaining({ path: folder, ignore: [] })] });
    expect(out.again).toEqual({ ok: true, value: expect.objectContaining({ path: folder, ignore: ['*.tmp'] }) as unknown });
  });

  it('makes a run that starts on a full disk wait for room (the index lock and the space are writes too)', async () => {
    const disk = await tmpfs(join(tmp.dir, 'mnt-start'), 8 * MB);
    mounts.push(disk);
    const lib = join(tmp.dir, 'start-lib');
    mkdirSync(lib);
    for (let i = 0; i < 30; i++) writeFileSync(join(lib, `note-${i}.md`), `# Note ${i}\n\nred harbour garden ${i}\n`);
    const script = `
      import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
      const { Engine } = await import(${JSON.stringify(join(REPO, 'src/main/engine/index.ts'))});
      const filler = ${JSON.stringify(join(disk.path, 'filler'))};
      const engine = Engine.open({ dataDir: ${JSON.stringify(join(disk.path, 'data'))}, model: ${JSON.stringify(COLOURS_PACK)}, ocr: false });
      const out = { waiting: [] };
      engine.on('progress', (p) => p.waiting && out.waiting.push(p.waiting));
      try {
        await engine.addRoot({ path: ${JSON.stringify(lib)} });
        const fd = openSync(filler, 'w');
        for (const size of [1048576, 4096, 1]) {
          const block = Buffer.alloc(size, 1);
          try {
            for (;;) writeSync(fd, block);
          } catch (error) {
            if (error.code !== 'ENOSPC') throw error;
          }
        }
        closeSync(fd);
        const run = engine.indexNow({});
        await new Promise((r) => setTimeout(r, 2000));
        out.waitedBeforeRoom = out.waiting.length > 0;
        rmSync(filler);
        out.summary = await run;
      } finally {
        await engine.close();
      }
      console.log(JSON.stringify(out));
    `;
    // A file, not -e: the engine's worker threads would inherit --input-type, which only -e accepts.
    const file = join(tmp.dir, 'start-on-full-disk.mts');
    writeFileSync(file, script);
    const run = await finish(disk.node(['--import', 'tsx', file], { ...process.env, TROVE_LOG: 'warn' }), 45_000);
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    const out = JSON.parse(run.stdout) as { waiting: string[]; waitedBeforeRoom: boolean; summary: { added: number; failed: number } };
    expect(out.waitedBeforeRoom).toBe(true);
    expect(out.waiting[0]).toMatch(/disk that holds Trove's library .* is full/);
    expect(out.summary).toMatchObject({ added: 30, failed: 0 });
  });

  it('says the disk is full, not that the library is damaged, when a full disk keeps it from opening', async () => {
    const disk = await tmpfs(join(tmp.dir, 'mnt-open'), 8 * MB);
    mounts.push(disk);
    const data = join(disk.path, 'data');
    const trove = (args: string[]) =>
      finish(disk.node([join(REPO, 'bin/trove.js'), ...args, '--data-dir', data], { ...process.env, TROVE_LOG: 'warn' }), 30_000);
    expect((await trove(['status'])).code).toBe(0); // a new library, closed again (its -shm goes with the last close)
    const filler = fill(disk.here);
    // Opening needs a few KB for the -shm; SQLite says "disk I/O error" (SQLITE_IOERR_SHMSIZE), which is no damage.
    const full = await trove(['status']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/^trove: the disk that holds Trove's library \(.*\) is full \(0 KB free\): free some space there; then open the library again/m);
    expect(full.stderr).not.toMatch(/cannot read the library database|internal error/);
    rmSync(filler);
    const again = await trove(['status']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Items: 0 /m);
  });

  it('makes `trove index` wait while the disk is full and finish by itself once it has room: nothing lost, nothing twice', async () => {
    const lib = join(tmp.dir, 'lib');
    const files = await makeLibrary(lib);
    const disk = await tmpfs(join(tmp.dir, 'mnt'), SMALL);
    mounts.push(disk);
    const data = join(disk.path, 'data');

    const child = disk.node([join(REPO, 'bin/trove.js'), 'index', lib, '--no-ocr', '--model', COLOURS_PACK, '--data-dir', data], { ...process.env, TROVE_LOG: 'debug' });
    children.push(child);
    const exited = finish(child, 80_000);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const running = () => child.exitCode === null && child.signalCode === null;
    const tail = () => stderr.split('\n').filter((l) => !l.includes(' DEBUG ')).slice(-15).join('\n');

    // The progress event's `waiting`, as `trove index` prints it: the disk, how much is free, what to do.
    const waitingLine = `trove: the disk that holds Trove's library (${data}) is full (`;
    await eventually(() => {
      if (!running()) throw new Error(`trove index ended before the disk filled (exit ${child.exitCode}):\n${tail()}`);
      return stderr.includes(waitingLine);
    }, 'trove index to say the disk is full', 40_000);
    const said = stderr.split('\n').find((l) => l.startsWith(waitingLine))!;
    expect(said).toMatch(/is full \(\d+ KB free\): free some space there; indexing waits and goes on by itself, nothing is lost$/);
    // Mid-run: some groups were written before the disk filled.
    expect(stderr.slice(0, stderr.indexOf(waitingLine))).toContain('[ingest/indexer] embedding ');
    // It waits, rather than failing or going on without its writes.
    await new Promise((r) => setTimeout(r, 1500));
    expect(running(), `trove index should wait for room:\n${tail()}`).toBe(true);
    expect(stderr).not.toContain('the disk has room again');

    disk.grow();
    const run = await exited;
    expect(run.code, tail()).toBe(0);
    expect(stderr).toContain('[ingest/indexer] the disk has room again; indexing goes on');
    expect(run.stdout).toMatch(new RegExp(`^Indexed ${files.length} files .* ${files.length} added`));

    // Each file was embedded once: a write the full disk refused was tried again with the vectors it had.
    const embedded = stderr
      .split('\n')
      .filter((l) => l.includes('[ingest/indexer] embedding '))
      .flatMap((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { files: string[] }).files);
    expect([...embedded].sort()).toEqual([...files].sort());

    // The library, read here (a copy: SQLite cannot open a file through /proc/<pid>/root).
    const file = join(disk.here, 'data', 'library.db');
    expect(statSync(file).size, 'the library outgrew the small disk').toBeGreaterThan(SMALL);
    const copy = join(tmp.dir, 'library.db');
    copyFileSync(file, copy);
    for (const extra of ['-wal', '-shm']) if (existsSync(file + extra)) copyFileSync(file + extra, copy + extra);
    const db = new Database(copy);
    sqliteVec.load(db);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const one = (sql: string) => db.prepare(sql).pluck().get() as number;
      expect(db.prepare(`SELECT rel_path FROM items WHERE status = 'indexed' ORDER BY rel_path`).pluck().all()).toEqual([...files].sort());
      expect(one('SELECT count(*) FROM items')).toBe(files.length);
      const space = one(`SELECT id FROM spaces WHERE state = 'active'`);
      expect(one(`SELECT count(*) FROM items i LEFT JOIN item_embeddings e ON e.item_id = i.id AND e.space_id = ${space} AND e.hash = i.hash WHERE e.item_id IS NULL`)).toBe(0);
      expect(one(`SELECT count(*) FROM segments s WHERE NOT EXISTS (SELECT 1 FROM vec_space_${space} v WHERE v.segment_id = s.id)`)).toBe(0);
      expect(one(`SELECT count(*) FROM vec_space_${space} WHERE segment_id NOT IN (SELECT id FROM segments)`)).toBe(0);
      expect(one(`SELECT count(*) FROM segments WHERE kind = 'image'`)).toBe(PHOTOS);
      expect(one('SELECT count(*) FROM queue')).toBe(0);
      expect(one('SELECT count(*) FROM index_lock')).toBe(0);
    } finally {
      db.close();
    }
  }, 60_000);
});
