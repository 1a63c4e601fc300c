// Installing packs from a Hugging Face-like server on 127.0.0.1, with the colours pack as the payload, so the
// installed pack is loaded and run by the same code as any other.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultVariant, filesFor, loadCatalogue } from '../../../src/main/engine/models/catalogue.js';
import { OnnxEncoder } from '../../../src/main/engine/models/encoder.js';
import { ModelManager } from '../../../src/main/engine/models/manager.js';
import type { ModelProgress } from '../../../src/shared/types.js';
import { MANIFEST_FILE, parseCatalogueEntry, type CatalogueEntry } from '../../../src/main/engine/models/pack.js';
import { pinEntry, serialiseEntry } from '../../../src/main/engine/models/pin.js';
import { startServer, type Served, type TestServer } from '../../http-server.js';
import { COLOURS_PACK, tempDir } from '../../helpers.js';

const REPO = 'test-org/colours';
const COMMIT = 'a'.repeat(40);
const packFiles = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/vision_model.onnx', 'onnx/text_model.onnx'];
const bytesOf = (f: string) => readFileSync(join(COLOURS_PACK, f));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function entry(pinned: boolean, revision = 'main'): CatalogueEntry {
  return parseCatalogueEntry(
    {
      format: 1,
      id: 'colours-remote',
      revision,
      title: 'Colours from a server',
      licence: 'MIT',
      dimensions: 16,
      contextLength: 32,
      source: { repo: REPO, revision },
      towers: {
        // The same graph stands in for the int8 variant: what matters is which files are fetched.
        image: { file: 'onnx/vision_model.onnx', output: 'image_embeds', variants: { int8: 'onnx/vision_model_int8.onnx' } },
        text: { file: 'onnx/text_model.onnx', output: 'text_embeds', variants: { int8: 'onnx/text_model_int8.onnx' } },
      },
      files: [...packFiles, 'onnx/vision_model_int8.onnx', 'onnx/text_model_int8.onnx'].map((path) => {
        const b = bytesOf(path.replace('_int8', ''));
        return pinned ? { path, size: b.length, sha256: sha(b) } : { path, size: null, sha256: null };
      }),
    },
    'test',
  );
}

function served(revision: string, extra: Partial<Served> = {}): Map<string, Served> {
  const files = [...packFiles, 'onnx/vision_model_int8.onnx', 'onnx/text_model_int8.onnx'];
  return new Map(files.map((f) => [`/${REPO}/resolve/${revision}/${f}`, { body: bytesOf(f.replace('_int8', '')), headers: { 'x-repo-commit': COMMIT }, ...extra }]));
}

