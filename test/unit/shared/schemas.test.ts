// Requests are validated by one schema per operation, at the dispatcher, for every front door. [Note: requests]
import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES, type TroveApi } from '../../../src/shared/api.js';
import { dispatch } from '../../../src/shared/dispatch.js';
import { MAX_QUERY_CHARS, MAX_QUERY_TERMS, parseRequest, REQUESTS } from '../../../src/shared/schemas.js';

/** An implementation that records what reached it. */
function recorder(): { api: TroveApi; seen: { op: string; req: unknown }[] } {
  const seen: { op: string; req: unknown }[] = [];
  const api = Object.fromEntries(OPERATION_NAMES.map((op) => [op, async (req: unknown) => (seen.push({ op, req }), {})])) as unknown as TroveApi;
  return { api, seen };
}

describe('request schemas', () => {
  it('has one for every operation, and empty requests pass where nothing is needed', () => {
    expect(Object.keys(REQUESTS).sort()).toEqual([...OPERATION_NAMES].sort());
    for (const op of ['listRoots', 'status', 'listModels', 'doctor', 'getSettings', 'pauseIndexing', 'resumeIndexing', 'listErrors', 'listSkipped', 'indexNow'] as const) {
      expect(parseRequest(op, {}).ok, op).toBe(true);
    }
  });

  it('refuses ids of the wrong type as INVALID_ARGUMENT before the engine sees them', async () => {
    const { api, seen } = recorder();
    for (const [op, req] of [
      ['removeRoot', { id: 'x' }],
      ['removeRoot', { id: 1.5 }],
      ['removeRoot', { id: -1 }],
      ['removeRoot', {}],
      ['updateRoot', { id: 1, ocr: 'yes' }],
      ['getItem', { id: '7' }],
      ['getItem', {}],
      ['related', { path: 5 }],
      ['indexNow', { rootIds: ['a'] }],
      ['thumbnail', { id: 1, size: 'huge' }],
    ] as const) {
      const r = await dispatch(api, op, req);
      expect(r, `${op} ${JSON.stringify(req)}`).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(seen).toEqual([]);
  });

  it('bounds what a search can cost: length, words, limit, kinds', async () => {
    const { api, seen } = recorder();
    const tooLong = await dispatch(api, 'search', { query: 'a '.repeat(450_000) });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/too long: at most 2000 characters/) } });
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    expect(await dispatch(api, 'search', { query: words(MAX_QUERY_TERMS + 1) })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/too many words/) } });
    expect(await dispatch(api, 'search', { query: 'x'.repeat(MAX_QUERY_CHARS + 1) })).toMatchObject({ ok: false });
    expect(await dispatch(api, 'search', { query: 'red', limit: 1001 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/limit must be a whole number from 1 to 1000/) } });
    expect(await dispatch(api, 'search', { query: 'red', kinds: ['video'] })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/photo, note or audio/) } });
    expect(seen).toEqual([]);
    expect(await dispatch(api, 'search', { query: words(MAX_QUERY_TERMS), kinds: ['photo'], limit: 1000 })).toMatchObject({ ok: true });
    expect(seen).toHaveLength(1);
  });

  it('takes a model id, never a path, where it names a folder under the models folder', async () => {
    const { api, seen } = recorder();
    for (const id of ['../../etc', '/etc', 'a/b', '', '.hidden']) {
      expect(await dispatch(api, 'removeModel', { id }), id).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await dispatch(api, 'removeModel', { id: 'clip-vit-b32' })).toMatchObject({ ok: true });
    expect(seen).toHaveLength(1);
  });

  it('passes on what it parsed, without keys it does not know', async () => {
    const { api, seen } = recorder();
    await dispatch(api, 'addRoot', { path: '/photos', ignore: ['*.tmp'], evil: true });
    expect(seen).toEqual([{ op: 'addRoot', req: { path: '/photos', ignore: ['*.tmp'] } }]);
    expect(parseRequest('addRoot', { path: 'a\0b' })).toMatchObject({ ok: false });
    expect(parseRequest('addRoot', { path: '/x', ignore: Array.from({ length: 257 }, () => '*.x') })).toMatchObject({ ok: false });
    expect(parseRequest('updateSettings', { model: '  ' })).toMatchObject({ ok: false });
    expect(parseRequest('updateSettings', { model: null, device: 'gpu' })).toEqual({ ok: true, value: { model: null, device: 'gpu' } });
  });
});
