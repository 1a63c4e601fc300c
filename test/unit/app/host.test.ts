// The engine in its own process: the built engine host (dist layout, plain JavaScript, no TypeScript loader) runs
// as a forked Node child, which has the message semantics of Electron's utilityProcess, with the real Engine and
// the fixture library behind it. The page's calls go through the same IPC binding and EngineLink as in the app.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../scripts/build-app.js';
import { decodeJson, encodeJson } from '../../../src/shared/codec.js';
import type { Result } from '../../../src/shared/result.js';
import type { Root, Thumbnail } from '../../../src/shared/types.js';
import { EngineLink, type HostProcess } from '../../../src/main/app/engine-link.js';
import { keepLive, serveEngine, type LiveEngine } from '../../../src/main/app/host.js';
import type { FromHost } from '../../../src/main/app/host-protocol.js';
import { callHandler } from '../../../src/main/app/ipc.js';
import { trustedSender, type SenderInfo } from '../../../src/main/app/security.js';
import { Engine } from '../../../src/main/engine/index.js';
import { dataPaths } from '../../../src/main/engine/paths.js';
import { LIBRARY, makeLibrary } from '../../fixtures/make-library.js';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../../helpers.js';

const tmp = tempDir('host');
const lib = join(tmp.dir, 'lib');
// Built where dist/ would be, one level under the repository, so the engine's relative paths (its workers, the
// model catalogue, package.json) resolve exactly as they do in the app.
const OUT = join(REPO, 'out');
const HOST = join(OUT, 'main/app/engine-host.js');

beforeAll(async () => {
  await makeLibrary(lib);
  await buildApp({ out: OUT });
}, 120_000);
afterAll(() => tmp.cleanup());

