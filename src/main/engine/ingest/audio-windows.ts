// Windows of 16 kHz speech for the transcriber, and the loop that transcribes a recording window by window.
// [Note: audio] [Note: speech]
// A window is at most SPEECH_WINDOW_SECONDS long. After the transcriber has read one, the next starts where its
// transcript is complete (offset + consumedSeconds, see models/speech.ts), so a word cut off at a window's edge is
// heard again, whole, at the start of the next. Only one window's worth of audio (plus one sample, to know whether
// more follows) is ever held, whatever the length of the recording; the pieces the decoder hands over are read
// into it as they are needed.
import { SPEECH_SAMPLE_RATE, SPEECH_WINDOW_SECONDS, type Transcriber, type TranscriptChunk } from '../models/speech.js';
import type { NewSegment } from '../store/segments.js';
import { chunkPlainText, type Fits } from './chunk.js';

export interface SpeechWindow {
  readonly pcm: Float32Array; // a copy: the transcriber may keep or transfer it
  readonly offsetSeconds: number;
  readonly isLast: boolean;
}

export interface WindowOptions {
  readonly sampleRate?: number;
  readonly windowSeconds?: number;
  /** Skip the audio before this point (a transcription resumed after a restart). */
  readonly startSeconds?: number;
  /** The least a window advances, whatever the transcriber says it consumed (so no recording loops forever). */
  readonly minAdvanceSeconds?: number;
}

/** What the window reader held, for the memory tests and the benchmark. */
export class WindowStats {
  windows = 0;
  bufferSamples = 0; // the window buffer's fixed size
  largestPiece = 0; // the longest piece the source handed over (the decoder's bound, not this module's)
  samples = 0; // every sample the source gave, skipped ones included
}

/**
 * The windows of a stream of 16 kHz mono pieces. Drive it with `next(consumedSeconds)`: the value passed to each
 * `next` after the first says how much of the previous window the transcript covered (default: all of it).
 */
export async function* speechWindows(
  source: AsyncIterable<Float32Array>,
  options: WindowOptions = {},
  stats: WindowStats = new WindowStats(),
): AsyncGenerator<SpeechWindow, void, number | undefined> {
  const rate = options.sampleRate ?? SPEECH_SAMPLE_RATE;
  const size = Math.round((options.windowSeconds ?? SPEECH_WINDOW_SECONDS) * rate);
  const minAdvance = Math.max(1, Math.round((options.minAdvanceSeconds ?? 1) * rate));
  const buf = new Float32Array(size + 1);
  stats.bufferSamples = buf.length;
  let len = 0;
  let offset = Math.max(0, Math.round((options.startSeconds ?? 0) * rate)); // absolute sample index of buf[0]
  let skip = offset;
  const it = source[Symbol.asyncIterator]();
  let piece: Float32Array | null = null;
  let at = 0;
  let ended = false;
  try {
    for (;;) {
      // Fill to one sample past a window: then whether more audio follows is known.
      while (len < buf.length && !ended) {
        if (piece === null || at >= piece.length) {
          const r = await it.next();
          if (r.done) {
            ended = true;
            break;
          }
          piece = r.value;
          at = 0;
          stats.samples += piece.length;
          stats.largestPiece = Math.max(stats.largestPiece, piece.length);
          const skipped = Math.min(skip, piece.length);
          skip -= skipped;
          at = skipped;
          continue;
        }
        const take = Math.min(buf.length - len, piece.length - at);
        buf.set(piece.subarray(at, at + take), len);
        len += take;
        at += take;
      }
      if (len === 0) return;
      const n = Math.min(len, size);
      const isLast = ended && len <= size;
      stats.windows++;
      const consumed = yield { pcm: buf.slice(0, n), offsetSeconds: offset / rate, isLast };
      if (isLast) return;
      let advance = consumed !== undefined && Number.isFinite(consumed) && consumed > 0 ? Math.round(consumed * rate) : n;
      advance = Math.min(n, Math.max(Math.min(minAdvance, n), advance));
      buf.copyWithin(0, advance, len);
      len -= advance;
      offset += advance;
    }
  } finally {
    await it.return?.();
  }
}

export interface TranscriptProgress {
  /** The transcript is complete up to here (seconds from the start); the next window starts here. */
  readonly doneSeconds: number;
  readonly chunks: readonly TranscriptChunk[];
  readonly language: string | null;
}

