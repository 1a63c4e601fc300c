// Two hostile cases that need the file system's cooperation: a file Trove may not read, and files deleted between
// the scan that found them and the read that indexes them.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

const png = (r: number, g: number, b: number) => sharp({ create: { width: 32, height: 24, channels: 3, background: { r, g, b } } }).png().toBuffer();

// Root reads any file whatever its mode, so as root (CI) Trove runs as the unprivileged user `nobody` — which must
// be able to reach this checkout (not so under a private home folder: then the case cannot be made, and says so).
const asRoot = process.getuid?.() === 0;
const nobodyReachesRepo =
  !asRoot || spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(join(REPO, 'bin/trove.js'))})`], { uid: 65534, gid: 65534 }).status === 0;
if (!nobodyReachesRepo) console.warn(`unreadable.test.ts: the user nobody cannot read ${REPO}, so the unreadable-file case is skipped`);

describe('files Trove cannot read', () => {
  const tmp = tempDir('unreadable');
  afterAll(() => tmp.cleanup());

  it.skipIf(!nobodyReachesRepo)('makes an unreadable file an item with "permission denied", and indexes the rest', async () => {
    chmodSync(tmp.dir, 0o777); // the unprivileged user below writes its library here
    const lib = join(tmp.dir, 'lib');
    mkdirSync(lib);
    writeFileSync(join(lib, 'open.md'), '# Open\n\nA red note anyone may read.\n');
    writeFileSync(join(lib, 'secret.md'), '# Secret\n\nNot for Trove.\n');
    chmodSync(join(lib, 'secret.md'), 0o000);
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args, '--data-dir', join(tmp.dir, 'data'), '--model', COLOURS_PACK, '--no-ocr'], {
        cwd: REPO,
        env: { ...process.env, TROVE_LOG: 'warn', HOME: tmp.dir },
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
    await run(['index', lib]);
    const { errors } = JSON.parse((await run(['status', '--errors', '--json'])).stdout) as { errors: { relPath: string; error: string }[] };
    expect(errors.map((e) => [e.relPath, e.error])).toEqual([['secret.md', 'permission denied: Trove cannot read this file']]);
    const status = JSON.parse((await run(['status', '--json'])).stdout) as { counts: { note: number }; errors: number };
    expect(status).toMatchObject({ counts: { note: 1 }, errors: 1 }); // open.md indexed, secret.md an error
  }, 60_000);
});

describe('files deleted between the scan and the read', () => {
  const tmp = tempDir('vanishing');
  afterAll(() => tmp.cleanup());

  it('are neither items nor errors, and a changed file deleted so is removed', async () => {
    const lib = join(tmp.dir, 'lib');
    mkdirSync(join(lib, 'a'), { recursive: true });
    mkdirSync(join(lib, 'zzz'));
    for (let i = 0; i < 48; i++) writeFileSync(join(lib, 'a', `photo-${String(i).padStart(2, '0')}.png`), await png(200, (i * 5) % 256, 40));
    for (let i = 0; i < 6; i++) writeFileSync(join(lib, 'zzz', `late-${i}.md`), `# Late ${i}\n\nA blue note.\n`);
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    try {
      await engine.addRoot({ path: lib });
      await engine.indexNow({});
      const late = await engine.getItem({ path: join(lib, 'zzz/late-0.md') });
      // Change every file so the next run finds them all to do, then delete some as soon as it has listed them:
      // whether a file's read comes before or after its deletion, it must end the same way.
      for (let i = 0; i < 48; i++) writeFileSync(join(lib, 'a', `photo-${String(i).padStart(2, '0')}.png`), await png(40, (i * 5) % 256, 200));
      for (let i = 0; i < 6; i++) writeFileSync(join(lib, 'zzz', `late-${i}.md`), `# Late ${i}\n\nA green note now.\n`);
      let paused = false;
      const off = engine.on('progress', (p) => {
        if (!paused && p.phase === 'embedding') {
          paused = true;
          void engine.pauseIndexing();
        }
      });
      const running = engine.indexNow({});
      await new Promise<void>((resolve) => {
        const check = () => (paused ? resolve() : setTimeout(check, 5));
        check();
      });
      rmSync(join(lib, 'zzz'), { recursive: true });
      await engine.resumeIndexing();
      const summary = await running;
      off();
      expect(summary, JSON.stringify(summary)).toMatchObject({ failed: 0, removed: 6, changed: 48 });
      expect(await engine.listErrors({})).toEqual([]);
      await expect(engine.getItem({ id: late.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await engine.status()).counts).toMatchObject({ photo: 48, note: 0 });
    } finally {
      await engine.close();
    }
  }, 60_000);
});
