// The one worker RPC of the engine: replies matched to requests, failures as TroveErrors, a dead worker replaced on
// the next request, a ready reply awaited, an idle worker ended. [Note: worker-rpc]
import { describe, expect, it } from 'vitest';
import { WorkerRpc } from '../../src/main/engine/worker-rpc.js';

type R = { readonly id: number; readonly ok: true; readonly value?: unknown; readonly thread?: number } | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };
const url = new URL('../fixtures/rpc-worker.mjs', import.meta.url);

describe('WorkerRpc', () => {
  it('answers each request with its own reply, and a failed reply as a TroveError with its code', async () => {
    const rpc = new WorkerRpc<R>({ url, what: 'test worker' });
    try {
      const [a, b] = await Promise.all([rpc.request({ op: 'echo', value: 'a' }), rpc.request({ op: 'echo', value: 'b' })]);
      expect([a.value, b.value]).toEqual(['a', 'b']);
      await expect(rpc.request({ op: 'fail' })).rejects.toMatchObject({ name: 'TroveError', code: 'NOT_FOUND', message: 'no such thing' });
    } finally {
      await rpc.close();
    }
  });

  it('fails what was in flight when the worker dies, and starts another for the next request', async () => {
    const rpc = new WorkerRpc<R>({ url, what: 'test worker' });
    try {
      const first = (await rpc.request({ op: 'echo', value: 1 })).thread;
      await expect(rpc.request({ op: 'crash' })).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/test worker stopped \(exit code 3\)/) });
      const next = await rpc.request({ op: 'echo', value: 2 });
      expect(next.value).toBe(2);
      expect(next.thread).not.toBe(first);
    } finally {
      await rpc.close();
    }
  });

  it('waits for a ready reply, and refuses with its error when the worker cannot start', async () => {
    const ok = new WorkerRpc<R>({ url, worker: { workerData: { ready: 'yes' } }, what: 'test worker', readyReply: true });
    try {
      expect((await ok.open())?.ok).toBe(true);
      expect((await ok.request({ op: 'echo', value: 3 })).value).toBe(3);
    } finally {
      await ok.close();
    }
    const bad = new WorkerRpc<R>({ url, worker: { workerData: { ready: 'fail' } }, what: 'test worker', readyReply: true });
    try {
      await expect(bad.open()).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    } finally {
      await bad.close();
    }
  });

  it('ends an idle worker, and starts one again when asked', async () => {
    const rpc = new WorkerRpc<R>({ url, what: 'test worker', idleMs: 50 });
    try {
      const first = (await rpc.request({ op: 'echo', value: 1 })).thread;
      await new Promise((r) => setTimeout(r, 200));
      const again = (await rpc.request({ op: 'echo', value: 2 })).thread;
      expect(again).not.toBe(first);
    } finally {
      await rpc.close();
    }
  });
});