describe('ModelManager', () => {
  let server: TestServer;
  const tmp = tempDir('models');
  let n = 0;
  let modelsDir: string;
  const manager = (e: CatalogueEntry, baseUrl = server.url) =>
    new ModelManager(modelsDir, [e], { baseUrl, downloader: { dispatcher: new Agent(), backoffMs: 1, retries: 1 } });

  beforeAll(async () => {
    server = await startServer();
  });
  beforeEach(() => {
    modelsDir = join(tmp.dir, `models-${++n}`);
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('installs the CPU variant atomically with progress, and the installed pack runs', async () => {
    server.files = served('main');
    const progress: ModelProgress[] = [];
    const m = manager(entry(true));
    const installed = await m.install('colours-remote', { onProgress: (p) => progress.push(p) });
    expect(installed).toMatchObject({ id: 'colours-remote', variant: 'int8', dimensions: 16 });
    expect(server.requests.map((r) => r.path.split('/').pop())).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'vision_model_int8.onnx', 'text_model_int8.onnx']);
    const total = progress.at(-1)!.total!;
    expect(progress.at(-1)).toMatchObject({ bytes: total, fileIndex: 6, files: 6 });
    expect(readdirSync(modelsDir)).toEqual(['colours-remote']); // no .download folder left
    const encoder = await OnnxEncoder.open(installed.path);
    expect(encoder.space).toEqual({ modelId: 'colours-remote', revision: 'main', dimensions: 16 });
    const [v] = await encoder.embedTexts(['blue']);
    expect(v).toHaveLength(16);
    await encoder.close();
    expect(m.list()[0]).toMatchObject({ id: 'colours-remote', pinned: true, installed: { variant: 'int8' } });
  });

  it('pins an unpinned entry at install: sizes, checksums and the commit the server served', async () => {
    server.files = served('main');
    const installed = await manager(entry(false)).install('colours-remote', { variant: 'fp32' });
    expect(installed.revision).toBe(COMMIT);
    const manifest = JSON.parse(readFileSync(join(installed.path, MANIFEST_FILE), 'utf8')) as { files: { path: string; sha256: string }[]; source: { revision: string } };
    expect(manifest.source.revision).toBe(COMMIT);
    expect(manifest.files.find((f) => f.path === 'onnx/text_model.onnx')!.sha256).toBe(sha(bytesOf('onnx/text_model.onnx')));
    expect(manifest.files.some((f) => f.path.includes('int8'))).toBe(false);
  });

  it('keeps finished files of an interrupted install and fetches only the rest next time', async () => {
    server.files = served('main');
    server.files.delete(`/${REPO}/resolve/main/onnx/text_model_int8.onnx`);
    const m = manager(entry(true));
    await expect(m.install('colours-remote')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(existsSync(join(modelsDir, 'colours-remote'))).toBe(false); // never a half pack
    server.files = served('main');
    server.requests.length = 0;
    await m.install('colours-remote');
    expect(server.requests.map((r) => r.path.split('/').pop())).toEqual(['text_model_int8.onnx']);
  });

  it('says what to download and where when offline', async () => {
    const m = manager(entry(true), 'http://127.0.0.1:59999');
    const error = await m.install('colours-remote').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NETWORK' });
    const message = (error as Error).message;
    expect(message).toMatch(/cannot download model "colours-remote"/);
    expect(message).toContain(`http://127.0.0.1:59999/${REPO}/tree/main`);
    expect(message).toContain(join(modelsDir, 'colours-remote.download'));
    expect(message).toContain('onnx/vision_model_int8.onnx');
  });

  it('installs from files put in place by hand on an offline machine', async () => {
    const m = manager(entry(false), 'http://127.0.0.1:59999');
    for (const f of [...packFiles.slice(0, 4), 'onnx/vision_model_int8.onnx', 'onnx/text_model_int8.onnx']) {
      const dest = join(modelsDir, 'colours-remote.download', f);
      (await import('node:fs')).mkdirSync(join(dest, '..'), { recursive: true });
      writeFileSync(dest, bytesOf(f.replace('_int8', '')));
    }
    const installed = await m.install('colours-remote');
    expect(installed.variant).toBe('int8');
  });

  it('verifies an installed pack and notices corruption; removes it', async () => {
    server.files = served('main');
    const m = manager(entry(true));
    const installed = await m.install('colours-remote');
    await expect(m.verify('colours-remote')).resolves.toMatchObject({ id: 'colours-remote' });
    const file = join(installed.path, 'tokenizer.json');
    const b = readFileSync(file);
    b[10] = b[10]! ^ 0xff;
    writeFileSync(file, b);
    await expect(m.verify('colours-remote')).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/tokenizer.json does not match its sha256/) });
    expect(m.remove('colours-remote')).toBe(true);
    expect(m.installed('colours-remote')).toBeNull();
    expect(m.remove('colours-remote')).toBe(false);
  });

  it('refuses ids that are not in the catalogue or could escape the folder', async () => {
    const m = manager(entry(true));
    await expect(m.install('nope')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(() => m.dir('../etc')).toThrow(/not a model id/);
  });

  it('pins a catalogue entry from the Hugging Face API', async () => {
    const lfs = bytesOf('onnx/vision_model.onnx');
    server.files = new Map<string, Served>([
      [`/api/models/${REPO}/revision/main`, { body: Buffer.from(JSON.stringify({ sha: COMMIT })) }],
      [
        `/api/models/${REPO}/tree/${COMMIT}`,
        {
          body: Buffer.from(
            JSON.stringify([
              ...packFiles.filter((f) => !f.endsWith('.onnx')).map((path) => ({ type: 'file', path, size: bytesOf(path).length })),
              ...['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'onnx/vision_model_int8.onnx', 'onnx/text_model_int8.onnx'].map((path) => ({
                type: 'file',
                path,
                size: 134,
                lfs: { oid: sha(bytesOf(path.replace('_int8', ''))), size: bytesOf(path.replace('_int8', '')).length },
              })),
            ]),
          ),
        },
      ],
      ...served(COMMIT),
    ]);
    const pinned = await pinEntry(entry(false), server.url, new Agent());
    expect(pinned).toMatchObject({ pinned: true, revision: COMMIT, source: { revision: COMMIT } });
    expect(pinned.files.find((f) => f.path === 'onnx/vision_model.onnx')).toEqual({ path: 'onnx/vision_model.onnx', size: lfs.length, sha256: sha(lfs) });
    expect(pinned.files.find((f) => f.path === 'config.json')!.sha256).toBe(sha(bytesOf('config.json')));
    // Only small (non-LFS) files were downloaded to be hashed.
    expect(server.requests.filter((r) => r.path.includes('/resolve/')).map((r) => r.path.split('/').pop())).toEqual(['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json']);
    const roundTrip = parseCatalogueEntry(JSON.parse(serialiseEntry(pinned)) as Record<string, unknown>, 'x');
    expect(roundTrip).toEqual(pinned);
  });
});

describe('the catalogue', () => {
  it('offers the fast default and the multilingual pack, each with int8 for the CPU and fp16 for the GPU', () => {
    const catalogue = loadCatalogue().filter((e) => e.task !== 'speech'); // whisper-base: whisper-catalogue.test.ts
    expect(catalogue.map((e) => e.id).sort()).toEqual(['clip-vit-b32', 'siglip2-base']);
    for (const e of catalogue) {
      expect(defaultVariant(e, false)).toBe('int8');
      expect(defaultVariant(e, true)).toBe('fp16');
      const { files, towers } = filesFor(e, 'int8');
      expect(towers.image!.file).toMatch(/quantized/);
      expect(files.filter((f) => f.path.endsWith('.onnx')).every((f) => f.path.includes('quantized'))).toBe(true);
    }
    expect(catalogue.find((e) => e.id === 'siglip2-base')!.towers.text!.padding).toBe('max_length');
  });
});
