// The IPC binding refuses unknown operations and unexpected senders before anything reaches the engine.
import { describe, expect, it, vi } from 'vitest';
import { OPERATION_NAMES } from '../../../src/shared/api.js';
import { decodeJson, encodeJson } from '../../../src/shared/codec.js';
import { TroveError } from '../../../src/shared/errors.js';
import { ok, type Result } from '../../../src/shared/result.js';
import { callHandler, MAX_REQUEST_CHARS, shellHandlers } from '../../../src/main/app/ipc.js';
import { trustedSender, type SenderInfo } from '../../../src/main/app/security.js';

const MAIN = 3;
const fromApp: SenderInfo = { sender: { id: MAIN }, senderFrame: { url: 'trove://app/index.html', parent: null } };
const fromElsewhere: SenderInfo = { sender: { id: MAIN }, senderFrame: { url: 'https://evil.example/', parent: null } };
const fromOtherWindow: SenderInfo = { sender: { id: MAIN + 1 }, senderFrame: { url: 'trove://app/index.html', parent: null } };
const isTrusted = trustedSender(() => MAIN);
const result = (json: string) => decodeJson(json) as Result<unknown>;

function binding() {
  const forward = vi.fn(async (op: string, req: string) => encodeJson(ok({ op, req: decodeJson(req) })));
  return { forward, handle: callHandler({ isTrusted, forward }) };
}

describe('trove:call', () => {
  it('forwards a valid call and answers the engine’s Result', async () => {
    const { forward, handle } = binding();
    const r = result(await handle(fromApp, 'search', encodeJson({ query: 'red' })));
    expect(r).toEqual({ ok: true, value: { op: 'search', req: { query: 'red' } } });
    expect(forward).toHaveBeenCalledTimes(1);
  });

  it('refuses an operation the contract does not have, inherited names included', async () => {
    const { forward, handle } = binding();
    for (const op of ['deleteEverything', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', 42, null, undefined, { op: 'search' }]) {
      expect(result(await handle(fromApp, op, '{}')), String(op)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    }
    expect(forward).not.toHaveBeenCalled();
  });

  it('refuses a call from an unexpected sender, whatever it asks', async () => {
    const { forward, handle } = binding();
    for (const sender of [fromElsewhere, fromOtherWindow, { sender: { id: MAIN }, senderFrame: null }]) {
      for (const op of ['search', 'removeRoot', 'constructor']) {
        expect(result(await handle(sender, op, '{}'))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
    }
    expect(forward).not.toHaveBeenCalled();
  });

  it('accepts every operation of the contract', async () => {
    const { forward, handle } = binding();
    for (const op of OPERATION_NAMES) expect(result(await handle(fromApp, op, '{}')).ok).toBe(true);
    expect(forward.mock.calls.map((c) => c[0])).toEqual([...OPERATION_NAMES]);
  });

  it('refuses a request that is not JSON text or is too long, and turns an engine failure into a Result', async () => {
    const { handle } = binding();
    expect(result(await handle(fromApp, 'search', { query: 'red' }))).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(result(await handle(fromApp, 'search', 'x'.repeat(MAX_REQUEST_CHARS + 1)))).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const failing = callHandler({ isTrusted, forward: async () => Promise.reject(new Error('the engine stopped')) });
    expect(result(await failing(fromApp, 'status', '{}'))).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the engine stopped' } });
  });
});

describe('troveShell', () => {
  function shell() {
    const calls = { shown: [] as string[], opened: [] as string[] };
    const handlers = shellHandlers({
      isTrusted,
      pickFolder: async () => '/home/me/Pictures',
      itemPath: async (id) => {
        if (id !== 5) throw new TroveError('NOT_FOUND', `no item with id ${id}`);
        return '/home/me/Pictures/a.jpg';
      },
      openableFile: async (id) => {
        if (id !== 5) throw new TroveError('NOT_FOUND', `no item with id ${id}`);
        return '/home/me/Pictures/a.jpg';
      },
      showItemInFolder: (p) => void calls.shown.push(p),
      openPath: async (p) => {
        calls.opened.push(p);
        return '';
      },
    });
    return { handlers, calls };
  }

  it('shows and opens items by id, with the path the library knows', async () => {
    const { handlers, calls } = shell();
    expect(result(await handlers.pickFolder(fromApp))).toEqual({ ok: true, value: '/home/me/Pictures' });
    expect(result(await handlers.showInFolder(fromApp, 5))).toEqual({ ok: true, value: null });
    expect(result(await handlers.openItem(fromApp, 5))).toEqual({ ok: true, value: null });
    expect(calls).toEqual({ shown: ['/home/me/Pictures/a.jpg'], opened: ['/home/me/Pictures/a.jpg'] });
  });

  it('takes no path from the page, and refuses unknown items and other senders', async () => {
    const { handlers, calls } = shell();
    expect(result(await handlers.showInFolder(fromApp, '/etc/passwd'))).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(result(await handlers.openItem(fromApp, 1.5))).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(result(await handlers.openItem(fromApp, 6))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    for (const h of [handlers.pickFolder, handlers.showInFolder, handlers.openItem]) {
      expect(result(await h(fromElsewhere, 5))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(calls).toEqual({ shown: [], opened: [] });
  });

  it('says when the system could not open a file', async () => {
    const handlers = shellHandlers({
      isTrusted,
      pickFolder: async () => null,
      itemPath: async () => '/x',
      openableFile: async () => '/x/a.heic',
      showItemInFolder: () => undefined,
      openPath: async () => 'no application is registered for this file',
    });
    expect(result(await handlers.openItem(fromApp, 1))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: /no application/ } });
    expect(result(await handlers.pickFolder(fromApp))).toEqual({ ok: true, value: null });
  });
});
