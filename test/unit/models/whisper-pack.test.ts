// Speech packs: the Whisper fixture is reproducible from its script, loads through trove-pack.json or as a plain
// Hugging Face export (merged or plain decoder, any precision), its token ids are read from its own files, and a
// missing or broken pack says what is wrong. [Note: whisper]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxEncoder } from '../../../src/main/engine/models/encoder.js';
import { loadPack, MANIFEST_FILE, parseManifest } from '../../../src/main/engine/models/pack.js';
import { fromHalf, isSilent, speechStart, toHalf, WhisperModel } from '../../../src/main/engine/models/whisper.js';
import { promptTokens, readDecodeRules, readSpecialTokens } from '../../../src/main/engine/models/whisper-decode.js';
import { COLOURS_PACK, REPO, tempDir } from '../../helpers.js';

export const WHISPER_PACK = join(REPO, 'test/fixtures/packs/whisper-tiny-fixture');
const tmp = tempDir('whisper-pack');
afterAll(() => tmp.cleanup());

function copyPack(name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(WHISPER_PACK, dir, { recursive: true });
  return dir;
}

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

describe('the Whisper fixture pack', () => {
  it('is exactly what scripts/make-whisper-fixture.py writes', () => {
    const out = join(tmp.dir, 'regenerated');
    execFileSync('/usr/bin/python3', [join(REPO, 'scripts/make-whisper-fixture.py'), out], { stdio: 'pipe' });
    expect(hashes(out)).toEqual(hashes(WHISPER_PACK));
  });

  it('is small, and has the I/O signature of a Hugging Face Whisper export', async () => {
    const total = Object.keys(hashes(WHISPER_PACK)).reduce((s, f) => s + readFileSync(join(WHISPER_PACK, f)).length, 0);
    expect(total).toBeLessThan(200_000);
    const model = await WhisperModel.open(WHISPER_PACK, { threads: 1 });
    expect(model.pack.manifest).toMatchObject({ id: 'fixture-whisper', task: 'speech', towers: { encoder: { file: 'onnx/encoder_model.onnx' }, decoder: { file: 'onnx/decoder_model_merged.onnx' } } });
    expect(model.decoder.past.map((p) => p.input)).toEqual([
      'past_key_values.0.decoder.key',
      'past_key_values.0.decoder.value',
      'past_key_values.0.encoder.key',
      'past_key_values.0.encoder.value',
    ]);
    expect(model.decoder.useCacheBranch).toBe(true);
    expect(model.features).toMatchObject({ nMels: 80, nFft: 400, hop: 160, nFrames: 3000 });
    await model.close();
  });

  it('gives its special token ids through the tokenizer and generation_config, none hard-coded', () => {
    const tokenizer = new Tokenizer(json(WHISPER_PACK, 'tokenizer.json'), json(WHISPER_PACK, 'tokenizer_config.json'));
    const generation = json(WHISPER_PACK, 'generation_config.json');
    const config = json(WHISPER_PACK, 'config.json');
    const t = readSpecialTokens(tokenizer, generation, config);
    const id = (s: string) => tokenizer.token_to_id(s)!;
    expect(t).toMatchObject({
      eot: id('<|endoftext|>'),
      sot: id('<|startoftranscript|>'),
      transcribe: id('<|transcribe|>'),
      translate: id('<|translate|>'),
      noSpeech: id('<|nospeech|>'),
      noTimestamps: id('<|notimestamps|>'),
      timestampBegin: id('<|0.00|>'),
      timestampCount: 1501,
      timePrecision: 0.02,
      multilingual: true,
    });
    expect(t.timestampBegin + 1500).toBe(id('<|30.00|>'));
    expect([...t.languages.keys()]).toEqual(['en', 'zh', 'de', 'es', 'fr', 'ja']);
    expect(promptTokens(t, 'de')).toEqual([t.sot, id('<|de|>'), t.transcribe]);
    expect(() => promptTokens(t, 'xx')).toThrow(/does not know the language "xx"/);
    const rules = readDecodeRules(t, generation, config);
    expect(rules).toMatchObject({ beginSuppress: [id('Ġ'), t.eot], maxInitialTimestampIndex: 50, maxLength: 448 });
    expect(rules.suppress).toContain(id('#'));
    // The byte-level vocabulary decodes like Whisper's: a leading space is Ġ.
    expect(tokenizer.decode([id('Ġhello'), id('Ġworld')], { skip_special_tokens: true })).toBe(' hello world');

    // Without lang_to_id, the language tokens are found between <|startoftranscript|> and <|translate|>; an
    // English-only vocabulary (no languages) prompts with <|startoftranscript|> alone.
    const { lang_to_id: _ignored, ...bare } = generation;
    expect([...readSpecialTokens(tokenizer, bare, config).languages.keys()]).toEqual(['en', 'zh', 'de', 'es', 'fr', 'ja']);
    const english = readSpecialTokens(tokenizer, { ...generation, is_multilingual: false }, config);
    expect(promptTokens(english, null)).toEqual([t.sot]);
  });

  it('converts float16 both ways as IEEE half precision', () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 0.1, 65504, 1e-5, 6e-8, 70000, -Infinity, 1 / 3]);
    const back = fromHalf(toHalf(values));
    expect(Array.from(toHalf(Float32Array.from([1, -2, 65504, 70000])))).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00]);
    expect(back[0]).toBe(0);
    expect(back[2]).toBe(1);
    expect(back[3]).toBe(-2.5);
    expect(back[4]).toBeCloseTo(0.1, 3);
    expect(back[5]).toBe(65504);
    expect(back[6]).toBeCloseTo(1e-5, 7);
    expect(back[7]).toBeCloseTo(6e-8, 8);
    expect(back[8]).toBe(Infinity);
    expect(back[9]).toBe(-Infinity);
    expect(back[10]).toBeCloseTo(1 / 3, 3);
  });
});

