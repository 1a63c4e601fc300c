// The Engine decides which files the page may load (Electron's protocol and browser mode both ask it).
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('Engine.mediaFile', () => {
  const tmp = tempDir('media');
  const lib = join(tmp.dir, 'lib');
  let engine: Engine;

  beforeAll(async () => {
    await makeLibrary(lib);
    writeFileSync(join(tmp.dir, 'secret.txt'), 'not yours');
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
    await engine.indexNow({});
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  const photo = () => engine.getItem({ path: join(lib, 'photos/2023/IMG_0412.jpg') });

  it('gives a photo thumbnail at both sizes, made once', async () => {
    const item = await photo();
    const small = await engine.mediaFile(item.id, 'small');
    expect(small.mime).toBe('image/webp');
    const meta = await sharp(readFileSync(small.file)).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(256);
    expect((await engine.mediaFile(item.id, 'small')).file).toBe(small.file);
    expect((await engine.mediaFile(item.id, 'large')).file).not.toBe(small.file);
  });

  it('gives the original file with its type', async () => {
    const item = await photo();
    const original = await engine.mediaFile(item.id, 'original');
    expect(original).toEqual({ file: item.path, mime: 'image/jpeg' });
  });

  it('refuses unknown items, thumbnails of notes, and bad variants', async () => {
    await expect(engine.mediaFile(999_999, 'small')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const note = (await engine.search({ query: 'red', kinds: ['note'], limit: 1 })).hits[0]!.item;
    await expect(engine.mediaFile(note.id, 'small')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await engine.mediaFile(note.id, 'original')).mime).toMatch(/^text\//);
    await expect(engine.mediaFile(note.id, 'huge' as 'small')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a file swapped for a link that leads outside its folder', async () => {
    const note = (await engine.search({ query: 'red', kinds: ['note'], limit: 1 })).hits[0]!.item;
    rmSync(note.path);
    symlinkSync(join(tmp.dir, 'secret.txt'), note.path);
    await expect(engine.mediaFile(note.id, 'original')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