export interface TranscribeOptions extends WindowOptions {
  /** Awaited before each window; false stops (the recording changed, or the engine is closing). */
  readonly beforeWindow?: () => Promise<boolean>;
  /** Called after each window with everything transcribed so far (the indexer saves it as a checkpoint). */
  readonly afterWindow?: (progress: TranscriptProgress) => void | Promise<void>;
  /** A checkpoint to go on from: its chunks are kept and the audio before `doneSeconds` is skipped. */
  readonly resume?: TranscriptProgress;
}

export interface TranscribeResult extends TranscriptProgress {
  /** False when `beforeWindow` stopped it early. */
  readonly complete: boolean;
  /** Seconds of audio the source held (what the decoder produced, whatever the file's header claims). */
  readonly durationSeconds: number;
}

/** One transcript chunk made safe to store: trimmed text, times inside the window, end after start. */
function clean(chunk: TranscriptChunk, from: number, to: number): TranscriptChunk | null {
  const text = typeof chunk.text === 'string' ? chunk.text.replace(/\s+/g, ' ').trim() : '';
  if (!text || !Number.isFinite(chunk.start)) return null;
  const start = Math.min(to, Math.max(from, chunk.start));
  const end = Math.min(to, Math.max(start, Number.isFinite(chunk.end) ? chunk.end : start));
  return { start, end, text };
}

/** Transcribes a stream of 16 kHz mono pieces window by window. */
export async function transcribeStream(
  source: AsyncIterable<Float32Array>,
  transcriber: Transcriber,
  options: TranscribeOptions = {},
  stats: WindowStats = new WindowStats(),
): Promise<TranscribeResult> {
  const rate = options.sampleRate ?? SPEECH_SAMPLE_RATE;
  const minAdvance = options.minAdvanceSeconds ?? 1;
  const chunks: TranscriptChunk[] = [...(options.resume?.chunks ?? [])];
  let language = options.resume?.language ?? null;
  let done = options.resume?.doneSeconds ?? 0;
  const windows = speechWindows(source, { ...options, startSeconds: done }, stats);
  let r = await windows.next();
  try {
    while (!r.done) {
      const w = r.value;
      if (options.beforeWindow && !(await options.beforeWindow())) return { doneSeconds: done, chunks, language, complete: false, durationSeconds: done };
      const length = w.pcm.length / rate;
      const t = await transcriber.transcribe(w.pcm, w.offsetSeconds, w.isLast);
      // The same clamp as speechWindows applies, so what is kept and where the next window starts agree.
      const said = Number.isFinite(t.consumedSeconds) && t.consumedSeconds > 0 ? t.consumedSeconds : length;
      const consumed = w.isLast ? length : Math.min(length, Math.max(Math.min(minAdvance, length), said));
      const boundary = w.offsetSeconds + consumed;
      for (const c of t.chunks) {
        const ok = clean(c, w.offsetSeconds, w.offsetSeconds + length);
        // What starts beyond the consumed part is heard again, whole, in the next window: keep it from there.
        if (ok && (w.isLast || ok.start < boundary - 0.005)) chunks.push(ok);
      }
      language ??= t.language;
      done = boundary;
      await options.afterWindow?.({ doneSeconds: done, chunks, language });
      r = await windows.next(consumed);
    }
  } finally {
    await windows.return();
  }
  return { doneSeconds: done, chunks, language, complete: true, durationSeconds: done };
}

/**
 * A transcript as segments: one per chunk, with its start and end in ms. A chunk longer than the text encoder's
 * context is split (at sentences, then words) rather than truncated; each piece gets the share of the chunk's
 * time its characters have, so its start still points into the recording near where it is said.
 */
export function transcriptSegments(chunks: readonly TranscriptChunk[], fits: Fits): NewSegment[] {
  const out: NewSegment[] = [];
  for (const c of chunks) {
    const pieces = fits(c.text) ? [{ text: c.text, start: 0, end: c.text.length }] : chunkPlainText(c.text, fits);
    const span = c.end - c.start;
    const at = (chars: number) => Math.round((c.start + (span * chars) / Math.max(1, c.text.length)) * 1000);
    for (const p of pieces) out.push({ kind: 'transcript', text: p.text, breadcrumb: [], start: at(p.start), end: at(p.end) });
  }
  return out;
}
