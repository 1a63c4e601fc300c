// The link rule, with real symlinks. [Note: symlinks]
// A link inside a watched folder is followed only while its real path stays inside that folder; links to folders
// never. A link that leads outside is listed as skipped with the reason and no item exists for it: not by scanning,
// not by watching, and not after it is retargeted; OCR, thumbnails and media refuse it too.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../../src/shared/dispatch.js';
import type { TroveApi } from '../../src/shared/api.js';
import { Engine } from '../../src/main/engine/index.js';
import { Indexer } from '../../src/main/engine/ingest/indexer.js';
import { OcrRunner } from '../../src/main/engine/ingest/ocr.js';
import { ProgressTracker } from '../../src/main/engine/ingest/progress.js';
import { COLOURS_PACK, eventually, tempDir } from '../helpers.js';

const SECRET = 'zebrafinch quokka secret';

async function sign(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="100%" height="100%" fill="#2a5caa"/>
    <rect x="80" y="200" width="740" height="160" fill="#f4efe1"/>
    <text x="110" y="305" font-size="72" font-family="DejaVu Sans" font-weight="bold" fill="#1a1a1a">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

describe('links inside a watched folder', () => {
  const tmp = tempDir('symlinks');
  const lib = join(tmp.dir, 'lib');
  const outside = join(tmp.dir, 'private');
  let engine: Engine;
  let api: TroveApi;

  beforeAll(async () => {
    mkdirSync(join(lib, 'notes'), { recursive: true });
    mkdirSync(join(lib, 'photos'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'passwd.txt'), `root:x:0:0 ${SECRET}\n`);
    writeFileSync(join(outside, 'diary.md'), `# Diary\n\n${SECRET} in the private folder\n`);
    writeFileSync(join(outside, 'sign.jpg'), await sign('SECRET VAULT'));
    writeFileSync(join(lib, 'notes/real.md'), '# Real\n\nA red kite over the hill.\n');
    writeFileSync(join(lib, 'photos/red.png'), await sharp({ create: { width: 64, height: 48, channels: 3, background: '#d01010' } }).png().toBuffer());
    symlinkSync(join(outside, 'passwd.txt'), join(lib, 'notes/passwd.txt')); // a file link leading outside
    symlinkSync(outside, join(lib, 'notes/outdir')); // a folder link leading outside
    symlinkSync(join(lib, 'notes/real.md'), join(lib, 'notes/alias.md')); // a file link that stays inside
    symlinkSync(join(lib, 'photos'), join(lib, 'notes/photos-again')); // a folder link that stays inside
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    api = inProcess(engine);
    await api.addRoot({ path: lib });
    await api.indexNow({});
  }, 120_000);

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  const paths = async () => (await api.search({ query: 'red kite secret zebrafinch', limit: 50 })).hits.map((h) => h.item.relPath).sort();

  it('indexes what stays inside, once per path, and nothing from outside', async () => {
    const status = await api.status({});
    expect(status.counts).toMatchObject({ note: 2, photo: 1 }); // real.md and alias.md; red.png once (not via photos-again)
    expect(await paths()).toEqual(['notes/alias.md', 'notes/real.md', 'photos/red.png']);
    expect((await api.search({ query: SECRET, limit: 50 })).hits.filter((h) => h.match.lexical)).toEqual([]);
    await expect(api.getItem({ path: join(lib, 'notes/passwd.txt') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists what it did not follow, with the reason', async () => {
    const skipped = await api.listSkipped({});
    expect(skipped.map((s) => s.relPath).sort()).toEqual(['notes/outdir', 'notes/passwd.txt']);
    expect(skipped.find((s) => s.relPath === 'notes/passwd.txt')?.reason).toMatch(/leads outside its watched folder/);
    expect((await api.status({})).skipped).toBe(2);
  });

  it('drops an item whose link is retargeted outside, and serves nothing of it meanwhile', async () => {
    const alias = await api.getItem({ path: join(lib, 'notes/alias.md') });
    rmSync(join(lib, 'notes/alias.md'));
    symlinkSync(join(outside, 'diary.md'), join(lib, 'notes/alias.md'));
    // Before the next scan, the file behind the item's path leads outside: media refuses it.
    await expect(engine.mediaFile(alias.id, 'original')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await api.indexNow({});
    await expect(api.getItem({ id: alias.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await api.listSkipped({})).map((s) => s.relPath)).toContain('notes/alias.md');
    expect((await api.search({ query: SECRET, limit: 50 })).hits.filter((h) => h.match.lexical)).toEqual([]);
  });

  it('refuses thumbnails and media of a photo whose link is retargeted outside', async () => {
    writeFileSync(join(lib, 'photos/target.png'), await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1010d0' } }).png().toBuffer());
    symlinkSync(join(lib, 'photos/target.png'), join(lib, 'photos/link.png'));
    await api.indexNow({});
    const link = await api.getItem({ path: join(lib, 'photos/link.png') });
    expect((await api.thumbnail({ id: link.id, size: 'small' })).mime).toBe('image/webp');
    rmSync(join(lib, 'photos/link.png'));
    symlinkSync(join(outside, 'sign.jpg'), join(lib, 'photos/link.png'));
    await expect(api.thumbnail({ id: link.id, size: 'large' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(engine.mediaFile(link.id, 'large')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(engine.mediaFile(link.id, 'original')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('does not read the text in a photo whose link was retargeted outside before OCR', async () => {
    // OCR runs after embedding; here the link changes in between. Run only the OCR step of an index run (no scan).
    const ocr = new OcrRunner({ threads: 1 });
    try {
      const root = (await api.listRoots({}))[0]!;
      const photo = join(lib, 'photos/ocr-link.jpg');
      writeFileSync(join(lib, 'photos/ocr-target.jpg'), await sign('OPEN ROAD'));
      symlinkSync(join(lib, 'photos/ocr-target.jpg'), photo);
      await api.indexNow({}); // this engine has no OCR: the photo waits for its text to be read
      rmSync(photo);
      symlinkSync(join(outside, 'sign.jpg'), photo);
      const encoder = await engine.encoder();
      const space = engine.store.spaces.active()!;
      const indexer = new Indexer(engine.store, encoder, space.id, new ProgressTracker(), () => undefined, () => undefined, ocr);
      await indexer.run([{ root, only: [] }]);
      const ocrText = (rel: string) => String(engine.store.db.prepare('SELECT ocr_text FROM items WHERE root_id = ? AND rel_path = ?').pluck().get(root.id, rel) ?? '');
      expect(ocrText('photos/ocr-link.jpg')).not.toMatch(/SECRET|VAULT/i);
      expect(ocrText('photos/ocr-target.jpg')).toMatch(/OPEN ROAD/i); // OCR itself works here
    } finally {
      await ocr.close();
    }
  }, 120_000);

  it('does not follow links the watcher sees appear', async () => {
    const handle = engine.watch({});
    await handle.ready;
    try {
      const elsewhere = join(tmp.dir, 'elsewhere');
      mkdirSync(elsewhere);
      writeFileSync(join(elsewhere, 'plans.md'), `# Plans\n\n${SECRET} plans\n`);
      symlinkSync(elsewhere, join(lib, 'notes/linked-folder'));
      symlinkSync(join(outside, 'passwd.txt'), join(lib, 'notes/new-passwd.txt'));
      writeFileSync(join(lib, 'notes/fresh.md'), '# Fresh\n\nA fresh red note.\n');
      await eventually(async () => (await paths()).includes('notes/fresh.md'), 'the fresh note to be indexed', 20_000);
      await eventually(async () => (await api.listSkipped({})).some((s) => s.relPath === 'notes/new-passwd.txt'), 'the new link to be listed as skipped', 20_000);
      expect((await paths()).filter((p) => p.includes('linked-folder') || p.includes('new-passwd'))).toEqual([]);
      expect((await api.search({ query: SECRET, limit: 50 })).hits.filter((h) => h.match.lexical)).toEqual([]);
    } finally {
      await handle.close();
    }
  }, 60_000);
});
