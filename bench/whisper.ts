// Speech-to-text benchmarks on Whisper-base-shaped graphs: log-mel features per 30 s window, encoder per window,
// decoder per token with the KV cache, and a whole 30 s window at ~100 tokens as a multiple of real time.
// [Note: benchmarks] The graphs (random weights, the true compute of whisper-base, fp32 and int8) are made on first
// use by scripts/make-whisper-shaped-pack.py into bench/.cache/ (gitignored); see BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultThreads, openSession } from '../src/main/engine/models/session.js';
import { WhisperDecoder } from '../src/main/engine/models/whisper.js';
import { applyLogitRules, greedy, type DecodeRules, type SpecialTokens } from '../src/main/engine/models/whisper-decode.js';
import { LogMelExtractor, parseFeatureConfig } from '../src/main/engine/models/whisper-features.js';
import * as ort from 'onnxruntime-node';
import { random } from '../test/fixtures/make-library.js';

type Line = (name: string, figure: string, detail?: string) => void;

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PACK = join(REPO, 'bench/.cache/packs/whisper-base-shaped');
const SCRIPT = 'scripts/make-whisper-shaped-pack.py';
const TOKENS = 100;

// whisper-base's multilingual vocabulary (the shaped graphs have its size; the ids only steer the timestamp rules).
const TOKEN_IDS: SpecialTokens = {
  eot: 50257,
  sot: 50258,
  languages: new Map([['en', 50259]]),
  translate: 50358,
  transcribe: 50359,
  sotLm: 50360,
  sotPrev: 50361,
  noSpeech: 50362,
  noTimestamps: 50363,
  timestampBegin: 50364,
  timestampCount: 1501,
  timePrecision: 0.02,
  multilingual: true,
};
const [SOT, EN, TRANSCRIBE] = [50258, 50259, 50359];
const RULES: DecodeRules = { suppress: [], beginSuppress: [220, 50257], maxInitialTimestampIndex: 50, maxLength: 448 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ensurePack(line: Line): boolean {
  if (existsSync(join(PACK, 'config.json'))) return true;
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0);
  if (!python) {
    line('whisper base-shaped', 'skipped', `no Python with onnx and numpy: install python3-onnx python3-numpy, then run python3 ${SCRIPT}`);
    return false;
  }
  console.error(`# making the Whisper-base-shaped graphs (~480 MB, random weights): ${python} ${SCRIPT}`);
  const made = spawnSync(python, [SCRIPT, PACK], { cwd: REPO, stdio: ['ignore', 2, 2] });
  if (made.status !== 0 || !existsSync(join(PACK, 'config.json'))) {
    line('whisper base-shaped', 'skipped', `${python} ${SCRIPT} failed (exit ${String(made.status)})`);
    return false;
  }
  return true;
}

/** 30 s of speech-like sound: noise shaped by a slow envelope (features cost the same for any samples). */
function window30(): Float32Array {
  const next = random(3);
  return Float32Array.from({ length: 480_000 }, (_, i) => (next() - 0.5) * 0.3 * (0.6 + 0.4 * Math.sin(i / 4000)));
}

