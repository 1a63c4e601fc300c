// What the first-run walkthrough asks of the engine, through the same dispatcher as every front door: the model
// catalogue with sizes and languages, the guide to installing a pack by hand on a machine that cannot download it
// (and a hand-made copy that then installs with no network at all), and folder completion. [Note: first-run]
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcess } from '../../src/shared/dispatch.js';
import type { TroveApi } from '../../src/shared/api.js';
import { TroveError } from '../../src/shared/errors.js';
import { Engine } from '../../src/main/engine/index.js';
import type { PackManifest } from '../../src/main/engine/models/pack.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

const manifest = JSON.parse(readFileSync(join(COLOURS_PACK, 'trove-pack.json'), 'utf8')) as PackManifest;

describe('first run, in the engine', () => {
  const tmp = tempDir('first-run');
  let engine: Engine;
  let api: TroveApi;

  beforeAll(() => {
    const catalogue = join(tmp.dir, 'catalogue');
    mkdirSync(catalogue);
    const { files, towers, dimensions, contextLength, licence } = manifest;
    const entry = { format: 1, id: 'colours-remote', revision: '1', title: 'Colours', licence, languages: 'Colour words in English', dimensions, contextLength, towers, source: { repo: 'test-org/colours', revision: 'main' }, files };
    writeFileSync(join(catalogue, 'colours-remote.json'), JSON.stringify(entry));
    process.env.TROVE_CATALOGUE_DIR = catalogue;
    try {
      // A port nothing listens on: every download fails as it would offline.
      engine = Engine.open({ dataDir: join(tmp.dir, 'data'), ocr: false, modelBaseUrl: 'http://127.0.0.1:59999' });
    } finally {
      delete process.env.TROVE_CATALOGUE_DIR;
    }
    api = inProcess(engine);
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('lists the catalogue with each pack\'s size, licence and languages', async () => {
    const [m] = await api.listModels({});
    expect(m).toMatchObject({ id: 'colours-remote', licence: 'MIT', languages: 'Colour words in English', downloadBytes: manifest.files.reduce((s, f) => s + f.size, 0), installed: null });
  });

  it('says offline in one error, and a copy made by hand from the guide then installs without the network', async () => {
    const failure = await api.downloadModel({ id: 'colours-remote' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TroveError);
    expect((failure as TroveError).code).toBe('NETWORK');

    const guide = await api.installGuide({ id: 'colours-remote' });
    expect(guide.page).toBe('http://127.0.0.1:59999/test-org/colours/tree/main');
    expect(guide.folder).toBe(join(tmp.dir, 'data', 'models', 'colours-remote.download'));
    expect(guide.files.map((f) => f.path).sort()).toEqual(manifest.files.map((f) => f.path).sort());
    expect(guide.files.find((f) => f.path === 'onnx/text_model.onnx')).toEqual({
      path: 'onnx/text_model.onnx',
      url: 'http://127.0.0.1:59999/test-org/colours/resolve/main/onnx/text_model.onnx',
      bytes: manifest.files.find((f) => f.path === 'onnx/text_model.onnx')!.size,
    });
    expect(guide.totalBytes).toBe(manifest.files.reduce((s, f) => s + f.size, 0));

    // A person downloads each file in a browser and puts it where the guide says, sub-folders kept.
    for (const f of guide.files) {
      mkdirSync(dirname(join(guide.folder, f.path)), { recursive: true });
      copyFileSync(join(COLOURS_PACK, f.path), join(guide.folder, f.path));
    }
    const installed = await api.downloadModel({ id: 'colours-remote' });
    expect(installed.path).toBe(join(tmp.dir, 'data', 'models', 'colours-remote'));
    expect((await api.listModels({}))[0]!.installed?.id).toBe('colours-remote');
  });

  it('refuses a guide for a pack the catalogue does not have', async () => {
    await expect(api.installGuide({ id: 'no-such-pack' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(api.installGuide({ id: '../etc' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('completes folder paths through the API', async () => {
    mkdirSync(join(tmp.dir, 'photos', 'Lisbon 2024'), { recursive: true });
    const c = await api.completeFolder({ path: join(tmp.dir, 'photos', 'lis') });
    expect(c.folders).toEqual([{ name: 'Lisbon 2024', path: join(tmp.dir, 'photos', 'Lisbon 2024') }]);
    await expect(api.completeFolder({ path: 'a\0b' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
