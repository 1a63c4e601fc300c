// Speech to text end to end: espeak-ng speech with silences, through createTranscriber (the speech worker, the real
// features, the fixture Whisper pack's encoder and KV-cached decoder, timestamp rules, the tokenizer), into
// time-stamped chunks that follow the audio; windows of a long recording chained by consumedSeconds. [Note: whisper]
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transcriber, TranscriptChunk } from '../../src/main/engine/models/speech.js';
import { createTranscriber, WhisperModel } from '../../src/main/engine/models/whisper.js';
import { compose, SAMPLE_RATE, speak, type Span } from '../fixtures/speech-audio.js';
import { REPO, tempDir } from '../helpers.js';

const PACK = join(REPO, 'test/fixtures/packs/whisper-tiny-fixture');
const WINDOW = 30;
/** Chunk times may differ from the measured spans by the 20 ms timestamp step, a mel frame and the voicing edge. */
const TOLERANCE = 0.15;

function expectFollows(chunks: readonly TranscriptChunk[], spans: readonly Span[], offset = 0): void {
  expect(chunks).toHaveLength(spans.length);
  chunks.forEach((c, i) => {
    expect(Math.abs(c.start - (offset + spans[i]!.start))).toBeLessThan(TOLERANCE);
    expect(Math.abs(c.end - (offset + spans[i]!.end))).toBeLessThan(TOLERANCE);
    // The fixture says "hello" for a span of 0.8 s or more, "yes" for a shorter one.
    expect(c.text).toBe(spans[i]!.end - spans[i]!.start >= 0.8 ? 'hello' : 'yes');
  });
}

/** What the audio ingest does with a long recording: 30 s windows, each starting where the last was consumed. */
async function transcribeAll(t: Transcriber, pcm: Float32Array): Promise<{ chunks: TranscriptChunk[]; windows: { offset: number; consumed: number }[] }> {
  const chunks: TranscriptChunk[] = [];
  const windows: { offset: number; consumed: number }[] = [];
  let offset = 0;
  while (offset * SAMPLE_RATE < pcm.length) {
    const from = Math.round(offset * SAMPLE_RATE);
    const to = Math.min(pcm.length, from + WINDOW * SAMPLE_RATE);
    const r = await t.transcribe(pcm.subarray(from, to), offset, to === pcm.length);
    expect(r.consumedSeconds).toBeGreaterThan(0);
    windows.push({ offset, consumed: r.consumedSeconds });
    chunks.push(...r.chunks);
    offset += r.consumedSeconds;
  }
  return { chunks, windows };
}

