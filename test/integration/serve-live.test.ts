// `trove serve` keeps the library live: a folder added from the page is watched from then on, without a restart,
// and what changed while Trove was closed is indexed at launch.
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../helpers.js';

const solid = (r: number, g: number, b: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).png().toBuffer();

describe('trove serve keeps folders live', () => {
  const tmp = tempDir('serve-live');
  afterAll(() => tmp.cleanup());

  const launch = (...extra: string[]) => {
    const child = spawn(process.execPath, ['bin/trove.js', 'serve', '--json', '--data-dir', join(tmp.dir, 'data'), '--model', COLOURS_PACK, '--no-ocr', ...extra], {
      cwd: REPO,
      env: { ...process.env, TROVE_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return {
      async address() {
        await eventually(() => stdout.includes('"token"'), 'the server address', 60_000);
        return JSON.parse(stdout.split('\n')[0]!) as { url: string; token: string };
      },
      async ready() {
        await eventually(() => stdout.includes('"token"'), 'the server address', 60_000);
        const { url, token } = JSON.parse(stdout.split('\n')[0]!) as { url: string; token: string };
        const origin = new URL(url).origin;
        return async (op: string, body: unknown) => {
          const r = await fetch(`${origin}/api/${op}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
          return ((await r.json()) as { value: unknown }).value;
        };
      },
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  };

  it('watches a folder added through the API, and catches up at the next launch', async () => {
    const folder = join(tmp.dir, 'added');
    mkdirSync(folder);
    writeFileSync(join(folder, 'first.png'), await solid(220, 20, 20));
    const first = launch();
    try {
      const call = await first.ready();
      await call('addRoot', { path: folder });
      await call('indexNow', {});
      // Written after the folder was added: only a live watch can find it.
      writeFileSync(join(folder, 'later.png'), await solid(20, 40, 230));
      await eventually(async () => {
        const res = (await call('search', { query: 'blue', kinds: ['photo'], limit: 1 })) as { hits: { item: { relPath: string } }[] };
        return res.hits[0]?.item.relPath === 'later.png';
      }, 'the photo written into the added folder to be found', 30_000);
    } finally {
      await first.stop();
    }

    writeFileSync(join(folder, 'while-closed.png'), await solid(30, 160, 40));
    const second = launch();
    try {
      const call = await second.ready();
      await eventually(async () => {
        const res = (await call('search', { query: 'green', kinds: ['photo'], limit: 1 })) as { hits: { item: { relPath: string } }[] };
        return res.hits[0]?.item.relPath === 'while-closed.png';
      }, 'the photo added while Trove was closed to be found', 30_000);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('keeps its address and key across restarts, in a file only its owner reads, until --new-key', async () => {
    const one = launch();
    const first = await one.address();
    await one.stop();
    const two = launch();
    const second = await two.address();
    // The open tab's address still works: same port, same key.
    const status = await fetch(`${new URL(second.url).origin}/api/status`, { method: 'POST', headers: { authorization: `Bearer ${first.token}` }, body: '{}' });
    await two.stop();
    expect(second).toEqual(first);
    expect(status.status).toBe(200);
    expect(statSync(join(tmp.dir, 'data', 'serve.json')).mode & 0o777).toBe(0o600);
    const three = launch('--new-key');
    const third = await three.address();
    await three.stop();
    expect(new URL(third.url).port).toBe(new URL(first.url).port);
    expect(third.token).not.toBe(first.token);
    expect(third.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  }, 120_000);
});