describe('silence around speech', () => {
  const tone = (seconds: number, amplitude: number) => Float32Array.from({ length: Math.round(seconds * 16000) }, (_, i) => amplitude * Math.sin(i / 5));
  const join3 = (...parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  it('a window is silent when its loudest 20 ms stays under −70 dBFS', () => {
    expect(isSilent(new Float32Array(16000))).toBe(true);
    expect(isSilent(tone(1, 0.0002))).toBe(true);
    expect(isSilent(join3(new Float32Array(16000), tone(0.02, 0.01)))).toBe(false);
  });

  it('speech starts 0.5 s before the first sound when more than 1 s of silence leads', () => {
    expect(speechStart(join3(new Float32Array(5 * 16000), tone(1, 0.3)))).toBeCloseTo(4.5, 6);
    expect(speechStart(join3(new Float32Array(0.9 * 16000), tone(1, 0.3)))).toBe(0);
    // A noise floor 45 dB under the loudest sound counts as silence; a softer start of the speech does not.
    expect(speechStart(join3(tone(3, 0.001), tone(1, 0.3)))).toBeCloseTo(2.5, 6);
    expect(speechStart(join3(tone(3, 0.01), tone(1, 0.3)))).toBe(0);
  });
});

describe('speech packs load', () => {
  it('as a plain Hugging Face export without trove-pack.json, preferring the merged decoder and full precision', async () => {
    const dir = copyPack('hf-whisper');
    rmSync(join(dir, MANIFEST_FILE));
    const pack = await loadPack(dir);
    expect(pack.manifest).toMatchObject({ id: 'hf-whisper', task: 'speech', dimensions: 8, contextLength: 448, towers: { encoder: { file: 'onnx/encoder_model.onnx' }, decoder: { file: 'onnx/decoder_model_merged.onnx' } } });
    expect(pack.manifest.revision).toMatch(/^local-[0-9a-f]{12}$/);
    expect(pack.tokenizer).not.toBeNull();
  });

  it('with only a plain decoder (no KV cache), or only one precision of the graphs', async () => {
    const plain = copyPack('hf-plain');
    rmSync(join(plain, MANIFEST_FILE));
    for (const f of ['decoder_model_merged.onnx', 'decoder_model_merged_fp16.onnx']) rmSync(join(plain, 'onnx', f));
    const model = await WhisperModel.open(plain, { threads: 1 });
    expect(model.pack.manifest.towers.decoder!.file).toBe('onnx/decoder_model.onnx');
    expect(model.decoder.past).toEqual([]);
    await model.close();

    const half = copyPack('hf-half');
    rmSync(join(half, MANIFEST_FILE));
    for (const f of ['encoder_model.onnx', 'decoder_model_merged.onnx', 'decoder_model.onnx']) rmSync(join(half, 'onnx', f));
    expect((await loadPack(half)).manifest.towers).toEqual({ encoder: { file: 'onnx/encoder_model_fp16.onnx' }, decoder: { file: 'onnx/decoder_model_merged_fp16.onnx' } });

    const quantized = copyPack('hf-int8');
    rmSync(join(quantized, MANIFEST_FILE));
    renameSync(join(quantized, 'onnx/encoder_model.onnx'), join(quantized, 'onnx/encoder_model_quantized.onnx'));
    renameSync(join(quantized, 'onnx/decoder_model_merged.onnx'), join(quantized, 'onnx/decoder_model_merged_quantized.onnx'));
    rmSync(join(quantized, 'onnx/decoder_model.onnx'));
    expect((await loadPack(quantized)).manifest.towers).toEqual({ encoder: { file: 'onnx/encoder_model_quantized.onnx' }, decoder: { file: 'onnx/decoder_model_merged_quantized.onnx' } });
  });

  it('and keep image/text manifests as they were; a speech manifest needs both towers', () => {
    const colours = parseManifest(json(COLOURS_PACK, MANIFEST_FILE), COLOURS_PACK);
    expect(colours.task).toBeUndefined();
    expect(Object.keys(colours.towers).sort()).toEqual(['image', 'text']);
    const whisper = json(WHISPER_PACK, MANIFEST_FILE);
    expect(() => parseManifest({ ...whisper, towers: { encoder: { file: 'onnx/encoder_model.onnx' } } }, 'x')).toThrow(/needs an encoder and a decoder tower/);
    expect(() => parseManifest({ ...whisper, task: 'dance' }, 'x')).toThrow(/unknown task "dance"/);
  });
});

describe('a broken speech pack says what is wrong', () => {
  it('a missing or truncated graph, by name', async () => {
    const missing = copyPack('missing');
    rmSync(join(missing, 'onnx/decoder_model_merged.onnx'));
    await expect(WhisperModel.open(missing)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/onnx\/decoder_model_merged.onnx is missing/) });
    const truncated = copyPack('truncated');
    const file = join(truncated, 'onnx/encoder_model.onnx');
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await expect(WhisperModel.open(truncated)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/encoder_model.onnx has 100 bytes, expected \d+/) });
  });

  it('a corrupt graph or tokenizer in a pack without checksums', async () => {
    const corrupt = copyPack('corrupt');
    rmSync(join(corrupt, MANIFEST_FILE));
    writeFileSync(join(corrupt, 'onnx/encoder_model.onnx'), Buffer.from('not an onnx graph'));
    await expect(WhisperModel.open(corrupt)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/cannot open .*encoder_model.onnx/) });
    const noTokenizer = copyPack('no-tokenizer');
    rmSync(join(noTokenizer, 'tokenizer.json'));
    await expect(WhisperModel.open(noTokenizer)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/tokenizer.json is missing/) });
    rmSync(join(noTokenizer, MANIFEST_FILE));
    await expect(WhisperModel.open(noTokenizer)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/cannot read tokenizer.json/) });
    writeFileSync(join(noTokenizer, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 }, merges: [] } }));
    await expect(WhisperModel.open(noTokenizer)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/tokenizer.json: /) });
    const noConfig = copyPack('no-config');
    rmSync(join(noConfig, MANIFEST_FILE));
    rmSync(join(noConfig, 'config.json'));
    await expect(WhisperModel.open(noConfig)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/cannot read config.json/) });
  });

  it('an image/text pack is not a speech pack nor the reverse, and a folder that is not there is not found', async () => {
    await expect(WhisperModel.open(COLOURS_PACK)).rejects.toMatchObject({ code: 'MODEL_MISMATCH', message: expect.stringMatching(/not a speech pack/) });
    await expect(OnnxEncoder.open(WHISPER_PACK)).rejects.toMatchObject({ code: 'MODEL_MISMATCH', message: expect.stringMatching(/is a speech pack/) });
    await expect(WhisperModel.open(join(tmp.dir, 'nowhere'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(WhisperModel.open(WHISPER_PACK, { language: 'xx' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/does not know the language "xx"/) });
  });
});
