// The preload bundle exposes exactly the contract: every operation of OPERATION_NAMES, `on` and `mediaUrl` on
// window.trove, three functions on window.troveShell, and requires nothing but `electron`. The real bundle
// (scripts/build-app.js) runs here in a fresh V8 context with a fake `electron`, wired to the real IPC binding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreload } from '../../../scripts/build-app.js';
import { EVENT_NAMES, OPERATION_NAMES } from '../../../src/shared/api.js';
import { fromBridge, IPC, type TroveBridge, type TroveShell } from '../../../src/shared/bridge.js';
import { encodeJson } from '../../../src/shared/codec.js';
import { dispatch } from '../../../src/shared/dispatch.js';
import { TroveError } from '../../../src/shared/errors.js';
import { callHandler, shellHandlers } from '../../../src/main/app/ipc.js';
import type { SenderInfo } from '../../../src/main/app/security.js';
import { tempDir } from '../../helpers.js';

const tmp = tempDir('preload');
const exposed = new Map<string, unknown>();
const required: string[] = [];
const eventListeners: Array<(event: unknown, ...args: unknown[]) => void> = [];
const sender: SenderInfo = { sender: { id: 1 }, senderFrame: { url: 'trove://app/index.html', parent: null } };

// A fake engine behind the real IPC binding: search answers, getItem fails with a code, thumbnail carries bytes.
const engine = {
  search: async (req: { query: string }) => ({ hits: [], query: { text: req.query }, tookMs: 1 }),
  getItem: async () => {
    throw new TroveError('NOT_FOUND', 'no item with id 9');
  },
  thumbnail: async () => ({ mime: 'image/webp', data: new Uint8Array([82, 73, 70, 70]) }),
};
const call = callHandler({
  isTrusted: () => true,
  forward: async (op, req) => encodeJson(await dispatch(engine as never, op, JSON.parse(req))),
});
const shell = shellHandlers({
  isTrusted: () => true,
  pickFolder: async () => '/home/me/Notes',
  itemPath: async () => '/home/me/Notes/a.md',
  openableFile: async () => '/home/me/Notes/a.md',
  showItemInFolder: () => undefined,
  openPath: async () => '',
});
const handlers: Record<string, (event: SenderInfo, ...args: unknown[]) => Promise<string>> = {
  [IPC.call]: call,
  [IPC.pickFolder]: shell.pickFolder,
  [IPC.showInFolder]: shell.showInFolder,
  [IPC.openItem]: shell.openItem,
};

const fakeElectron = {
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => handlers[channel]!(sender, ...args),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      expect(channel).toBe(IPC.event);
      eventListeners.push(listener);
    },
  },
};

beforeAll(async () => {
  const file = join(tmp.dir, 'preload.cjs');
  await buildPreload(file);
  const module = { exports: {} };
  runInNewContext(readFileSync(file, 'utf8'), {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return fakeElectron;
    },
  });
});
afterAll(() => tmp.cleanup());

const trove = () => exposed.get('trove') as TroveBridge & Record<string, unknown>;
const troveShell = () => exposed.get('troveShell') as TroveShell;

describe('the preload bundle', () => {
  it('requires only electron and exposes window.trove and window.troveShell', () => {
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['trove', 'troveShell']);
  });

  it('puts exactly the contract’s operations on window.trove, plus on and mediaUrl', () => {
    const keys = Object.keys(trove());
    expect(keys.filter((k) => k !== 'on' && k !== 'mediaUrl').sort()).toEqual([...OPERATION_NAMES].sort());
    expect(keys.filter((k) => !(OPERATION_NAMES as readonly string[]).includes(k)).sort()).toEqual(['mediaUrl', 'on']);
    for (const key of keys) expect(typeof trove()[key], key).toBe('function');
    expect(Object.keys(troveShell()).sort()).toEqual(['openItem', 'pickFolder', 'showInFolder']);
  });

  it('runs an operation through the IPC binding and carries bytes', async () => {
    expect(await trove().search({ query: 'red' })).toMatchObject({ query: { text: 'red' } });
    const thumb = await trove().thumbnail({ id: 1, size: 'small' });
    expect([...thumb.data]).toEqual([82, 73, 70, 70]);
  });

  it('rejects with the error code intact (a plain object crosses contextBridge whole); fromBridge makes it a TroveError', async () => {
    const rejection = await trove()
      .getItem({ id: 9 })
      .catch((e: unknown) => e);
    expect(rejection).toEqual({ name: 'TroveError', code: 'NOT_FOUND', message: 'no item with id 9' });
    const revived = await fromBridge(trove())
      .getItem({ id: 9 })
      .catch((e: unknown) => e);
    expect(revived).toBeInstanceOf(TroveError);
    expect(revived).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('delivers events of the contract until unsubscribed, and refuses unknown events', () => {
    const seen: unknown[] = [];
    const off = trove().on('progress', (p) => seen.push(p));
    const emit = (name: string, payload: unknown) => eventListeners.forEach((l) => l({}, name, encodeJson(payload)));
    emit('progress', { phase: 'embedding', done: 1 });
    emit('rootsChanged', []);
    emit('constructor', {});
    off();
    emit('progress', { phase: 'idle' });
    expect(seen).toEqual([{ phase: 'embedding', done: 1 }]);
    expect(() => trove().on('__proto__' as never, () => undefined)).toThrow(/unknown event/);
    expect(EVENT_NAMES.length).toBeGreaterThan(0);
  });

  it('builds media URLs on the trove-media scheme', () => {
    expect(trove().mediaUrl(12, 'small', 'abc')).toBe('trove-media://library/media/12/small?v=abc');
    expect(trove().mediaUrl(3, 'original')).toBe('trove-media://library/media/3/original');
  });

  it('offers the desktop shell by item id only', async () => {
    expect(await troveShell().pickFolder()).toBe('/home/me/Notes');
    await expect(troveShell().showInFolder(4)).resolves.toBeUndefined();
    await expect(troveShell().openItem('/etc/passwd' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
