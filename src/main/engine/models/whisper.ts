// Speech to text with a Whisper pack: features, encoder, greedy decoding with timestamps. [Note: whisper]
// A Whisper pack is a Hugging Face / transformers.js ONNX export (encoder_model.onnx, decoder_model_merged.onnx or
// decoder_model.onnx, tokenizer.json, generation_config.json, preprocessor_config.json, config.json), with or
// without Trove's trove-pack.json. Decoding is written here rather than taken from transformers.js: Trove already
// owns its ONNX sessions (execution providers with fallback, explicit intra-op threads, worker threads), and
// transformers.js would bring a second onnxruntime that chooses its own providers and threads. The tokenizer is
// still the library's (@huggingface/tokenizers, with the pack's own tokenizer.json).
//
// `createTranscriber` runs all of it in a worker thread of its own (features, encoder, decoder, detokenising), so
// a window being transcribed never blocks the thread that answers queries; `WhisperModel` is the same work on the
// calling thread, for the worker itself, tests and benchmarks.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BOOTSTRAP, entryUrl, WorkerRpc } from '../worker-rpc.js';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import { TroveError } from '../../../shared/errors.js';
import { loadPack, readPackJson, type ModelPack, type Verification } from './pack.js';
import { defaultThreads, openSession, type Device } from './session.js';
import { SPEECH_SAMPLE_RATE, type Transcriber, type WindowTranscript } from './speech.js';
import {
  applyLogitRules,
  compressionRatio,
  detectLanguage,
  greedy,
  loopsAtEnd,
  noSpeechProbability,
  promptTokens,
  readDecodeRules,
  readSpecialTokens,
  sampleAt,
  seededRandom,
  transcriptOf,
  type DecodeRules,
  type SpecialTokens,
} from './whisper-decode.js';
import { LogMelExtractor, parseFeatureConfig, type FeatureConfig } from './whisper-features.js';

export interface TranscriberOptions {
  readonly device?: Device;
  /** Intra-op threads of each session; default one per core (pass fewer when other inference runs alongside). */
  readonly threads?: number;
  /** Transcribe in this language (ISO 639-1, e.g. 'de') instead of detecting it per window. */
  readonly language?: string;
  readonly verification?: Verification;
}

/** OpenAI's thresholds: a window is silence when <|nospeech|> is likely and the decoded text is not. */
const NO_SPEECH_THRESHOLD = 0.6;
const LOGPROB_THRESHOLD = -1.0;
/** Also OpenAI's: a transcript that zlib compresses better than this has gone round in a loop. */
const COMPRESSION_RATIO_THRESHOLD = 2.4;
/** The retries of a window that failed those tests (OpenAI's transcribe: 0.2 steps up to 1.0). */
const FALLBACK_TEMPERATURES = [0.2, 0.4, 0.6, 0.8, 1.0];

export interface Attempt {
  readonly sampled: number[];
  readonly avgLogprob: number;
  readonly noSpeech: number;
  readonly looped: boolean;
  readonly language: string | null;
  readonly temperature: number;
}
/** A window whose loudest 20 ms is below −70 dBFS is not run through the model at all. */
const SILENCE_RMS = 10 ** (-70 / 20);
/** Leading audio more than 45 dB under the window's loudest 20 ms counts as silence (see speechStart). */
const LEADING_SILENCE_DB = 45;

/** RMS of each 20 ms of the window. */
function frameLevels(pcm: Float32Array, sampleRate: number): Float64Array {
  const frame = Math.round(sampleRate / 50);
  const levels = new Float64Array(Math.ceil(pcm.length / frame));
  for (let f = 0; f < levels.length; f++) {
    const end = Math.min(pcm.length, (f + 1) * frame);
    let sum = 0;
    for (let i = f * frame; i < end; i++) sum += pcm[i]! * pcm[i]!;
    levels[f] = Math.sqrt(sum / (end - f * frame));
  }
  return levels;
}

export function isSilent(pcm: Float32Array, sampleRate = SPEECH_SAMPLE_RATE): boolean {
  return frameLevels(pcm, sampleRate).every((l) => l < SILENCE_RMS);
}

/**
 * Where the model's view of a window should begin, in seconds: 0.5 s before the first sound when more than 1 s of
 * silence leads, else 0. [Note: whisper-decoding] Whisper must start with a timestamp no later than 1 s, so a window
 * that opens on a long silence (as the next window after a consumed segment often does) would otherwise get a first
 * segment that begins in the silence, and a chunk whose start is seconds before its words.
 */
