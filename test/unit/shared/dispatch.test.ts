import { describe, expect, it } from 'vitest';
import { OPERATION_NAMES, type TroveApi } from '../../../src/shared/api.js';
import { createClient, dispatch } from '../../../src/shared/dispatch.js';
import { TroveError } from '../../../src/shared/errors.js';

function fakeApi(): TroveApi {
  const api = {} as Record<string, (req: unknown) => Promise<unknown>>;
  for (const op of OPERATION_NAMES) api[op] = async (req) => ({ op, req });
  api.search = async () => {
    throw new TroveError('INVALID_ARGUMENT', 'type something to search for');
  };
  api.status = async () => {
    throw new Error('disk on fire');
  };
  return api as unknown as TroveApi;
}

describe('dispatch', () => {
  it('runs a known operation and wraps its answer', async () => {
    expect(await dispatch(fakeApi(), 'listRoots', {})).toEqual({ ok: true, value: { op: 'listRoots', req: {} } });
    expect(await dispatch(fakeApi(), 'listRoots', undefined)).toEqual({ ok: true, value: { op: 'listRoots', req: {} } });
  });

  it('refuses an unknown operation, including inherited names', async () => {
    for (const op of ['deleteEverything', 'constructor', '__proto__', 'toString', 42]) {
      const r = await dispatch(fakeApi(), op, {});
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    }
  });

  it('refuses a request that is not an object', async () => {
    expect(await dispatch(fakeApi(), 'search', 'red')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await dispatch(fakeApi(), 'search', ['red'])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('turns thrown errors into values: TroveErrors keep their code, others are INTERNAL', async () => {
    expect(await dispatch(fakeApi(), 'search', { query: '' })).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'type something to search for' },
    });
    expect(await dispatch(fakeApi(), 'status', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'disk on fire' } });
  });
});

describe('createClient', () => {
  it('offers every operation over a transport and re-throws failures as TroveErrors', async () => {
    const api = fakeApi();
    const client = createClient((op, req) => dispatch(api, op, req));
    expect(Object.keys(client).sort()).toEqual([...OPERATION_NAMES].sort());
    expect(await client.getItem({ id: 3 })).toEqual({ op: 'getItem', req: { id: 3 } });
    const error = await client.search({ query: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TroveError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'type something to search for' });
  });
});
