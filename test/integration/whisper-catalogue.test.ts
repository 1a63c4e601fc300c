// whisper-base from the catalogue: the entry's shape, and `trove models download whisper-base` through the usual
// download path against a Hugging Face-like server on 127.0.0.1 that serves the fixture Whisper pack as if it were
// onnx-community/whisper-base; the installed pack then transcribes. [Note: whisper] [Note: catalogue]
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultVariant, filesFor, loadCatalogue } from '../../src/main/engine/models/catalogue.js';
import { DEFAULT_SPEECH_MODEL } from '../../src/main/engine/ingest/audio-speech.js';
import { ModelManager } from '../../src/main/engine/models/manager.js';
import { MANIFEST_FILE, type CatalogueEntry } from '../../src/main/engine/models/pack.js';
import { WhisperModel } from '../../src/main/engine/models/whisper.js';
import { REPO, tempDir } from '../helpers.js';
import { startServer, type TestServer } from '../http-server.js';

const PACK = join(REPO, 'test/fixtures/packs/whisper-tiny-fixture');
const COMMIT = 'b'.repeat(40);

/** The fixture's file that stands in for each file of the real repository. */
function standIn(path: string): string {
  return path.replace('_quantized', ''); // the fixture has no int8 graphs: its fp32 ones stand in
}

/** A burst of loud noise between silences: voiced for the fixture's encoder (it listens for energy). */
function burst(): Float32Array {
  const pcm = new Float32Array(4 * 16000);
  let seed = 11;
  for (let i = 16000; i < 2 * 16000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    pcm[i] = (seed / 2 ** 31 - 0.5) * 0.4;
  }
  return pcm;
}

describe('whisper-base in the catalogue', () => {
  const tmp = tempDir('whisper-catalogue');
  let server: TestServer;
  let entry: CatalogueEntry;

  beforeAll(async () => {
    entry = loadCatalogue().find((e) => e.id === DEFAULT_SPEECH_MODEL)!;
    server = await startServer(
      Object.fromEntries(entry.files.map((f) => [`/${entry.source.repo}/resolve/main/${f.path}`, { body: readFileSync(join(PACK, standIn(f.path))), headers: { 'x-repo-commit': COMMIT } }])),
    );
  });

  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('is a speech pack from onnx-community/whisper-base with int8 for the CPU and fp16 for the GPU, unpinned', () => {
    expect(entry).toMatchObject({ task: 'speech', licence: 'MIT', dimensions: 512, contextLength: 448, source: { repo: 'onnx-community/whisper-base', revision: 'main' }, pinned: false });
    expect(defaultVariant(entry, false)).toBe('int8');
    expect(defaultVariant(entry, true)).toBe('fp16');
    const { files, towers } = filesFor(entry, 'int8');
    expect(towers).toEqual({ encoder: { file: 'onnx/encoder_model_quantized.onnx' }, decoder: { file: 'onnx/decoder_model_merged_quantized.onnx' } });
    expect(files.map((f) => f.path)).toEqual([
      'config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json',
      'onnx/encoder_model_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx',
    ]);
    expect(filesFor(entry, 'fp16').towers.decoder!.file).toBe('onnx/decoder_model_merged_fp16.onnx');
  });

  it('downloads through the usual path, records what it received, lists as speech, and transcribes', async () => {
    const manager = new ModelManager(join(tmp.dir, 'models'), [entry], { baseUrl: server.url, downloader: { dispatcher: new Agent(), backoffMs: 1, retries: 1 } });
    const installed = await manager.install('whisper-base');
    expect(installed).toMatchObject({ id: 'whisper-base', variant: 'int8', revision: COMMIT });
    const manifest = JSON.parse(readFileSync(join(installed.path, MANIFEST_FILE), 'utf8')) as { task: string; towers: unknown; files: { path: string }[] };
    expect(manifest.task).toBe('speech');
    expect(manifest.towers).toEqual({ encoder: { file: 'onnx/encoder_model_quantized.onnx' }, decoder: { file: 'onnx/decoder_model_merged_quantized.onnx' } });
    expect(manifest.files).toHaveLength(7);
    expect(manager.list()).toEqual([expect.objectContaining({ id: 'whisper-base', task: 'speech', installed: expect.objectContaining({ variant: 'int8' }) })]);
    await manager.verify('whisper-base');

    const model = await WhisperModel.open(installed.path, { threads: 1 });
    expect(model.id).toBe(`whisper-base@${COMMIT}`);
    const r = await model.transcribe(burst(), 0, true);
    expect(r.chunks).toHaveLength(1);
    expect(r.chunks[0]!.start).toBeCloseTo(1, 1);
    expect(r.chunks[0]!.end).toBeCloseTo(2, 1);
    await model.close();

    // On a GPU the fp16 graphs are fetched instead; the rest of the pack is already there.
    const gpu = new ModelManager(join(tmp.dir, 'models-gpu'), [entry], { baseUrl: server.url, downloader: { dispatcher: new Agent(), backoffMs: 1, retries: 1 } });
    server.requests.length = 0;
    const half = await gpu.install('whisper-base', { gpu: true });
    expect(half.variant).toBe('fp16');
    expect(server.requests.map((q) => q.path.split('/').pop()).filter((p) => p!.endsWith('.onnx'))).toEqual(['encoder_model_fp16.onnx', 'decoder_model_merged_fp16.onnx']);
    const halfModel = await WhisperModel.open(half.path, { threads: 1 });
    expect((await halfModel.transcribe(burst(), 0, true)).chunks).toEqual(r.chunks);
    await halfModel.close();
  });

  it('`trove models list` and `trove doctor` show it with the packs of the joint space', async () => {
    const trove = async (...args: string[]) =>
      (await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args, '--data-dir', join(tmp.dir, 'data')], { cwd: REPO, env: { ...process.env, TROVE_LOG: 'warn' } })).stdout;
    const [list, doctor] = await Promise.all([trove('models', 'list'), trove('doctor')]);
    expect(list).toMatch(/whisper-base +Whisper base — speech to text, 99 languages\n +speech to text, MIT, onnx-community\/whisper-base@main; not installed/);
    expect(list).toMatch(/clip-vit-b32/);
    expect(doctor).toMatch(/\n {2}whisper-base: not installed/);
  });
});
