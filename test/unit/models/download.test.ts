import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Downloader, type TransferProgress } from '../../../src/main/engine/models/download.js';
import { startServer, type TestServer } from '../../http-server.js';
import { tempDir } from '../../helpers.js';

const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const tmp = tempDir('download');
let server: TestServer;
let n = 0;
const dest = () => join(tmp.dir, `file-${++n}.bin`);
const downloader = (onProgress?: (p: TransferProgress) => void) =>
  new Downloader({ dispatcher: new Agent(), backoffMs: 1, ...(onProgress ? { onProgress } : {}) });

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

describe('Downloader', () => {
  it('downloads, verifies and reports progress up to the total', async () => {
    server.files = new Map([['/a.bin', { body }]]);
    const seen: TransferProgress[] = [];
    const file = dest();
    const r = await downloader((p) => seen.push(p)).download({ url: `${server.url}/a.bin`, dest: file, size: body.length, sha256: sha });
    expect(r).toEqual({ size: body.length, sha256: sha, resumedFrom: 0, commit: null });
    expect(readFileSync(file).equals(body)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(seen.at(-1)).toMatchObject({ bytes: body.length, total: body.length });
    expect(seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1]!.bytes)).toBe(true);
  });

  it('resumes an interrupted transfer with a Range request instead of starting over', async () => {
    server.files = new Map([['/b.bin', { body, fault: { dropAfter: { bytes: 100_000, onRequests: [1] } } }]]);
    const file = dest();
    const r = await downloader().download({ url: `${server.url}/b.bin`, dest: file, size: body.length, sha256: sha });
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(server.requests.map((q) => q.range)).toEqual([undefined, `bytes=${r.resumedFrom}-`]);
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('resumes from a part left by an earlier run (a killed process)', async () => {
    server.files = new Map([['/c.bin', { body }]]);
    const file = dest();
    writeFileSync(`${file}.part`, body.subarray(0, 123_456));
    const r = await downloader().download({ url: `${server.url}/c.bin`, dest: file, size: body.length, sha256: sha });
    expect(r.resumedFrom).toBe(123_456);
    expect(server.requests[0]!.range).toBe('bytes=123456-');
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('restarts when the server ignores Range', async () => {
    server.files = new Map([['/d.bin', { body, fault: { ignoreRange: true } }]]);
    const file = dest();
    writeFileSync(`${file}.part`, body.subarray(0, 1000));
    const r = await downloader().download({ url: `${server.url}/d.bin`, dest: file, size: body.length, sha256: sha });
    expect(r.resumedFrom).toBe(0);
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('rejects a corrupted transfer and fetches the file again', async () => {
    server.files = new Map([['/e.bin', { body, fault: { corruptOnRequests: [1] } }]]);
    const file = dest();
    await downloader().download({ url: `${server.url}/e.bin`, dest: file, size: body.length, sha256: sha });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.range).toBeUndefined();
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  it('gives up on a file that is corrupted at the source, leaving nothing behind', async () => {
    server.files = new Map([['/f.bin', { body, fault: { corruptOnRequests: [1, 2, 3] } }]]);
    const file = dest();
    await expect(downloader().download({ url: `${server.url}/f.bin`, dest: file, size: body.length, sha256: sha })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/does not match its sha256 after two downloads/),
    });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('says 404 clearly and does not retry it', async () => {
    server.files = new Map();
    await expect(downloader().download({ url: `${server.url}/missing.onnx`, dest: dest(), size: null, sha256: null })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringMatching(/missing\.onnx answered 404 Not Found/),
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries server errors, then succeeds', async () => {
    server.files = new Map([['/g.bin', { body, fault: { statusOnRequests: { status: 503, onRequests: [1, 2] } } }]]);
    const file = dest();
    await downloader().download({ url: `${server.url}/g.bin`, dest: file, size: body.length, sha256: sha });
    expect(server.requests).toHaveLength(3);
    expect(statSync(file).size).toBe(body.length);
  });

  it('says "offline" in one clear line when the server cannot be reached', async () => {
    const closed = await startServer();
    const url = `${closed.url}/x.bin`;
    await closed.close();
    await expect(downloader().download({ url, dest: dest(), size: null, sha256: null })).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringMatching(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline or blocked by a proxy\?/),
    });
  });

  it('accepts a file without a known checksum and reports the one it computed', async () => {
    server.files = new Map([['/h.bin', { body }]]);
    const r = await downloader().download({ url: `${server.url}/h.bin`, dest: dest(), size: null, sha256: null });
    expect(r.sha256).toBe(sha);
  });
});
