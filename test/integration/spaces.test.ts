// Switching the model builds the new model's embedding space while the old one keeps answering; when every item
// is in the new space it takes over and the old one is dropped. [Note: spaces]
import { cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { inProcess } from '../../src/shared/dispatch.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

const WHISPER_PACK = join(REPO, 'test/fixtures/packs/whisper-tiny-fixture');

describe('changing the model', () => {
  const tmp = tempDir('spaces');
  afterAll(() => tmp.cleanup());

  it('keeps answering with the old space until the new one is complete, then drops the old one', async () => {
    const lib = join(tmp.dir, 'lib');
    const more = join(tmp.dir, 'more');
    const data = join(tmp.dir, 'data');
    await makeLibrary(lib);
    mkdirSync(more);
    renameSync(join(lib, 'notes'), join(more, 'notes')); // two roots: photos here, notes there
    // The new model: same towers, a different identity and a shorter context, so notes chunk differently.
    const v2 = join(tmp.dir, 'colours-v2');
    cpSync(COLOURS_PACK, v2, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(v2, 'trove-pack.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(v2, 'trove-pack.json'), JSON.stringify({ ...manifest, id: 'colours-v2', revision: '2', contextLength: 12 }));
    const journal = join(more, 'notes/journal.md');

    const first = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    const photos = await first.addRoot({ path: lib });
    await first.addRoot({ path: more });
    await first.indexNow();
    const oldChunks = (await first.getItem({ path: journal })).segments.length;
    await first.close();

    const second = Engine.open({ dataDir: data, model: v2, ocr: false });
    // Half-way: only the photos are in the new space.
    const half = await second.indexNow({ rootIds: [photos.id] });
    expect(half).toMatchObject({ reembedded: 11, changed: 0, embedded: { images: 11, texts: 0 } });
    const during = await second.status();
    expect(during.spaces.map((s) => [s.modelId, s.state, s.items])).toEqual([
      ['fixture-colours', 'active', 24],
      ['colours-v2', 'building', 11],
    ]);
    const answered = await second.search({ query: 'red', limit: 2 });
    expect(answered.space?.modelId).toBe('fixture-colours'); // the old model still answers, completely
    expect(answered.hits.map((h) => h.item.path).sort()).toEqual([join(lib, LIBRARY.photos.red), join(more, LIBRARY.notes.red)].sort());
    expect((await second.getItem({ path: journal })).segments).toHaveLength(oldChunks);

    // The rest: the new space is complete, takes over, and the old one is gone.
    const rest = await second.indexNow();
    expect(rest).toMatchObject({ reembedded: 13, unchanged: 11, changed: 0 });
    const after = await second.status();
    expect(after.spaces).toEqual([expect.objectContaining({ modelId: 'colours-v2', revision: '2', state: 'active', items: 24 })]);
    const { hits, space } = await second.search({ query: 'red', kinds: ['photo'], limit: 1 });
    expect(space?.modelId).toBe('colours-v2');
    expect(hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    const newChunks = (await second.getItem({ path: journal })).segments;
    expect(newChunks.length).toBeGreaterThan(oldChunks); // chunked for the shorter context, no text lost
    const segmentsLeft = second.store.db.prepare('SELECT count(*) FROM segments WHERE space_id IS NOT NULL AND space_id != ?').pluck().get(space!.id);
    expect(segmentsLeft).toBe(0);
    await second.close();

    // The library remembers the new model.
    const third = Engine.open({ dataDir: data, ocr: false });
    expect((await third.search({ query: 'red', limit: 1 })).space?.modelId).toBe('colours-v2');
    await third.close();
  });
});

describe('settings', () => {
  const tmp = tempDir('settings');
  afterAll(() => tmp.cleanup());

  it('keeps the device and the chosen model, and refuses what is not a model', async () => {
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), ocr: false });
    expect(await engine.getSettings()).toEqual({ device: 'auto', model: null, speechModel: null, startModel: null });
    // Requests are checked by their schema at the dispatcher, as every front door calls the engine.
    await expect(inProcess(engine).updateSettings({ device: 'tpu' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.updateSettings({ model: 'no-such-model' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(engine.updateSettings({ speechModel: 'no-such-model' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(await engine.updateSettings({ device: 'cpu', model: COLOURS_PACK })).toEqual({ device: 'cpu', model: COLOURS_PACK, speechModel: null, startModel: null });
    expect(await engine.updateSettings({ speechModel: 'whisper-base' })).toMatchObject({ speechModel: 'whisper-base' }); // in the catalogue
    expect(engine.device()).toBe('cpu');
    // The chosen model is what the next work uses, without --model.
    const lib = join(tmp.dir, 'lib');
    await makeLibrary(lib);
    await engine.addRoot({ path: lib });
    await engine.indexNow();
    expect((await engine.search({ query: 'red', limit: 1 })).space?.modelId).toBe('fixture-colours');
    expect((await engine.doctor()).device).toBe('cpu');
    await engine.close();
    const again = Engine.open({ dataDir: join(tmp.dir, 'data'), ocr: false });
    expect(await again.getSettings()).toEqual({ device: 'cpu', model: COLOURS_PACK, speechModel: 'whisper-base', startModel: null });
    // A pack named at start is said to be so: it is used whatever the setting says.
    await again.close();
    const named = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    expect(await named.getSettings()).toMatchObject({ model: COLOURS_PACK, startModel: COLOURS_PACK });
    await named.close();
  });

  it('refuses a model setting that is not a loadable pack, and search keeps answering', async () => {
    const data = join(tmp.dir, 'data-bad-model');
    const lib = join(tmp.dir, 'lib-bad-model');
    await makeLibrary(lib);
    const engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false });
    const api = inProcess(engine);
    await api.addRoot({ path: lib });
    await api.indexNow({});
    const before = await api.search({ query: 'red', limit: 3 });
    // A folder that is not a pack (the library folder itself), a broken pack, a speech pack: each refused with its
    // reason, and the setting left as it was.
    const broken = join(tmp.dir, 'broken-pack');
    cpSync(COLOURS_PACK, broken, { recursive: true });
    writeFileSync(join(broken, 'onnx', 'text_model.onnx'), 'not a graph');
    await expect(api.updateSettings({ model: lib })).rejects.toMatchObject({ code: expect.stringMatching(/^MODEL_(INVALID|NOT_FOUND)$/) });
    await expect(api.updateSettings({ model: broken })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(api.updateSettings({ model: WHISPER_PACK })).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    await expect(api.updateSettings({ speechModel: COLOURS_PACK })).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    expect((await api.getSettings({})).model).toBeNull();
    const after = await api.search({ query: 'red', limit: 3 });
    // The same answer (items tied at the page's edge may come in another order: the reader may have loaded its copy
    // of the space in memory since, [Note: flat-space]).
    expect(after.hits.filter((h) => h.close).map((h) => h.item.id)).toEqual(before.hits.filter((h) => h.close).map((h) => h.item.id));
    expect(after.hits.filter((h) => h.close).length).toBeGreaterThan(0);
    expect(after.hits.map((h) => h.score)).toEqual(before.hits.map((h) => h.score));
    await engine.close();
  });
});
