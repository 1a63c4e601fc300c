// Browser mode: the API over HTTP on 127.0.0.1 with a per-launch token, and its events as a stream.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(wrong.result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
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

  it('serves media only with the token: thumbnails as WebP, none for a note, 401 without the token', async () => {
    const photo = await engine.getItem({ path: join(lib, LIBRARY.photos.red) });
    const note = await engine.getItem({ path: join(lib, LIBRARY.notes.red) });
    const auth = { authorization: `Bearer ${server.token}` };
    expect((await fetch(`${server.origin}/media/${photo.id}/small`)).status).toBe(401);
    expect((await fetch(`${server.origin}/media/${photo.id}/small?token=wrong`)).status).toBe(401);
    const thumb = await fetch(`${server.origin}/media/${photo.id}/small?v=${photo.hash}`, { headers: auth });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await thumb.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    const again = await fetch(`${server.origin}/media/${photo.id}/small`, { headers: { ...auth, 'if-none-match': thumb.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(`${server.origin}/media/${note.id}/small`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/media/999999/small`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/media/${photo.id}/huge`, { headers: auth })).status).toBe(404);
    const text = await fetch(`${server.origin}/media/${note.id}/original?token=${server.token}`);
    expect(text.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(await text.text()).toBe(readFileSync(note.path, 'utf8'));
  });

  it('answers byte ranges of an original (what <audio> asks for to seek)', async () => {
    const photo = await engine.getItem({ path: join(lib, LIBRARY.photos.red) });
    const bytes = readFileSync(photo.path);
    const auth = { authorization: `Bearer ${server.token}` };
    const part = await fetch(`${server.origin}/media/${photo.id}/original`, { headers: { ...auth, range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-9/${bytes.length}`);
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(2, 10));
    const tail = await fetch(`${server.origin}/media/${photo.id}/original`, { headers: { ...auth, range: 'bytes=-4' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 4));
    const past = await fetch(`${server.origin}/media/${photo.id}/original`, { headers: { ...auth, range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    const whole = await fetch(`${server.origin}/media/${photo.id}/original`, { headers: auth });
    expect(whole.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(whole.headers.get('content-length'))).toBe(bytes.length);
  });

  it('hands the token to an HttpOnly SameSite=Strict cookie when the page is opened with it, for media and the API', async () => {
    expect((await fetch(`${server.origin}/?token=wrong`)).headers.get('set-cookie')).toBeNull();
    const page = await fetch(`${server.origin}/?token=${server.token}`);
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = { cookie: cookie.split(';')[0]! };
    const photo = await engine.getItem({ path: join(lib, LIBRARY.photos.red) });
    expect((await fetch(`${server.origin}/media/${photo.id}/large`, { headers: jar })).status).toBe(200);
    expect((await fetch(`${server.origin}/media/${photo.id}/large`, { headers: { cookie: `${jar.cookie}x` } })).status).toBe(401);
    // A call that changes something must come from this server's page, not merely carry the cookie.
    expect((await post('listRoots', {}, null, jar)).status).toBe(403);
    expect((await post('listRoots', {}, null, { ...jar, origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await post('listRoots', {}, null, { ...jar, origin: server.origin })).status).toBe(200);
  });

  it('answers a malformed percent-encoding anywhere in the path, or an address that is no URL, with 400 INVALID_ARGUMENT (it was a 500)', async () => {
    const ui = join(tmp.dir, 'ui');
    mkdirSync(ui, { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Trove</title>');
    const withUi = await serve(engine, { staticDir: ui });
    // Sent as written: fetch would resolve `..` and re-encode before the server saw the path.
    const get = (origin: string, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(origin);
        const req = request({ host: '127.0.0.1', port: url.port, path, headers: { authorization: `Bearer ${server.token}` } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      for (const origin of [withUi.origin, server.origin]) {
        for (const path of ['/%E0%A4%A', '/assets/%zz.js', '/%ED%A0%80', '/a/%C0%AF/../b', '/%', '/api/%E0%A4%A', '/media/1/%zz', '//[', '//a:99999/']) {
          const r = await get(origin, path);
          expect(r.status, `${origin}${path}`).toBe(400);
          expect(decodeJson(r.body)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
        }
      }
      expect(await get(withUi.origin, '/%E2%82%AC/..%2F..%2Fpackage.json')).toMatchObject({ status: 200, body: '<!doctype html><title>Trove</title>' });
    } finally {
      await withUi.close();
    }
  });

  it('answers an unknown operation with 404 and UNKNOWN_OPERATION, and a GET on an operation with 405', async () => {
    const r = await post('deleteEverything', {});
    expect(r.status).toBe(404);
    expect(r.result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    const get = await fetch(`${server.origin}/api/listRoots`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(get.status).toBe(405);
  });
});
