// Browser mode's client: the token taken from the address, operations over POST, events over EventSource.
import { describe, expect, it, vi } from 'vitest';
import { httpApi, httpMediaUrl, REOPEN_MS, type EventSourceLike, type FetchLike } from '../../../src/renderer/connection/http.js';
import { takeToken, TOKEN_KEY, type TokenStore } from '../../../src/renderer/connection/token.js';
import { encodeJson } from '../../../src/shared/codec.js';
import { TroveError } from '../../../src/shared/errors.js';

function memoryStorage(): TokenStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
}

describe('takeToken', () => {
  it('takes the token from the address, keeps it for the tab and gives the address without it', () => {
    const storage = memoryStorage();
    const first = takeToken('http://127.0.0.1:5000/?token=abc&x=1#/search?q=red', storage);
    expect(first).toEqual({ token: 'abc', cleanHref: 'http://127.0.0.1:5000/?x=1#/search?q=red' });
    expect(storage.map.get(TOKEN_KEY)).toBe('abc');
    // A reload: no token in the address, the stored one is used and nothing needs replacing.
    expect(takeToken('http://127.0.0.1:5000/#/library', storage)).toEqual({ token: 'abc', cleanHref: null });
  });

  it('works without storage, and with storage that refuses', () => {
    expect(takeToken('http://127.0.0.1:5000/?token=t', null)).toEqual({ token: 't', cleanHref: 'http://127.0.0.1:5000/' });
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
    expect(takeToken('http://127.0.0.1:5000/?token=t', refusing).token).toBe('t');
    expect(takeToken('http://127.0.0.1:5000/', refusing).token).toBeNull();
  });
});

describe('httpApi', () => {
  function fakeServer(answer: (op: string, body: unknown, headers: Record<string, string>) => { status: number; text: string }) {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push({ url, headers: init.headers });
      const op = url.slice(url.lastIndexOf('/') + 1);
      const res = answer(op, JSON.parse(init.body), init.headers);
      return { status: res.status, text: async () => res.text };
    };
    return { fetch, calls };
  }
  const noEvents = () => ({ addEventListener() {}, close() {} });

  it('posts each operation with the token and answers its value, bytes included', async () => {
    const { fetch, calls } = fakeServer((op, body) => ({ status: 200, text: encodeJson({ ok: true, value: { op, body, data: new Uint8Array([1, 2, 3]) } }) }));
    const api = httpApi({ base: 'http://127.0.0.1:9', token: 'tok', fetch, eventSource: noEvents });
    const value = (await api.listRoots({})) as unknown as { op: string; data: Uint8Array };
    expect(value.op).toBe('listRoots');
    expect(value.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(calls[0]).toEqual({ url: 'http://127.0.0.1:9/api/listRoots', headers: { 'content-type': 'application/json', authorization: 'Bearer tok' } });
  });

  it('relies on the cookie when it has no token', async () => {
    const { fetch, calls } = fakeServer(() => ({ status: 200, text: '{"ok":true,"value":[]}' }));
    await httpApi({ base: '', token: null, fetch, eventSource: noEvents }).listRoots({});
    expect(calls[0]!.headers.authorization).toBeUndefined();
  });

  it('throws TroveErrors: the server’s own, a server that is gone, an answer that is not a result', async () => {
    const refusing = fakeServer(() => ({ status: 401, text: '{"ok":false,"error":{"code":"UNAUTHORIZED","message":"a valid token is needed"}}' }));
    await expect(httpApi({ base: '', token: 'x', fetch: refusing.fetch, eventSource: noEvents }).status({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const gone: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const error = await httpApi({ base: '', token: 'x', fetch: gone, eventSource: noEvents }).status({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TroveError);
    expect(error).toMatchObject({ code: 'NETWORK' });
    const proxy = fakeServer(() => ({ status: 502, text: '<html>Bad gateway</html>' }));
    await expect(httpApi({ base: '', token: 'x', fetch: proxy.fetch, eventSource: noEvents }).status({})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('502') });
  });

  it('opens one event stream on the first listener and hands each event to its listeners', () => {
    const opened: string[] = [];
    const handlers = new Map<string, (e: { data?: unknown }) => void>();
    const eventSource = (url: string): EventSourceLike => {
      opened.push(url);
      return { addEventListener: (type, l) => void handlers.set(type, l), close() {} };
    };
    const { fetch } = fakeServer(() => ({ status: 200, text: '{}' }));
    const api = httpApi({ base: 'http://h', token: 'a b', fetch, eventSource });
    expect(opened).toEqual([]);
    const got: unknown[] = [];
    const off = api.on('progress', (p) => got.push(p.done));
    api.on('rootsChanged', (r) => got.push(r.length));
    expect(opened).toEqual(['http://h/api/events?token=a%20b']);
    handlers.get('progress')!({ data: '{"done":3}' });
    handlers.get('rootsChanged')!({ data: '[1,2]' });
    handlers.get('progress')!({ data: 'not json' });
    off();
    handlers.get('progress')!({ data: '{"done":4}' });
    expect(got).toEqual([3, 2]);
    expect(() => api.on('nope' as 'progress', () => {})).toThrow(/unknown event/);
  });

  it('says when the server cannot be reached and when it is back, and opens a stream the browser gave up on again', () => {
    vi.useFakeTimers();
    try {
      const sources: { handlers: Map<string, (e: { data?: unknown }) => void>; readyState: number; closed: boolean }[] = [];
      const eventSource = (): EventSourceLike => {
        const s = { handlers: new Map<string, (e: { data?: unknown }) => void>(), readyState: 0, closed: false };
        sources.push(s);
        return {
          addEventListener: (type, l) => void s.handlers.set(type, l),
          close: () => void (s.closed = true),
          get readyState() {
            return s.readyState;
          },
        };
      };
      const api = httpApi({ base: '', token: null, fetch: fakeServer(() => ({ status: 200, text: '{}' })).fetch, eventSource });
      const seen: boolean[] = [];
      api.onReachable((up) => seen.push(up));
      api.on('progress', () => {});
      expect(sources).toHaveLength(1); // one stream for both
      sources[0]!.handlers.get('open')!({});
      sources[0]!.handlers.get('error')!({}); // the server stopped: the browser retries by itself
      sources[0]!.handlers.get('error')!({});
      vi.advanceTimersByTime(REOPEN_MS * 2);
      expect(sources).toHaveLength(1);
      sources[0]!.handlers.get('open')!({});
      expect(seen).toEqual([true, false, true]);
      // A stream the browser closed for good (an error answer) is opened anew after REOPEN_MS.
      sources[0]!.readyState = 2;
      sources[0]!.handlers.get('error')!({});
      vi.advanceTimersByTime(REOPEN_MS);
      expect(sources[0]!.closed).toBe(true);
      expect(sources).toHaveLength(2);
      sources[1]!.handlers.get('open')!({});
      expect(seen).toEqual([true, false, true, false, true]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('builds same-origin media paths', () => {
    expect(httpMediaUrl('http://127.0.0.1:9')(12, 'small', '1700000000000')).toBe('http://127.0.0.1:9/media/12/small?v=1700000000000');
  });
});