describe('speech to text with the fixture Whisper pack', () => {
  const tmp = tempDir('whisper');
  let transcriber: Transcriber;
  let hello: Float32Array;
  let yes: Float32Array;
  let morning: Float32Array;
  let recording: { pcm: Float32Array; spans: Span[] };

  beforeAll(async () => {
    hello = speak(tmp.dir, 'Hello from the garden');
    yes = speak(tmp.dir, 'Yes');
    morning = speak(tmp.dir, 'Good morning to everyone today');
    recording = compose([0.6, hello, 2, yes, 1.5, morning, 2]);
    transcriber = await createTranscriber(PACK, { threads: 1 });
  });

  afterAll(async () => {
    await transcriber?.close();
    tmp.cleanup();
  });

  it('turns each spoken phrase into a chunk whose times follow the audio', async () => {
    expect(recording.spans).toHaveLength(3);
    const r = await transcriber.transcribe(recording.pcm, 12, true);
    expect(transcriber.id).toBe('fixture-whisper@1');
    expectFollows(r.chunks, recording.spans, 12);
    expect(r.chunks.map((c) => c.text)).toEqual(['hello', 'yes', 'hello']);
    expect(r.language).toBe('en');
    expect(r.consumedSeconds).toBeCloseTo(recording.pcm.length / SAMPLE_RATE, 3);
  });

  it('chains the windows of a long recording: speech cut off by a window is transcribed whole by the next', async () => {
    // The third phrase starts at 29 s, so the first 30 s window cuts it off.
    const first = compose([1, hello, 8]);
    const second = compose([first.pcm, hello, 29 - (first.pcm.length + hello.length) / SAMPLE_RATE]);
    const long = compose([second.pcm, morning, 6, yes, 3]);
    expect(long.spans).toHaveLength(4);
    expect(long.spans[2]!.start).toBeLessThan(WINDOW);
    expect(long.spans[2]!.end).toBeGreaterThan(WINDOW);

    const { chunks, windows } = await transcribeAll(transcriber, long.pcm);
    // Window 1 ends inside the third phrase: consumed up to the end of the second, the last complete segment.
    expect(Math.abs(windows[0]!.consumed - long.spans[1]!.end)).toBeLessThan(TOLERANCE);
    expect(windows).toHaveLength(2);
    expect(windows[1]!.offset + windows[1]!.consumed).toBeCloseTo(long.pcm.length / SAMPLE_RATE, 3);
    expectFollows(chunks, long.spans);
  });

  it('a window that ends in silence is consumed up to its last timestamp', async () => {
    const r = await transcriber.transcribe(compose([1, hello, 27]).pcm.subarray(0, WINDOW * SAMPLE_RATE), 0, false);
    expect(r.chunks).toHaveLength(1);
    expect(r.consumedSeconds).toBeCloseTo(r.chunks[0]!.end, 3);
  });

  it('gives no chunks for silence or faint noise, and consumes the window', async () => {
    const silence = await transcriber.transcribe(new Float32Array(5 * SAMPLE_RATE), 0, false);
    expect(silence).toEqual({ chunks: [], consumedSeconds: 5, language: null });
    // Noise at about −63 dBFS passes the energy check, so the model runs: its <|nospeech|> says there is no speech.
    let seed = 7;
    const noise = Float32Array.from({ length: 5 * SAMPLE_RATE }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed / 2 ** 31 - 0.5) * 0.0025;
    });
    expect(await transcriber.transcribe(noise, 0, false)).toEqual({ chunks: [], consumedSeconds: 5, language: null });
  });

  it('transcribes in a given language, and refuses windows longer than 30 s', async () => {
    const german = await createTranscriber(PACK, { threads: 1, language: 'de' });
    try {
      const r = await german.transcribe(recording.pcm, 0, true);
      expect(r.language).toBe('de');
      expect(r.chunks).toHaveLength(3);
    } finally {
      await german.close();
    }
    await expect(transcriber.transcribe(new Float32Array(31 * SAMPLE_RATE), 0, false)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/at most 30 s/) });
  });

  it('gives the same transcript with the plain decoder (no KV cache) and with the fp16 graphs', async () => {
    const expected = await transcriber.transcribe(recording.pcm, 0, true);
    for (const [name, keep] of [
      ['plain', ['encoder_model.onnx', 'decoder_model.onnx']],
      ['fp16', ['encoder_model_fp16.onnx', 'decoder_model_merged_fp16.onnx']],
    ] as const) {
      const dir = join(tmp.dir, name);
      cpSync(PACK, dir, { recursive: true });
      rmSync(join(dir, 'trove-pack.json'));
      for (const f of ['encoder_model.onnx', 'encoder_model_fp16.onnx', 'decoder_model.onnx', 'decoder_model_merged.onnx', 'decoder_model_merged_fp16.onnx']) {
        if (!(keep as readonly string[]).includes(f)) rmSync(join(dir, 'onnx', f));
      }
      const model = await WhisperModel.open(dir, { threads: 1 });
      expect([model.pack.manifest.towers.encoder!.file, model.pack.manifest.towers.decoder!.file]).toEqual(keep.map((f) => `onnx/${f}`));
      expect(await model.transcribe(recording.pcm, 0, true)).toEqual(expected);
      expect(model.timings.fallbacks, 'clear speech is decoded once, greedily').toBe(0);
      await model.close();
    }
  });

  it('says clearly when the pack cannot be opened', async () => {
    await expect(createTranscriber(join(tmp.dir, 'no-such-pack'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(createTranscriber(join(REPO, 'test/fixtures/packs/colours'))).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
  });
});