export function speechStart(pcm: Float32Array, sampleRate = SPEECH_SAMPLE_RATE): number {
  const levels = frameLevels(pcm, sampleRate);
  const loudest = levels.reduce((a, b) => Math.max(a, b), 0);
  const threshold = Math.max(SILENCE_RMS, loudest * 10 ** (-LEADING_SILENCE_DB / 20));
  const first = levels.findIndex((l) => l >= threshold);
  const seconds = first < 0 ? 0 : first / 50;
  return seconds > 1 ? seconds - 0.5 : 0;
}

// --- float16 tensors (fp16 exports take and give float16; JavaScript has no Float16Array in Node 20) ---

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >> shift;
      if ((mant >> (shift - 1)) & 1 && (mant & ((1 << (shift - 1)) - 1) || half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >> 13);
    if (mant & 0x1000 && (mant & 0xfff || half & 1)) half++; // round to nearest even; may carry into the exponent
    e = half >> 10;
    out[i] = sign | (e >= 0x1f ? 0x7c00 : half);
  }
  return out;
}

export function fromHalf(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] = exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function floatTensor(values: Float32Array, dims: readonly number[], type: string): ort.Tensor {
  return type === 'float16' ? new ort.Tensor('float16', toHalf(values), dims) : new ort.Tensor('float32', values, dims);
}

function asFloat32(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return fromHalf(t.data as Uint16Array);
  throw new TroveError('MODEL_INVALID', `expected a float tensor, got ${t.type}`);
}

function inputType(session: ort.InferenceSession, name: string): string {
  const meta = session.inputMetadata.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.type : 'float32';
}

// --- the decoder, with or without its KV cache ---

interface PastInput {
  readonly input: string; // past_key_values.N.{decoder,encoder}.{key,value}
  readonly output: string; // present.N.…
  readonly encoder: boolean; // the cross-attention cache: computed at the first step, constant after
  readonly type: string;
  readonly heads: number;
  readonly headDim: number;
}

/** One window's decoding: feed tokens, get the logits of the last position. */
export class DecoderRun {
  private cache = new Map<string, ort.Tensor>();
  private sequence: number[] = [];
  /** Logits at the first position of the first step (<|startoftranscript|>), for the no-speech probability. */
  firstLogits: Float32Array | null = null;
  steps = 0;

  constructor(
    private readonly decoder: WhisperDecoder,
    private readonly encoderHidden: ort.Tensor,
  ) {}

  /** Appends tokens and returns the logits after the last one. */
  async feed(tokens: readonly number[]): Promise<Float32Array> {
    const d = this.decoder;
    const withCache = d.past.length > 0;
    const first = this.sequence.length === 0;
    this.sequence.push(...tokens);
    const ids = withCache ? tokens : this.sequence;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (t) => BigInt(t)), [1, ids.length]),
      encoder_hidden_states: this.encoderHidden,
    };
    const fetches = ['logits'];
    if (withCache) {
      for (const p of d.past) {
        feeds[p.input] = first ? d.emptyPast(p) : this.cache.get(p.input)!;
        // The cross-attention cache never changes after the first step: not fetched again (it is large).
        if (first || !p.encoder) fetches.push(p.output);
      }
      if (d.useCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([first ? 0 : 1]), [1]);
    }
    const out = await d.session.run(feeds, fetches);
    this.steps++;
    if (withCache) for (const p of d.past) if (out[p.output]) this.cache.set(p.input, out[p.output]!);
    const logits = out.logits!;
    const [, length, vocab] = logits.dims as [number, number, number];
    const all = logits.data as Float32Array | Uint16Array;
    const row = (i: number) => (logits.type === 'float16' ? fromHalf((all as Uint16Array).subarray(i * vocab, (i + 1) * vocab)) : (all as Float32Array).slice(i * vocab, (i + 1) * vocab));
    if (first) this.firstLogits = row(0);
    return row(length - 1);
  }
}

export class WhisperDecoder {
  readonly past: PastInput[];
  readonly useCacheBranch: boolean;
  readonly hiddenType: string;

