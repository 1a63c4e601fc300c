// Model packs as a person meets them: the first `trove index` downloads the pack (from a Hugging Face-like
// server on 127.0.0.1 here), `trove models` lists, verifies and removes it, `trove doctor` reports it.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';
import { startServer, type TestServer } from '../http-server.js';

const files = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/vision_model.onnx', 'onnx/text_model.onnx'];

describe('model packs from the command line', () => {
  const tmp = tempDir('models-cli');
  const lib = join(tmp.dir, 'library');
  const catalogue = join(tmp.dir, 'catalogue');
  const data = ['--data-dir', join(tmp.dir, 'data')];
  let server: TestServer;
  let env: NodeJS.ProcessEnv;

  const run = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args], { cwd: REPO, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    await makeLibrary(lib);
    server = await startServer(
      Object.fromEntries(files.map((f) => [`/test-org/colours/resolve/main/${f}`, { body: readFileSync(join(COLOURS_PACK, f)), headers: { 'x-repo-commit': 'c'.repeat(40) } }])),
    );
    mkdirSync(catalogue);
    writeFileSync(
      join(catalogue, 'colours-remote.json'),
      JSON.stringify({
        format: 1,
        id: 'colours-remote',
        revision: 'main',
        title: 'Colours, downloaded',
        licence: 'MIT',
        dimensions: 16,
        contextLength: 32,
        source: { repo: 'test-org/colours', revision: 'main' },
        towers: { image: { file: 'onnx/vision_model.onnx' }, text: { file: 'onnx/text_model.onnx' } },
        files: files.map((path) => ({ path, size: null, sha256: null })),
      }),
    );
    env = { ...process.env, TROVE_MODEL_BASE_URL: server.url, TROVE_CATALOGUE_DIR: catalogue, TROVE_LOG: 'warn' };
  });

  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('answers a search of an empty library with what to do, downloading nothing', async () => {
    const search = await run(['search', 'red', '--model', 'colours-remote', ...data]);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/Nothing is indexed yet: add a folder/);
    const json = JSON.parse((await run(['search', 'red', '--json', '--model', 'colours-remote', ...data])).stdout) as { hits: unknown[]; space: unknown; notice: string };
    expect(json).toMatchObject({ hits: [], space: null, notice: expect.stringMatching(/^Nothing is indexed yet/) });
    expect(server.requests).toHaveLength(0);
  });

  it('downloads the pack on first use, saying what and where first, then indexes and searches with it', async () => {
    const index = await run(['index', lib, '--no-ocr', '--model', 'colours-remote', ...data]);
    expect(index.stderr).toMatch(/^First run: downloading the search model Colours, downloaded \(colours-remote, MIT\) into .+\.\nIt is fetched once and stays on this computer/);
    expect(index.stderr.trim().split('\n')).toHaveLength(2);
    expect(index.code).toBe(0);
    expect(index.stdout).toMatch(/24 added/);
    expect(server.requests).toHaveLength(files.length);
    const search = JSON.parse((await run(['search', 'red', '--kind', 'photo', '--json', ...data])).stdout) as { hits: { item: { path: string } }[]; space: { modelId: string; revision: string } };
    expect(search.hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    expect(search.space).toMatchObject({ modelId: 'colours-remote', revision: 'c'.repeat(40) });
    expect(server.requests).toHaveLength(files.length); // nothing downloaded twice
  });

  it('lists, verifies and removes installed packs', async () => {
    const list = JSON.parse((await run(['models', 'list', '--json', ...data])).stdout) as { id: string; installed: { variant: string } | null }[];
    expect(list).toEqual([expect.objectContaining({ id: 'colours-remote', installed: expect.objectContaining({ variant: 'fp32' }) })]);
    const human = await run(['models', 'list', ...data]);
    expect(human.stdout).toMatch(/colours-remote +Colours, downloaded\n +16 dimensions, MIT, test-org\/colours@main; installed \(fp32, [\d.]+ KB\)/);
    expect((await run(['models', 'verify', ...data])).stdout).toMatch(/^colours-remote: ok/);
    const doctor = JSON.parse((await run(['doctor', '--json', ...data])).stdout) as { provider: string; model: { id: string }; packs: unknown[]; ocr: { ready: boolean; files: { path: string; bytes: number }[] } };
    expect(doctor).toMatchObject({ provider: 'cpu', model: { id: 'colours-remote' }, ocr: { ready: true } });
    expect(doctor.ocr.files.map((f) => f.path.split('/').pop())).toEqual(['ch_PP-OCRv4_det_infer.onnx', 'ch_PP-OCRv4_rec_infer.onnx', 'ppocr_keys_v1.txt']);
    expect((await run(['doctor', ...data])).stdout).toMatch(/\nOCR: PaddleOCR PP-OCRv4 \(@gutenye\/ocr-models\) [\d.]+: ready \([\d.]+ MB\)\n {2}.*ch_PP-OCRv4_det_infer\.onnx/);
    const inUse = await run(['models', 'remove', 'colours-remote', '--model', COLOURS_PACK, ...data]);
    expect(inUse.code).toBe(0);
    expect(inUse.stdout).toMatch(/^Removed colours-remote\./);
    expect((await run(['models', 'remove', 'colours-remote', ...data])).stdout).toMatch(/was not installed/);
  });

  it('explains what to download and where when the server cannot be reached', async () => {
    const offline = { ...env, TROVE_MODEL_BASE_URL: 'http://127.0.0.1:59999' };
    const r = await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), 'models', 'download', 'colours-remote', ...data], { cwd: REPO, env: offline }).catch((e: unknown) => e as { code: number; stderr: string });
    expect(r).toMatchObject({ code: 1 });
    expect((r as { stderr: string }).stderr).toMatch(/^trove: cannot download model "colours-remote" \(cannot reach 127\.0\.0\.1:59999 \(ECONNREFUSED\).*Download config\.json, .* into .*colours-remote\.download\/ .*\n$/);
  });
});
