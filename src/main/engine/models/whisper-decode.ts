// Whisper decoding rules, as pure functions: which token ids mean what (read from the pack, never hard-coded),
// the logit filters of greedy decoding with timestamps, and the token stream → transcript chunks of one window.
// [Note: whisper-decoding] The rules follow OpenAI's reference decoder (whisper/decoding.py, transcribe.py):
//   * tokens that are never sampled: generation_config's suppress_tokens and the special tokens other than
//     <|endoftext|> and the timestamps; begin_suppress_tokens (a space, end of text) at the first step;
//   * timestamps come in pairs (after a closing timestamp, another timestamp or the end; after two in a row,
//     text or the end), never go back in time, the first token is a timestamp no later than 1 s, and when the
//     timestamps together are likelier than the likeliest text token, a timestamp is forced;
//   * a window's transcript is its complete segments; the next window starts at the end of the last complete one,
//     so a segment cut off by the window's end is transcribed again, whole;
//   * a decoding that loops (the same tokens over and over, or text that compresses better than 2.4 : 1) or that
//     the model itself doubts (average log-probability under −1) is done again at rising temperatures, 0.2 to 1.0,
//     as OpenAI's transcribe does; the first that passes is kept, else the last.
import { deflateSync } from 'node:zlib';

export interface SpecialTokens {
  readonly eot: number; // <|endoftext|>; every id below it is text
  readonly sot: number; // <|startoftranscript|>
  readonly languages: ReadonlyMap<string, number>; // 'en' → <|en|>
  readonly translate: number | null;
  readonly transcribe: number | null;
  readonly sotLm: number | null;
  readonly sotPrev: number | null;
  readonly noSpeech: number | null; // <|nospeech|> (or <|nocaptions|> in older vocabularies)
  readonly noTimestamps: number;
  readonly timestampBegin: number; // <|0.00|>
  readonly timestampCount: number; // 1501: <|0.00|> … <|30.00|>
  readonly timePrecision: number; // seconds per timestamp step: 0.02
  readonly multilingual: boolean;
}

export interface DecodeRules {
  readonly suppress: readonly number[];
  readonly beginSuppress: readonly number[];
  readonly maxInitialTimestampIndex: number; // in timestamp steps: 50 = 1 s
  readonly maxLength: number; // tokens in the decoder's sequence, prompt included: 448
}

/** The parts of @huggingface/tokenizers' Tokenizer this module reads. */
export interface VocabularyLookup {
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
}

type Json = Record<string, unknown>;

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Reads the special token ids from the pack: generation_config.json where it says (as transformers writes it),
 * else the tokenizer's own tokens. Multilingual and English-only vocabularies differ by one id from <|endoftext|>
 * on, so nothing here is a constant. Throws an Error naming what is missing.
 */