const children: ChildProcess[] = [];
function forkHost(dataDir: string, extra: string[] = []): () => HostProcess {
  return () => {
    const child = fork(HOST, ['--data-dir', dataDir, '--model', COLOURS_PACK, '--no-ocr', ...extra], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(child);
    return {
      postMessage: (m) => void child.send(m),
      onMessage: (l) => void child.on('message', l),
      onExit: (l) => void child.on('exit', (code) => l(code ?? -1)),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

const page: SenderInfo = { sender: { id: 1 }, senderFrame: { url: 'trove://app/index.html', parent: null } };

describe('the engine host in its own process', () => {
  const events: Array<{ name: string; payload: unknown }> = [];
  let link: EngineLink;
  let call: <T>(op: string, req: unknown) => Promise<Result<T>>;

  beforeAll(async () => {
    link = new EngineLink(forkHost(join(tmp.dir, 'data')), { onEvent: (name, payload) => events.push({ name, payload: decodeJson(payload) }) });
    const handle = callHandler({ isTrusted: trustedSender(() => 1), forward: (op, req) => link.call(op, req) });
    call = async <T>(op: string, req: unknown) => decodeJson(await handle(page, op, encodeJson(req))) as Result<T>;
    await link.whenReady();
  }, 60_000);
  afterAll(async () => link.stop());

  it('indexes a folder, forwards its events, and answers a search for the red photo', async () => {
    const root = await call<Root>('addRoot', { path: lib });
    expect(root).toMatchObject({ ok: true, value: { path: lib } });
    expect(await call('indexNow', {})).toMatchObject({ ok: true, value: { added: 24 } });
    const search = await call<{ hits: Array<{ item: { path: string } }> }>('search', { query: 'red', kinds: ['photo'], limit: 1 });
    expect(search.ok && search.value.hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    await eventually(() => events.some((e) => e.name === 'itemsChanged'), 'itemsChanged');
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(['rootsChanged', 'progress', 'itemsChanged']));
  });

  it('carries bytes, media files and item paths across the process boundary', async () => {
    const thumb = await call<Thumbnail>('thumbnail', { path: join(lib, LIBRARY.photos.red), size: 'small' });
    expect(thumb.ok && thumb.value.data).toBeInstanceOf(Uint8Array);
    const item = await call<{ id: number }>('getItem', { path: join(lib, LIBRARY.photos.red) });
    const id = item.ok ? item.value.id : 0;
    expect(await link.mediaFile(id, 'small')).toMatchObject({ mime: 'image/webp' });
    expect(await link.mediaFile(id, 'original')).toEqual({ file: join(lib, LIBRARY.photos.red), mime: 'image/jpeg' });
    expect(await link.itemPath(id)).toBe(join(lib, LIBRARY.photos.red));
    await expect(link.mediaFile(999_999, 'small')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(link.itemPath(-3)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses unknown operations on both sides of the process boundary', async () => {
    expect(await call('constructor', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    // Straight to the host, past the IPC binding's check.
    expect(decodeJson(await link.call('__proto__' as never, '{}'))).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    expect(decodeJson(await link.call('search', 'not json'))).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('restarts the engine when its process dies; calls in flight fail with a reason', async () => {
    const before = children.length;
    const inFlight = link.call('status', '{}');
    children.at(-1)!.kill('SIGKILL');
    const lost = await inFlight.then(
      (json) => decodeJson(json),
      (e: unknown) => e,
    );
    // Either the answer made it out first, or the call failed saying the engine stopped.
    if (!(lost && typeof lost === 'object' && 'ok' in lost)) expect(lost).toMatchObject({ code: 'INTERNAL', message: /stopped unexpectedly/ });
    await eventually(() => children.length === before + 1, 'a new engine process');
    expect(await call('listRoots', {})).toMatchObject({ ok: true, value: [{ path: lib }] });
  });
});

describe('stopping and failing to start', () => {
  it('closes the engine and exits cleanly when asked to stop', async () => {
    const link = new EngineLink(forkHost(join(tmp.dir, 'data-stop'), ['--no-watch']));
    await link.whenReady();
    const child = children.at(-1)!;
    await link.stop();
    expect(child.exitCode).toBe(0);
    await expect(link.call('status', '{}')).rejects.toMatchObject({ message: /closing/ });
  });

  it('reports a library it cannot open, and does not restart', async () => {
    const dataDir = join(tmp.dir, 'data-future');
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(dataPaths(dataDir).database);
    db.pragma('user_version = 9999');
    db.close();
    const onFatal = vi.fn();
    const before = children.length;
    const link = new EngineLink(forkHost(dataDir), { onFatal });
    await expect(link.whenReady()).rejects.toMatchObject({ code: 'DB_TOO_NEW' });
    expect(onFatal).toHaveBeenCalledWith(expect.objectContaining({ code: 'DB_TOO_NEW', message: expect.stringMatching(/newer version of Trove/) }));
    await eventually(() => children.at(-1)!.exitCode !== null, 'the host to exit');
    await new Promise((r) => setTimeout(r, 300));
    expect(children.length).toBe(before + 1);
    await expect(link.call('status', '{}')).rejects.toMatchObject({ code: 'DB_TOO_NEW' });
  });
});

describe('serveEngine and keepLive', () => {
  /** Two ends of an in-process channel, delivering asynchronously as a real port does. */
  function channel() {
    const toHost = new EventEmitter();
    const toMain = new EventEmitter();
    return {
      host: { send: (m: FromHost) => setImmediate(() => toMain.emit('m', m)), onMessage: (l: (m: unknown) => void) => void toHost.on('m', l) },
      main: { send: (m: unknown) => setImmediate(() => toHost.emit('m', m)), received: (l: (m: FromHost) => void) => toMain.on('m', l) },
    };
  }

  it('answers each request with its id, and ignores messages that are not requests', async () => {
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data-inproc'), model: COLOURS_PACK, ocr: false });
    try {
      const { host, main } = channel();
      serveEngine(engine, host);
      const answers: FromHost[] = [];
      main.received((m) => answers.push(m));
      main.send('nonsense');
      main.send({ t: 'call' }); // no id: nothing to answer
      main.send({ t: 'call', id: 2, op: 'listRoots', req: '{}' });
      main.send({ t: 'path', id: 3, item: 1 });
      main.send({ t: 'teleport', id: 4 });
      await eventually(() => answers.length === 3, 'three answers');
      const byId = new Map(answers.map((a) => [a.t === 'result' ? a.id : 0, a.t === 'result' ? decodeJson(a.result) : a]));
      expect(byId.get(2)).toEqual({ ok: true, value: [] });
      expect(byId.get(3)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(byId.get(4)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    } finally {
      await engine.close();
    }
  });

  it('catches up with an index run only when there are folders, and watches folders added later', async () => {
    vi.useFakeTimers();
    try {
      const events = new EventEmitter();
      const watches: Array<{ closed: boolean }> = [];
      const fake = {
        listRoots: vi.fn(async () => [] as Root[]),
        indexNow: vi.fn(async () => ({})),
        on: (name: string, l: () => void) => {
          events.on(name, l);
          return () => events.off(name, l);
        },
        watch: () => {
          const w = { closed: false, ready: Promise.resolve(), close: async () => void (w.closed = true) };
          watches.push(w);
          return w;
        },
      } as unknown as LiveEngine;
      const live = keepLive(fake, () => undefined);
      await vi.advanceTimersByTimeAsync(10);
      expect(fake.indexNow).not.toHaveBeenCalled();
      expect(watches).toHaveLength(1);
      events.emit('rootsChanged', []);
      events.emit('rootsChanged', []); // two changes in a row: one new watch
      await vi.advanceTimersByTimeAsync(1000);
      expect(watches.map((w) => w.closed)).toEqual([true, false]);
      await live.close();
      expect(watches.map((w) => w.closed)).toEqual([true, true]);

      (fake.listRoots as ReturnType<typeof vi.fn>).mockResolvedValue([{ id: 1 }]);
      const again = keepLive(fake, () => undefined);
      await vi.advanceTimersByTimeAsync(10);
      expect(fake.indexNow).toHaveBeenCalledWith({});
      await again.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