export async function benchWhisper(filter: string, line: Line): Promise<void> {
  const names = {
    mel: 'whisper mel 30 s window',
    encoder: (v: string) => `whisper encoder base-shaped ${v}`,
    decoder: (v: string) => `whisper decoder base-shaped ${v} per token`,
    window: (v: string) => `whisper 30 s window base-shaped ${v}`,
  };
  const variants = ['int8', 'fp32'].filter((v) => [names.encoder(v), names.decoder(v), names.window(v)].some((n) => n.includes(filter)));
  const pcm = window30();
  const extractor = new LogMelExtractor(parseFeatureConfig({}));
  if (names.mel.includes(filter)) {
    for (let i = 0; i < 3; i++) extractor.compute(pcm);
    const times = Array.from({ length: 15 }, () => {
      const t0 = performance.now();
      extractor.compute(pcm);
      return performance.now() - t0;
    });
    line(names.mel, `${median(times).toFixed(1)} ms`, `LogMelExtractor on 480,000 samples (80 mels × 3,000 frames, 400-point FFTs), median of 15 after 3 warm-up runs, one thread`);
  }
  if (variants.length === 0 || !ensurePack(line)) return;
  const config = JSON.parse(readFileSync(join(PACK, 'config.json'), 'utf8')) as Record<string, unknown>;
  const threads = defaultThreads();
  const features = new ort.Tensor('float32', extractor.compute(pcm), [1, 80, 3000]);
  for (const variant of variants) {
    const suffix = variant === 'int8' ? '_quantized' : '';
    const encoder = (await openSession(join(PACK, `onnx/encoder_model${suffix}.onnx`), { device: 'cpu', intraOpThreads: threads })).session;
    const decoder = new WhisperDecoder((await openSession(join(PACK, `onnx/decoder_model_merged${suffix}.onnx`), { device: 'cpu', intraOpThreads: threads })).session, config, PACK);

    const encodeOnce = async () => {
      const t0 = performance.now();
      const out = await encoder.run({ input_features: features });
      return { ms: performance.now() - t0, hidden: out.last_hidden_state! };
    };
    const { hidden } = await encodeOnce(); // warm-up
    const encoderTimes: number[] = [];
    for (let i = 0; i < 3; i++) encoderTimes.push((await encodeOnce()).ms);
    if (names.encoder(variant).includes(filter)) {
      line(names.encoder(variant), `${median(encoderTimes).toFixed(0)} ms per 30 s window`, `encoder_model${suffix}.onnx on one window of features, CPU, ${threads} intra-op threads; median of 3 after a warm-up`);
    }

    // Decoding as transcription does it: the prompt (which also fills the cross-attention cache), then one token per
    // step with the KV cache, the timestamp rules and greedy choice on every step's 51,865 logits.
    const decode = async () => {
      const run = decoder.start(hidden);
      const t0 = performance.now();
      let logits = await run.feed([SOT, EN, TRANSCRIBE]);
      const first = performance.now() - t0;
      const sampled: number[] = [];
      const t1 = performance.now();
      for (let i = 0; i < TOKENS; i++) {
        applyLogitRules(logits, sampled, TOKEN_IDS, RULES);
        greedy(logits);
        // Random weights decide nothing useful: feed text tokens so the sequence keeps going to TOKENS.
        const token = 1000 + i;
        sampled.push(token);
        logits = await run.feed([token]);
      }
      return { first, perToken: (performance.now() - t1) / TOKENS };
    };
    await decode(); // warm-up
    const runs = [await decode(), await decode()];
    const perToken = median(runs.map((r) => r.perToken));
    const first = median(runs.map((r) => r.first));
    if (names.decoder(variant).includes(filter)) {
      line(names.decoder(variant), `${perToken.toFixed(1)} ms per token`, `decoder_model_merged${suffix}.onnx with the KV cache over tokens 4–${TOKENS + 3}, rules and greedy choice included; the first step (prompt + cross-attention cache) ${first.toFixed(0)} ms; median of 2 runs after a warm-up, ${threads} threads`);
    }

    if (names.window(variant).includes(filter)) {
      // A whole window: features, encoder, language detection and prompt (three steps), ~100 tokens.
      const totals: number[] = [];
      const cpus: number[] = [];
      for (let r = 0; r < 2; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const f = new ort.Tensor('float32', extractor.compute(pcm), [1, 80, 3000]);
        const h = (await encoder.run({ input_features: f })).last_hidden_state!;
        // As transcription with language detection: <|startoftranscript|>, then the language and task tokens.
        const run = decoder.start(h);
        await run.feed([SOT]);
        await run.feed([EN]);
        let logits = await run.feed([TRANSCRIBE]);
        const sampled: number[] = [];
        for (let i = 0; i < TOKENS; i++) {
          applyLogitRules(logits, sampled, TOKEN_IDS, RULES);
          greedy(logits);
          sampled.push(1000 + i);
          logits = await run.feed([1000 + i]);
        }
        totals.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpus.push((c.user + c.system) / 1000);
      }
      const total = median(totals);
      line(names.window(variant), `${(30_000 / total).toFixed(1)}× real time (${(total / 1000).toFixed(2)} s per 30 s)`, `features + encoder + language detection and prompt (3 steps) + ${TOKENS} tokens with rules, as WhisperModel.transcribe runs them, ${threads} intra-op threads; ${(median(cpus) / 1000).toFixed(2)} CPU-s; median of 2`);
    }
    await encoder.release();
    await decoder.session.release();
  }
}