export function readSpecialTokens(vocab: VocabularyLookup, generation: Json, config: Json): SpecialTokens {
  const id = (token: string) => vocab.token_to_id(token);
  const need = (what: string, ...candidates: (number | undefined | unknown)[]): number => {
    const found = candidates.find(isId);
    if (found === undefined) throw new Error(`the tokenizer has no ${what}`);
    return found;
  };
  const eot = need('<|endoftext|>', id('<|endoftext|>'), generation.eos_token_id);
  const sot = need('<|startoftranscript|>', generation.decoder_start_token_id, id('<|startoftranscript|>'));
  const noTimestamps = need('<|notimestamps|>', generation.no_timestamps_token_id, id('<|notimestamps|>'));
  const timestampBegin = need('<|0.00|>', id('<|0.00|>'), noTimestamps + 1);
  const taskToId = (generation.task_to_id ?? {}) as Json;
  const optional = (...candidates: unknown[]) => candidates.find(isId) ?? null;

  const languages = new Map<string, number>();
  const langToId = generation.lang_to_id as Json | undefined;
  if (langToId && typeof langToId === 'object') {
    for (const [token, value] of Object.entries(langToId)) {
      const code = /^<\|([a-z]{2,3}(?:-[a-z]+)?)\|>$/i.exec(token)?.[1];
      if (code && isId(value)) languages.set(code.toLowerCase(), value);
    }
  } else {
    // No lang_to_id: the language tokens are the ones between <|startoftranscript|> and <|translate|>.
    const end = optional(taskToId.translate, id('<|translate|>'));
    for (let i = sot + 1; end !== null && i < end; i++) {
      const code = /^<\|([a-z]{2,3})\|>$/.exec(vocab.id_to_token(i) ?? '')?.[1];
      if (code) languages.set(code, i);
    }
  }

  // The step between timestamps: from the second timestamp's text (<|0.02|>), else 30 s over the encoder's frames.
  const second = /^<\|(\d+(?:\.\d+)?)\|>$/.exec(vocab.id_to_token(timestampBegin + 1) ?? '')?.[1];
  const sourcePositions = isId(config.max_source_positions) ? config.max_source_positions : 1500;
  const timePrecision = second !== undefined && Number(second) > 0 ? Number(second) : 30 / sourcePositions;
  const vocabSize = isId(config.vocab_size) ? config.vocab_size : null;
  const timestampCount = vocabSize !== null && vocabSize > timestampBegin ? vocabSize - timestampBegin : Math.round(30 / timePrecision) + 1;

  const multilingual = typeof generation.is_multilingual === 'boolean' ? generation.is_multilingual : languages.size > 0;
  return {
    eot,
    sot,
    languages,
    translate: optional(taskToId.translate, id('<|translate|>')),
    transcribe: optional(taskToId.transcribe, id('<|transcribe|>')),
    sotLm: optional(id('<|startoflm|>')),
    sotPrev: optional(generation.prev_sot_token_id, id('<|startofprev|>')),
    noSpeech: optional(id('<|nospeech|>'), id('<|nocaptions|>')),
    noTimestamps,
    timestampBegin,
    timestampCount,
    timePrecision,
    multilingual: multilingual && languages.size > 0,
  };
}

/** generation_config's suppression lists and lengths. */
export function readDecodeRules(tokens: SpecialTokens, generation: Json, config: Json): DecodeRules {
  const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter(isId) : []);
  const limits = [generation.max_length, config.max_target_positions].filter(isId);
  return {
    suppress: ids(generation.suppress_tokens),
    beginSuppress: Array.isArray(generation.begin_suppress_tokens) ? ids(generation.begin_suppress_tokens) : [tokens.eot],
    // OpenAI's default, 1.0 s. Some generation_config.json files say 1 (one step, 0.02 s), a known mistake that was
    // later corrected to 50 in the Hugging Face repositories, so the file's value is not trusted here.
    maxInitialTimestampIndex: Math.round(1.0 / tokens.timePrecision),
    maxLength: limits.length ? Math.min(...limits) : 448,
  };
}

/** The prompt: <|startoftranscript|> <|lang|> <|transcribe|> (English-only vocabularies: <|startoftranscript|>). */
export function promptTokens(tokens: SpecialTokens, language: string | null): number[] {
  if (!tokens.multilingual) return [tokens.sot];
  const lang = language === null ? undefined : tokens.languages.get(language);
  if (lang === undefined) throw new Error(`the model does not know the language "${String(language)}"`);
  return tokens.transcribe === null ? [tokens.sot, lang] : [tokens.sot, lang, tokens.transcribe];
}

/** The language whose token has the highest logit (logits over the vocabulary at <|startoftranscript|>). */
export function detectLanguage(logits: Float32Array, tokens: SpecialTokens): string | null {
  let best: string | null = null;
  let bestValue = -Infinity;
  for (const [code, id] of tokens.languages) {
    const v = logits[id] ?? -Infinity;
    if (v > bestValue) {
      bestValue = v;
      best = code;
    }
  }
  return best;
}