  constructor(
    readonly session: ort.InferenceSession,
    config: Record<string, unknown>,
    dir: string,
  ) {
    const inputs = session.inputNames;
    for (const name of ['input_ids', 'encoder_hidden_states']) {
      if (!inputs.includes(name)) throw new TroveError('MODEL_INVALID', `model pack ${dir}: the decoder has no input ${name} (not a Whisper export?)`);
    }
    if (!session.outputNames.includes('logits')) throw new TroveError('MODEL_INVALID', `model pack ${dir}: the decoder has no output logits`);
    const heads = typeof config.decoder_attention_heads === 'number' ? config.decoder_attention_heads : 0;
    const dModel = typeof config.d_model === 'number' ? config.d_model : 0;
    this.past = inputs
      .filter((n) => n.startsWith('past_key_values.'))
      .map((input) => {
        const output = `present.${input.slice('past_key_values.'.length)}`;
        if (!session.outputNames.includes(output)) throw new TroveError('MODEL_INVALID', `model pack ${dir}: the decoder takes ${input} but gives no ${output}`);
        const meta = session.inputMetadata.find((m) => m.name === input);
        const shape = meta && meta.isTensor ? meta.shape : [];
        const dim = (i: number, fallback: number) => (typeof shape[i] === 'number' && (shape[i] as number) > 0 ? (shape[i] as number) : fallback);
        const h = dim(1, heads);
        const hd = dim(3, heads > 0 ? dModel / heads : 0);
        if (!(h > 0) || !(hd > 0)) throw new TroveError('MODEL_INVALID', `model pack ${dir}: cannot tell the decoder's heads (config.json: decoder_attention_heads, d_model)`);
        return { input, output, encoder: input.includes('.encoder.'), type: meta && meta.isTensor ? meta.type : 'float32', heads: h, headDim: hd };
      });
    this.useCacheBranch = inputs.includes('use_cache_branch');
    if (this.past.length > 0 && !this.useCacheBranch) {
      throw new TroveError('MODEL_INVALID', `model pack ${dir}: a decoder with past inputs needs use_cache_branch (use decoder_model_merged.onnx or decoder_model.onnx)`);
    }
    this.hiddenType = inputType(session, 'encoder_hidden_states');
  }

  emptyPast(p: PastInput): ort.Tensor {
    const dims = [1, p.heads, 0, p.headDim];
    return p.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims);
  }

  start(encoderHidden: ort.Tensor): DecoderRun {
    let hidden = encoderHidden;
    if (hidden.type !== this.hiddenType) hidden = floatTensor(asFloat32(hidden), hidden.dims, this.hiddenType);
    return new DecoderRun(this, hidden);
  }
}

export interface WindowTimings {
  features: number; // ms
  encoder: number;
  decoder: number;
  decoderSteps: number;
  fallbacks: number; // decodings done again at a temperature (a loop, or doubt)
}

/** A Whisper pack's sessions, features and tokenizer on this thread. */
export class WhisperModel {
  readonly timings: WindowTimings = { features: 0, encoder: 0, decoder: 0, decoderSteps: 0, fallbacks: 0 };
  private readonly extractor: LogMelExtractor;
  private readonly inputType: string;

  private constructor(
    readonly pack: ModelPack,
    private readonly encoder: ort.InferenceSession,
    readonly decoder: WhisperDecoder,
    private readonly tokenizer: Tokenizer,
    readonly tokens: SpecialTokens,
    readonly rules: DecodeRules,
    readonly features: FeatureConfig,
    readonly provider: string,
    private readonly language: string | null,
  ) {
    this.extractor = new LogMelExtractor(features);
    this.inputType = inputType(encoder, 'input_features');
  }

  get id(): string {
    return `${this.pack.manifest.id}@${this.pack.manifest.revision}`;
  }

  static async open(packDir: string, options: TranscriberOptions = {}): Promise<WhisperModel> {
    const pack = await loadPack(packDir, options.verification ?? 'size');
    const { dir, manifest } = pack;
    const { encoder: encoderTower, decoder: decoderTower } = manifest.towers;
    if (manifest.task !== 'speech' || !encoderTower || !decoderTower) {
      throw new TroveError('MODEL_MISMATCH', `${manifest.id} (${dir}) is not a speech pack: it has no Whisper encoder and decoder`);
    }
    const invalid = (what: string, error: unknown) => new TroveError('MODEL_INVALID', `model pack ${dir}: ${what}: ${(error as Error).message}`);
    const config = readPackJson(dir, 'config.json');
    const generation = existsSync(join(dir, 'generation_config.json')) ? readPackJson(dir, 'generation_config.json') : {};
    let features: FeatureConfig;
    try {
      features = parseFeatureConfig(readPackJson(dir, 'preprocessor_config.json'));
    } catch (error) {
      throw error instanceof TroveError ? error : invalid('preprocessor_config.json', error);
    }
    let tokenizer: Tokenizer;
    let tokens: SpecialTokens;
    try {
      tokenizer = new Tokenizer(pack.tokenizer!.json, pack.tokenizer!.config);
      tokens = readSpecialTokens(tokenizer, generation, config);
    } catch (error) {
      throw invalid('tokenizer.json', error);
    }
    const rules = readDecodeRules(tokens, generation, config);
    const language = options.language ?? null;
    if (language !== null && tokens.multilingual && !tokens.languages.has(language)) {
      throw new TroveError('INVALID_ARGUMENT', `${manifest.id} does not know the language "${language}" (it knows ${[...tokens.languages.keys()].join(', ')})`);
    }
    const sessionOptions = { ...(options.device ? { device: options.device } : {}), intraOpThreads: options.threads ?? defaultThreads() };
    const encoder = await openSession(join(dir, encoderTower.file), sessionOptions);
    const decoder = await openSession(join(dir, decoderTower.file), sessionOptions).catch(async (error: unknown) => {
      await encoder.session.release();
      throw error;
    });
    if (!encoder.session.inputNames.includes('input_features')) {
      throw new TroveError('MODEL_INVALID', `model pack ${dir}: the encoder has no input input_features (not a Whisper export?)`);
    }
    return new WhisperModel(pack, encoder.session, new WhisperDecoder(decoder.session, config, dir), tokenizer, tokens, rules, features, encoder.provider, language);
  }

