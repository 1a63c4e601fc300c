// Browser mode: the API over HTTP on 127.0.0.1 with a per-launch token, and its events as a stream.
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../src/shared/codec.js';
import { createClient } from '../../src/shared/dispatch.js';
import type { Result } from '../../src/shared/result.js';
import type { Thumbnail } from '../../src/shared/types.js';
import { Engine } from '../../src/main/engine/index.js';
import { serve, type RunningServer } from '../../src/main/server/server.js';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('browser mode server', () => {
  const tmp = tempDir('server');
  const lib = join(tmp.dir, 'lib');
  let engine: Engine;
  let server: RunningServer;

  const post = async (op: string, body: unknown, token: string | null = server.token, extra: Record<string, string> = {}) => {
    const r = await fetch(`${server.origin}/api/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
      body: encodeJson(body),
    });
    return { status: r.status, result: decodeJson(await r.text()) as Result<unknown> };
  };

  beforeAll(async () => {
    await makeLibrary(lib);
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    server = await serve(engine);
  });
  afterAll(async () => {
    await server.close();
    await engine.close();
    tmp.cleanup();
  });

  it('listens on 127.0.0.1 and prints an address that carries the token', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await post('listRoots', {}, null)).status).toBe(401);
    const wrong = await post('listRoots', {}, 'x'.repeat(server.token.length));
    expect(wrong.status).toBe(401);
    expect(wrong.result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const events = await fetch(`${server.origin}/api/events`);
    expect(events.status).toBe(401);
  });

  it('refuses a request that names another host (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve) => {
      const url = new URL(server.origin);
      const req = request({ host: '127.0.0.1', port: url.port, path: '/api/listRoots', method: 'POST', headers: { host: 'evil.example:80', authorization: `Bearer ${server.token}` } }, (res) => resolve(res.statusCode ?? 0));
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('runs every operation of the contract, streams progress events, and carries bytes', async () => {
    const events: string[] = [];
    const stream = await fetch(`${server.origin}/api/events?token=${server.token}`);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        events.push(Buffer.from(value).toString());
      }
    })().catch(() => undefined);

    const client = createClient(async (op, req) => (await post(op, req)).result);
    await client.addRoot({ path: lib });
    const summary = await client.indexNow({});
    expect(summary).toMatchObject({ added: 24 });
    const { hits } = await client.search({ query: 'red', kinds: ['photo'], limit: 1 });
    expect(hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    const thumb: Thumbnail = await client.thumbnail({ path: join(lib, LIBRARY.photos.red), size: 'small' });
    expect(thumb.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(thumb.data.subarray(0, 4)).toString()).toBe('RIFF');
    await expect(client.search({ query: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(events.join('')).toMatch(/event: progress\ndata: \{"phase":"embedding"/);
    expect(events.join('')).toMatch(/event: itemsChanged/);
    await reader.cancel();
  });

  it('answers an unknown operation with 404 and UNKNOWN_OPERATION, and a GET on an operation with 405', async () => {
    const r = await post('deleteEverything', {});
    expect(r.status).toBe(404);
    expect(r.result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    const get = await fetch(`${server.origin}/api/listRoots`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(get.status).toBe(405);
  });
});