function logSumExp(values: Float32Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(values[i]! - max);
  return max + Math.log(sum);
}

/**
 * Applies suppression and the timestamp rules to the logits of the next token (in place). `sampled` are the
 * tokens generated so far in this window, without the prompt.
 */
export function applyLogitRules(logits: Float32Array, sampled: readonly number[], tokens: SpecialTokens, rules: DecodeRules): void {
  const ban = (id: number | null) => {
    if (id !== null && id >= 0 && id < logits.length) logits[id] = -Infinity;
  };
  const banRange = (from: number, to: number) => logits.fill(-Infinity, Math.max(0, from), Math.min(logits.length, to));
  for (const id of rules.suppress) ban(id);
  for (const id of [tokens.sot, tokens.translate, tokens.transcribe, tokens.sotLm, tokens.sotPrev, tokens.noSpeech, tokens.noTimestamps]) ban(id);
  for (const id of tokens.languages.values()) ban(id);
  if (sampled.length === 0) for (const id of rules.beginSuppress) ban(id);

  const tsBegin = tokens.timestampBegin;
  const isTs = (id: number) => id >= tsBegin;
  const n = sampled.length;
  const lastWasTs = n >= 1 && isTs(sampled[n - 1]!);
  const penultimateWasTs = n < 2 || isTs(sampled[n - 2]!);
  if (lastWasTs) {
    if (penultimateWasTs) banRange(tsBegin, logits.length); // a pair just closed: text or the end
    else banRange(0, tokens.eot); // a segment just closed: a timestamp or the end
  }
  let lastTs = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (isTs(sampled[i]!)) {
      lastTs = sampled[i]!;
      break;
    }
  }
  if (lastTs >= 0) {
    // Never back in time; a segment's end is after its start, the next segment may start where one ended.
    const earliest = lastWasTs && !penultimateWasTs ? lastTs : lastTs + 1;
    banRange(tsBegin, earliest);
  }
  if (n === 0) {
    banRange(0, tsBegin);
    banRange(tsBegin + rules.maxInitialTimestampIndex + 1, logits.length);
  }
  // A timestamp when the timestamps together are likelier than any single text token.
  const total = logSumExp(logits, 0, logits.length);
  if (total === -Infinity) return;
  const timestamps = logSumExp(logits, tsBegin, logits.length);
  let maxText = -Infinity;
  for (let i = 0; i < tsBegin; i++) if (logits[i]! > maxText) maxText = logits[i]!;
  if (timestamps > maxText) banRange(0, tsBegin);
}

/** The most likely token and its log-probability under these logits. */
export function greedy(logits: Float32Array): { token: number; logprob: number } {
  let token = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[token]!) token = i;
  return { token, logprob: logits[token]! - logSumExp(logits, 0, logits.length) };
}

/**
 * A token drawn from softmax(logits / temperature) — for the retry of a window whose greedy decoding looped — and
 * its log-probability under the untempered distribution (what the average log-probability test reads).
 */
export function sampleAt(logits: Float32Array, temperature: number, random: () => number): { token: number; logprob: number } {
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  const weights = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const w = Number.isFinite(logits[i]!) ? Math.exp((logits[i]! - max) / temperature) : 0;
    weights[i] = w;
    total += w;
  }
  let pick = random() * total;
  let token = 0;
  for (; token < logits.length - 1; token++) {
    pick -= weights[token]!;
    if (pick < 0 && weights[token]! > 0) break;
  }
  while (weights[token] === 0 && token > 0) token--; // rounding at the very end never lands on a banned token
  return { token, logprob: logits[token]! - logSumExp(logits, 0, logits.length) };
}

/** A small deterministic generator (mulberry32), so a retried window transcribes the same way every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** OpenAI's measure of a looping transcript: UTF-8 length over zlib-compressed length (above 2.4: a loop). */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : bytes.length / deflateSync(bytes).length;
}

