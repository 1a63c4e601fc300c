// The page's two schemes: trove:// serves the built UI only, trove-media:// only what the Engine allows.
// The handlers answer web Requests, so the real Engine and the fixture library stand behind them here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP } from '../../../src/main/app/security.js';
import { appHandler, mediaHandler } from '../../../src/main/app/protocols.js';
import { mediaUrl } from '../../../src/shared/bridge.js';
import { Engine } from '../../../src/main/engine/index.js';
import { LIBRARY, makeLibrary } from '../../fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../../helpers.js';

const tmp = tempDir('protocols');
const lib = join(tmp.dir, 'lib');
let engine: Engine;
let photoId: number;
let noteId: number;
let media: (request: Request) => Promise<Response>;

beforeAll(async () => {
  await makeLibrary(lib);
  engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
  await engine.addRoot({ path: lib });
  await engine.indexNow({});
  photoId = (await engine.getItem({ path: join(lib, LIBRARY.photos.red) })).id;
  noteId = (await engine.search({ query: 'red', kinds: ['note'], limit: 1 })).hits[0]!.item.id;
  media = mediaHandler((id, variant) => engine.mediaFile(id, variant));
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const get = (handler: (r: Request) => Promise<Response>, url: string, headers: Record<string, string> = {}, method = 'GET') =>
  handler(new Request(url, { method, headers }));

describe('trove-media:', () => {
  it('serves the thumbnail of an indexed photo', async () => {
    const res = await get(media, mediaUrl(photoId, 'small', 'v1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('RIFF');
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
  });

  it('serves byte ranges of an original, so <audio> can seek', async () => {
    const whole = await get(media, mediaUrl(noteId, 'original'));
    const text = await whole.text();
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const part = await get(media, mediaUrl(noteId, 'original'), { range: 'bytes=2-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-9/${Buffer.byteLength(text)}`);
    expect(await part.text()).toBe(Buffer.from(text).subarray(2, 10).toString());
    const past = await get(media, mediaUrl(noteId, 'original'), { range: `bytes=${Buffer.byteLength(text) + 10}-` });
    expect(past.status).toBe(416);
  });

  it('answers 404 for anything that is not an indexed item’s media', async () => {
    for (const url of [
      'trove-media://library/',
      'trove-media://library/index.html',
      'trove-media://library/media/999999/small',
      `trove-media://library/media/${noteId}/small`, // a note has no thumbnail
      `trove-media://library/media/${photoId}/huge`,
      `trove-media://library/media/${photoId}/../../../etc/passwd`,
      `trove-media://library/media/${photoId}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      'trove-media://library/media/0/small',
      'trove-media://library/media/-1/original',
      `trove-media://elsewhere/media/${photoId}/small`,
      `trove://app/media/${photoId}/small`,
    ]) {
      expect((await get(media, url)).status, url).toBe(404);
    }
    expect((await get(media, mediaUrl(photoId, 'small'), {}, 'POST')).status).toBe(404);
  });
});

describe('trove:', () => {
  const ui = join(tmp.dir, 'renderer');
  let app: (request: Request) => Promise<Response>;
  beforeAll(() => {
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Trove</title>');
    writeFileSync(join(ui, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'not part of the UI');
    app = appHandler(ui);
  });

  it('serves the built UI with the app’s CSP', async () => {
    const page = await get(app, 'trove://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(await page.text()).toContain('<title>Trove</title>');
    const script = await get(app, 'trove://app/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
  });

  it('answers the app’s routes with index.html', async () => {
    expect(await (await get(app, 'trove://app/')).text()).toContain('<title>Trove</title>');
    expect(await (await get(app, 'trove://app/item/12')).text()).toContain('<title>Trove</title>');
  });

  it('answers 404 outside the built UI, for missing files and other hosts', async () => {
    for (const url of [
      'trove://app/../secret.txt',
      'trove://app/%2e%2e/secret.txt',
      'trove://app/%2e%2e%2fsecret.txt',
      'trove://app/assets/missing.js',
      'trove://app/index.html%00.js',
      'trove://elsewhere/index.html',
      'trove-media://app/index.html',
    ]) {
      expect((await get(app, url)).status, url).toBe(404);
    }
  });
});