  /** Log-mel features of one window, as the encoder's input tensor. */
  featuresOf(pcm: Float32Array): ort.Tensor {
    const started = performance.now();
    const values = this.extractor.compute(pcm);
    this.timings.features += performance.now() - started;
    return floatTensor(values, [1, this.features.nMels, this.features.nFrames], this.inputType);
  }

  async encode(features: ort.Tensor): Promise<ort.Tensor> {
    const started = performance.now();
    const out = await this.encoder.run({ input_features: features });
    this.timings.encoder += performance.now() - started;
    const hidden = out.last_hidden_state ?? out[this.encoder.outputNames[0]!];
    if (!hidden) throw new TroveError('MODEL_INVALID', 'the encoder gave no output');
    return hidden;
  }

  private decode(ids: readonly number[]): string {
    return this.tokenizer.decode(ids.filter((id) => id < this.tokens.eot), { skip_special_tokens: true });
  }

  /** One decoding of a window: greedy at temperature 0, else sampled; stops early when it starts to loop. */
  async decodeOnce(hidden: ort.Tensor, fixedLanguage: string | null, temperature: number, random: (() => number) | null): Promise<Attempt> {
    let language = fixedLanguage;
    const run = this.decoder.start(hidden);
    let logits: Float32Array;
    let prompt: number[];
    if (language === null && this.tokens.multilingual) {
      // Detect the language from the logits after <|startoftranscript|>, then go on from that step's cache, one
      // token per step: the cross-attention cache is computed once per window.
      logits = await run.feed([this.tokens.sot]);
      language = detectLanguage(logits, this.tokens);
      prompt = promptTokens(this.tokens, language);
      for (const token of prompt.slice(1)) logits = await run.feed([token]);
    } else {
      prompt = promptTokens(this.tokens, language);
      logits = await run.feed(prompt);
    }
    const sampled: number[] = [];
    let sumLogprob = 0;
    let looped = false;
    while (prompt.length + sampled.length < this.rules.maxLength) {
      applyLogitRules(logits, sampled, this.tokens, this.rules);
      const { token, logprob } = temperature > 0 && random ? sampleAt(logits, temperature, random) : greedy(logits);
      sumLogprob += logprob;
      if (token === this.tokens.eot) break;
      sampled.push(token);
      if (token < this.tokens.eot && loopsAtEnd(sampled, this.tokens.eot)) {
        looped = true;
        break;
      }
      if (prompt.length + sampled.length >= this.rules.maxLength) break;
      logits = await run.feed([token]);
    }
    this.timings.decoderSteps += run.steps;
    const noSpeech = run.firstLogits ? noSpeechProbability(run.firstLogits, this.tokens) : 0;
    return { sampled, avgLogprob: sumLogprob / (sampled.length + 1), noSpeech, looped, language, temperature };
  }

  /** OpenAI's test for a retry: a loop, text that compresses too well, or low confidence — unless it is silence. */
  private needsFallback(a: Attempt): boolean {
    if (a.noSpeech > NO_SPEECH_THRESHOLD) return false;
    if (a.looped || a.avgLogprob < LOGPROB_THRESHOLD) return true;
    return compressionRatio(this.decode(a.sampled)) > COMPRESSION_RATIO_THRESHOLD;
  }