/**
 * The decoding has gone round in a loop: its text tokens end with the same run of 1–25 tokens said again and again
 * (at least 4 times, and at least 16 tokens in all — "no, no, no" is speech). Checked after every token, so a loop
 * stops at once instead of running to the 448-token limit; timestamps are left out, as a loop moves them on.
 */
export function loopsAtEnd(sampled: readonly number[], eot: number): boolean {
  const text = sampled.filter((t) => t < eot);
  for (let period = 1; period <= 25; period++) {
    const times = Math.max(4, Math.ceil(16 / period));
    const span = period * times;
    if (text.length < span) continue;
    let periodic = true;
    for (let i = text.length - span; i < text.length - period && periodic; i++) periodic = text[i] === text[i + period];
    if (periodic) return true;
  }
  return false;
}

/** P(<|nospeech|>) from the logits at the <|startoftranscript|> position (0 when the vocabulary has no such token). */
export function noSpeechProbability(logits: Float32Array, tokens: SpecialTokens): number {
  if (tokens.noSpeech === null) return 0;
  return Math.exp(logits[tokens.noSpeech]! - logSumExp(logits, 0, logits.length));
}

export interface TokenSegment {
  readonly start: number; // seconds into the window
  readonly end: number | null; // null: not closed
  readonly tokens: readonly number[]; // text tokens
}

/** Splits the sampled tokens (without <|endoftext|>) at timestamps. Text before any timestamp starts at 0. */
export function segmentTokens(sampled: readonly number[], tokens: SpecialTokens): { complete: TokenSegment[]; incomplete: TokenSegment | null } {
  const time = (id: number) => (id - tokens.timestampBegin) * tokens.timePrecision;
  const complete: TokenSegment[] = [];
  let start: number | null = null;
  let text: number[] = [];
  let lastWasTs = false;
  for (const id of sampled) {
    if (id >= tokens.timestampBegin) {
      if (start === null || lastWasTs) start = time(id); // opens a segment (two in a row: the later one opens)
      else {
        complete.push({ start, end: time(id), tokens: text });
        start = null;
        text = [];
      }
      lastWasTs = true;
      continue;
    }
    lastWasTs = false;
    if (id >= tokens.eot) continue; // never text
    start ??= 0;
    text.push(id);
  }
  return { complete, incomplete: start === null ? null : { start, end: null, tokens: text } };
}

export interface WindowInfo {
  readonly offset: number; // seconds from the start of the recording
  readonly duration: number; // seconds of audio in the window
  readonly isLast: boolean;
}

const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * The transcript of one window from its sampled tokens: chunks of the complete segments (times from the start of
 * the recording, clamped to the window's audio) and how far the window is consumed. Not the last window: up to the
 * end of the last complete segment, so a segment cut off by the window's end is transcribed again from its start;
 * without one (no timestamps, or a single segment running past the window), the whole window, keeping its text.
 */
export function transcriptOf(
  sampled: readonly number[],
  tokens: SpecialTokens,
  decode: (ids: readonly number[]) => string,
  window: WindowInfo,
): { chunks: { start: number; end: number; text: string }[]; consumedSeconds: number } {
  const { complete, incomplete } = segmentTokens(sampled, tokens);
  const lastEnd = complete.length ? Math.min(complete.at(-1)!.end!, window.duration) : 0;
  const whole = window.isLast || lastEnd <= 0;
  const consumed = whole ? window.duration : lastEnd;
  const kept = whole && incomplete ? [...complete, { ...incomplete, end: window.duration }] : complete;
  const chunks = [];
  for (const s of kept) {
    const text = decode(s.tokens).trim();
    if (!text) continue;
    const start = Math.min(s.start, window.duration);
    const end = Math.max(start, Math.min(s.end ?? window.duration, window.duration));
    chunks.push({ start: ms(window.offset + start), end: ms(window.offset + end), text });
  }
  return { chunks, consumedSeconds: ms(consumed) };
}
