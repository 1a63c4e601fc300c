// `trove serve` keeps the library live: a folder added from the page is watched from then on, without a restart,
// and what changed while Trove was closed is indexed at launch.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, it } from 'vitest';
import { COLOURS_PACK, eventually, REPO, tempDir } from '../helpers.js';

const solid = (r: number, g: number, b: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).png().toBuffer();

describe('trove serve keeps folders live', () => {
  const tmp = tempDir('serve-live');
  afterAll(() => tmp.cleanup());

  const launch = () => {
    const child = spawn(process.execPath, ['bin/trove.js', 'serve', '--json', '--data-dir', join(tmp.dir, 'data'), '--model', COLOURS_PACK, '--no-ocr'], {
      cwd: REPO,
      env: { ...process.env, TROVE_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return {
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
});