  async transcribe(pcm: Float32Array, offsetSeconds: number, isLast: boolean): Promise<WindowTranscript> {
    const { samplingRate, nSamples } = this.features;
    if (pcm.length > nSamples + samplingRate / 100) {
      throw new TroveError('INVALID_ARGUMENT', `a window is at most ${nSamples / samplingRate} s of audio (got ${(pcm.length / samplingRate).toFixed(2)} s)`);
    }
    const duration = Math.min(pcm.length, nSamples) / samplingRate;
    if (duration === 0 || isSilent(pcm, samplingRate)) return { chunks: [], consumedSeconds: duration, language: null };
    const skip = speechStart(pcm, samplingRate);
    if (skip > 0) {
      const rest = await this.transcribe(pcm.subarray(Math.round(skip * samplingRate)), offsetSeconds + skip, isLast);
      return { ...rest, consumedSeconds: Math.round((skip + rest.consumedSeconds) * 1000) / 1000 };
    }
    const hidden = await this.encode(this.featuresOf(pcm));
    const started = performance.now();
    // Greedy first; a decoding that loops or that the model doubts is done again at rising temperatures, with a
    // generator seeded by the window's place, so a recording transcribes the same way every time.
    let attempt = await this.decodeOnce(hidden, this.language, 0, null);
    const random = seededRandom(Math.round(offsetSeconds * 1000) + 1);
    for (const temperature of FALLBACK_TEMPERATURES) {
      if (!this.needsFallback(attempt)) break;
      this.timings.fallbacks++;
      attempt = await this.decodeOnce(hidden, attempt.language, temperature, random);
    }
    this.timings.decoder += performance.now() - started;
    const { sampled, noSpeech, avgLogprob, language } = attempt;
    const spokenLanguage = this.tokens.multilingual ? language : 'en';
    if (noSpeech > NO_SPEECH_THRESHOLD && avgLogprob < LOGPROB_THRESHOLD) {
      return { chunks: [], consumedSeconds: duration, language: null };
    }
    const { chunks, consumedSeconds } = transcriptOf(sampled, this.tokens, (ids) => this.decode(ids), { offset: offsetSeconds, duration, isLast });
    return { chunks, consumedSeconds, language: spokenLanguage };
  }

  async close(): Promise<void> {
    await this.encoder.release();
    await this.decoder.session.release();
  }
}

// --- the worker-backed Transcriber ---

export interface SpeechWorkerInit {
  readonly entry: string;
  readonly packDir: string;
  readonly options: TranscriberOptions;
}

export type SpeechRequest =
  | { readonly id: number; readonly op: 'transcribe'; readonly pcm: Float32Array; readonly offset: number; readonly isLast: boolean }
  | { readonly id: number; readonly op: 'close' };

export type SpeechResponse =
  | { readonly id: number; readonly ok: true; readonly result?: WindowTranscript; readonly model?: string; readonly provider?: string }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

/** A transcriber in a worker thread of its own, on the engine's one worker RPC. [Note: worker-rpc] */
class WorkerTranscriber implements Transcriber {
  private constructor(
    private readonly rpc: WorkerRpc<SpeechResponse>,
    readonly id: string,
    readonly provider: string,
  ) {}

  static async start(packDir: string, options: TranscriberOptions): Promise<WorkerTranscriber> {
    const init: SpeechWorkerInit = { entry: entryUrl('whisper-worker', import.meta.url), packDir, options };
    const rpc = new WorkerRpc<SpeechResponse>({ url: BOOTSTRAP, worker: { workerData: { ...init, background: true } }, what: 'speech worker', readyReply: true }); // [Note: responsive]
    try {
      const ready = await rpc.open();
      return new WorkerTranscriber(rpc, (ready?.ok && ready.model) || packDir, (ready?.ok && ready.provider) || 'cpu');
    } catch (error) {
      await rpc.close();
      throw error;
    }
  }

  async transcribe(pcm: Float32Array, offsetSeconds: number, isLast: boolean): Promise<WindowTranscript> {
    const copy = pcm.slice(); // the caller keeps its samples; the copy travels
    const reply = await this.rpc.request({ op: 'transcribe', pcm: copy, offset: offsetSeconds, isLast }, [copy.buffer as ArrayBuffer]);
    return reply.result!;
  }

  close(): Promise<void> {
    return this.rpc.close();
  }
}

/**
 * Opens a Whisper pack (a folder: trove-pack.json with task "speech", or a plain Hugging Face export) in a worker
 * thread of its own. Rejects with MODEL_NOT_FOUND / MODEL_INVALID / MODEL_MISMATCH when the pack is missing,
 * broken or not a speech pack. [Note: speech]
 */
export async function createTranscriber(packDir: string, options: TranscriberOptions = {}): Promise<Transcriber & { readonly provider: string }> {
  return WorkerTranscriber.start(packDir, options);
}
