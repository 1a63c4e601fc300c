// Recordings: recognise the format from the content, read duration and recording time, and decode to 16 kHz mono
// in pieces. [Note: audio] [Note: audio-memory]
// Decoding is `audio-decode` (WebAssembly and JavaScript decoders from npm, no download step): its per-format
// stream decoders take the file in pieces and hand back what each piece completes, so a recording of any length is
// decoded with a bounded amount held (see audio-mp4.ts for M4A files whose index comes last). Pieces are sized to
// about two seconds of audio from the file's bit rate. Duration, title and recording time come from the tags
// (`music-metadata`); the file's mtime is not a recording time (copies and syncs change it), so a recording
// without one has none, as a note has none.
import { open, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import decode from 'audio-decode';
import { parseStream } from 'music-metadata';
import { SPEECH_SAMPLE_RATE } from '../models/speech.js';
import { noFacts, type ItemFacts } from '../store/items.js';
import type { NewSegment } from '../store/segments.js';
import { FlacFrames } from './audio-flac.js';
import { READ_NOFOLLOW } from './confine.js';
import { mp4Pieces } from './audio-mp4.js';
import { downmix, Resampler } from './audio-resample.js';
import { wallClockOf } from './when.js';

export type AudioCodec = 'wav' | 'mp3' | 'aac' | 'm4a' | 'opus' | 'vorbis' | 'flac';

export interface AudioFormat {
  readonly codec: AudioCodec;
  readonly ogg: boolean; // in an Ogg container (Opus and Vorbis always; FLAC sometimes)
}

/** The formats Trove reads, as a person would name them. */
export const AUDIO_FORMATS_TEXT = 'WAV, MP3, M4A/AAC, Ogg Opus/Vorbis or FLAC';

/** A recording that cannot be indexed; the message is the reason shown to a person. [Note: bad-input] */
export class AudioError extends Error {}

const SNIFF_BYTES = 64 * 1024;

// ---- recognising the format ------------------------------------------------------------------------------------

const MPEG_RATES: Readonly<Record<number, readonly number[]>> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const MPEG_KBPS: Readonly<Record<string, readonly number[]>> = {
  '1-3': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // MPEG-1 layer I
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // MPEG-1 layer II
  '1-1': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // MPEG-1 layer III
  '2-3': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256], // MPEG-2/2.5 layer I
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], // MPEG-2/2.5 layers II and III
  '2-1': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

/** The length of the MPEG audio frame whose header starts at `p`, or 0 when there is no valid header there. */
function mpegFrameLength(b: Uint8Array, p: number): number {
  if (p + 4 > b.length || b[p] !== 0xff || (b[p + 1]! & 0xe0) !== 0xe0) return 0;
  const version = (b[p + 1]! >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 reserved
  const layer = (b[p + 1]! >> 1) & 3; // 1 = III, 2 = II, 3 = I, 0 reserved (and ADTS)
  const bitrateIndex = b[p + 2]! >> 4;
  const rateIndex = (b[p + 2]! >> 2) & 3;
  if (version === 1 || layer === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  const rate = MPEG_RATES[version]![rateIndex]!;
  const kbps = MPEG_KBPS[`${version === 3 ? 1 : 2}-${layer}`]![bitrateIndex]!;
  const padding = (b[p + 2]! >> 1) & 1;
  if (layer === 3) return (Math.floor((12_000 * kbps) / rate) + padding) * 4;
  const perFrame = layer === 1 && version !== 3 ? 72_000 : 144_000;
  return Math.floor((perFrame * kbps) / rate) + padding;
}

/** The length of the ADTS (raw AAC) frame at `p`, or 0. */
function adtsFrameLength(b: Uint8Array, p: number): number {
  if (p + 7 > b.length || b[p] !== 0xff || (b[p + 1]! & 0xf6) !== 0xf0) return 0;
  if (((b[p + 2]! >> 2) & 0xf) > 12) return 0;
  const length = ((b[p + 3]! & 3) << 11) | (b[p + 4]! << 3) | (b[p + 5]! >> 5);
  return length >= 7 ? length : 0;
}

/**
 * Where a run of frames starts: three frames in a row whose lengths lead from one header to the next (or to the
 * end of the file), so that random bytes with a stray sync word are not taken for audio.
 */
function frameRun(b: Uint8Array, from: number, atEnd: boolean, frameLength: (b: Uint8Array, p: number) => number): boolean {
  for (let p = from; p + 4 <= b.length && p < from + SNIFF_BYTES; p++) {
    let q = p;
    let frames = 0;
    while (frames < 3) {
      const n = frameLength(b, q);
      if (n === 0) break;
      frames++;
      q += n;
      if (q >= b.length) break;
    }
    if (frames >= 3 || (frames > 0 && atEnd && q === b.length)) return true;
  }
  return false;
}

const ascii = (b: Uint8Array, at: number, text: string) => [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));

/** The format of a recording, from its first bytes, whatever its extension says; null when not one Trove reads. */
export async function sniffAudio(fh: FileHandle, size: number): Promise<AudioFormat | null> {
  let head = new Uint8Array(Math.min(size, SNIFF_BYTES));
  head = head.subarray(0, (await fh.read(head, 0, head.length, 0)).bytesRead);
  if (head.length >= 12 && ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return { codec: 'wav', ogg: false };
  if (ascii(head, 0, 'fLaC')) return { codec: 'flac', ogg: false };
  if (head.length >= 12 && ascii(head, 4, 'ftyp')) return { codec: 'm4a', ogg: false };
  if (head.length >= 28 && ascii(head, 0, 'OggS')) {
    const packet = 27 + head[26]!; // the first packet follows the page header and its segment table
    if (ascii(head, packet, 'OpusHead')) return { codec: 'opus', ogg: true };
    if (head[packet] === 1 && ascii(head, packet + 1, 'vorbis')) return { codec: 'vorbis', ogg: true };
    if (head[packet] === 0x7f && ascii(head, packet + 1, 'FLAC')) return { codec: 'flac', ogg: true };
    return null;
  }
  // MP3 and raw AAC may start with an ID3v2 tag (album art can make it large): look right after it.
  let start = 0;
  if (head.length >= 10 && ascii(head, 0, 'ID3')) {
    const tag = 10 + (((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f)) + (head[5]! & 0x10 ? 10 : 0);
    if (tag >= size) return null;
    let atEnd = head.length >= size;
    if (tag + 16 > head.length) {
      const after = new Uint8Array(Math.min(size - tag, SNIFF_BYTES));
      head = after.subarray(0, (await fh.read(after, 0, after.length, tag)).bytesRead);
      atEnd = tag + head.length >= size;
    } else start = tag;
    if (ascii(head, start, 'fLaC')) return { codec: 'flac', ogg: false };
    if (frameRun(head, start, atEnd, mpegFrameLength)) return { codec: 'mp3', ogg: false };
    if (frameRun(head, start, atEnd, adtsFrameLength)) return { codec: 'aac', ogg: false };
    return null;
  }
  const atEnd = head.length >= size;
  if (frameRun(head, 0, atEnd, mpegFrameLength)) return { codec: 'mp3', ogg: false };
  if (frameRun(head, 0, atEnd, adtsFrameLength)) return { codec: 'aac', ogg: false };
  return null;
}

// ---- tags: duration, title, recording time ---------------------------------------------------------------------

const MIME: Readonly<Record<AudioCodec, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  m4a: 'audio/mp4',
  opus: 'audio/ogg',
  vorbis: 'audio/ogg',
  flac: 'audio/flac',
};

export interface RecordingTime {
  /** Local wall-clock time written as UTC ms, like a photo's capture time (see src/shared/query.ts). */
  readonly takenAt: number;
  /** The instant or date the file states, as written. */
  readonly stated: string;
}

const EARLIEST = Date.UTC(1971, 0, 1); // MP4's "no date" is 1904; 1970 is an unset Unix time

/**
 * When a recording was made: MP4's creation time (an instant, the recorder's clock) or a date tag. An instant
 * becomes the wall-clock time of this computer's time zone at that instant (a recording carries no zone); a tag
 * date without a zone is a wall-clock time as it stands; a year or month alone is not a recording time.
 */
export function recordingTime(creationTime: Date | undefined, tagDate: string | undefined, now = Date.now()): RecordingTime | null {
  const plausible = (ms: number) => Number.isFinite(ms) && ms >= EARLIEST && ms <= now + 86_400_000;
  if (creationTime instanceof Date && plausible(creationTime.getTime())) {
    return { takenAt: wallClockOf(creationTime.getTime()), stated: creationTime.toISOString() };
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(tagDate?.trim() ?? '');
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (new Date(wall).getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (zone) {
    const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    const instant = wall - offset * 60_000;
    return plausible(instant) ? { takenAt: wallClockOf(instant), stated: tagDate!.trim() } : null;
  }
  return plausible(wall) ? { takenAt: wall, stated: tagDate!.trim() } : null;
}

export interface AudioInfo {
  readonly durationSeconds: number | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
  readonly bitrate: number | null; // bits per second
  readonly codecName: string | null;
  readonly title: string | null;
  readonly recorded: RecordingTime | null;
}

const finitePositive = (n: unknown): number | null => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null);

/** Duration, rates, title and recording time from the file's headers and tags; nulls where it says nothing. */
export async function readAudioInfo(path: string, format: AudioFormat, size: number): Promise<AudioInfo> {
  const none: AudioInfo = { durationSeconds: null, sampleRate: null, channels: null, bitrate: null, codecName: null, title: null, recorded: null };
  const mimeType = format.codec === 'flac' && format.ogg ? 'audio/ogg' : MIME[format.codec];
  const stream = (await open(path, READ_NOFOLLOW)).createReadStream(); // closes the file when it ends
  try {
    // The format found in the content is passed on, so a file whose extension lies is still read right.
    const m = await parseStream(stream, { mimeType, size, path }, { duration: true, skipCovers: true });
    const title = typeof m.common.title === 'string' && m.common.title.trim() ? m.common.title.trim() : null;
    return {
      durationSeconds: finitePositive(m.format.duration),
      sampleRate: finitePositive(m.format.sampleRate),
      channels: finitePositive(m.format.numberOfChannels),
      bitrate: finitePositive(m.format.bitrate),
      codecName: m.format.codec ?? null,
      title,
      recorded: recordingTime(m.format.creationTime, m.common.date),
    };
  } catch {
    return none; // damaged headers: decoding decides whether the recording is readable
  } finally {
    stream.destroy();
  }
}

// ---- decoding --------------------------------------------------------------------------------------------------

type StreamDecoder = Awaited<ReturnType<(typeof decode)['mp3']>>;

/**
 * Native FLAC: frames found by FlacFrames (audio-flac.ts), decoded by libFLAC (@wasm-audio-decoders/flac). FLAC
 * in Ogg (rare) goes through audio-decode, whose Ogg path reads whole pages.
 */
async function flacDecoder(): Promise<StreamDecoder> {
  const codec = new FLACDecoder();
  await codec.ready;
  const frames = new FlacFrames();
  let freed = false;
  const free = () => {
    if (!freed) codec.free();
    freed = true;
  };
  const run = async (found: Uint8Array[]) => {
    if (found.length === 0) return { channelData: [], sampleRate: 0 };
    const r = await codec.decodeFrames(found);
    if (r.samplesDecoded === 0 && r.errors.length) throw new Error(r.errors[0]!.message);
    return { channelData: r.channelData.map((c) => c.subarray(0, r.samplesDecoded)), sampleRate: r.sampleRate };
  };
  const dec = async (chunk?: Uint8Array) => {
    try {
      if (chunk) return await run(frames.push(chunk));
      const last = await run(frames.end());
      free();
      return last;
    } catch (error) {
      free();
      throw error;
    }
  };
  return Object.assign(dec, { flush: () => run(frames.end()), free });
}

const DECODERS: Readonly<Record<AudioCodec, () => Promise<StreamDecoder>>> = {
  wav: () => decode.wav(),
  mp3: () => decode.mp3(),
  aac: () => decode.aac(),
  m4a: () => decode.m4a(),
  opus: () => decode.opus(),
  vorbis: () => decode.oga(),
  flac: flacDecoder,
};

async function decoderFor(format: AudioFormat): Promise<StreamDecoder> {
  return format.codec === 'flac' && format.ogg ? decode.flac() : DECODERS[format.codec]();
}

/**
 * Runs `fn` with the console silenced, keeping what was said. The WebAssembly decoders print their complaints
 * about damaged input to the console (which would interleave with the CLI's output); the words are kept for the
 * error reason instead. Only the synchronous part of `fn` is covered, which is where the decoders work.
 */
function quietly<T>(heard: string[], fn: () => T): T {
  const saved = [console.error, console.warn, console.log] as const;
  const hear = (...args: unknown[]) => {
    if (heard.length < 8) heard.push(args.map(String).join(' ').replace(/\s+/g, ' ').trim());
  };
  console.error = console.warn = console.log = hear;
  try {
    return fn();
  } finally {
    [console.error, console.warn, console.log] = saved;
  }
}

/** What decoding held at its peak, for the memory tests and the benchmark. [Note: audio-memory] */
export class DecodeStats {
  pieces = 0;
  largestPieceBytes = 0; // encoded bytes handed to the decoder at once
  largestDecoded = 0; // samples per channel the decoder handed back at once
  largestResamplerHeld = 0; // input samples the resampler kept between pieces
  sampleRate = 0;
  channels = 0;
  decodedSeconds = 0;
}

export interface DecodeOptions {
  readonly format?: AudioFormat;
  /** Encoded bytes per piece; default: about two seconds of audio at the file's bit rate. */
  readonly chunkBytes?: number;
  readonly bitrate?: number | null;
  readonly stats?: DecodeStats;
}

/** Bytes per piece: two seconds at the stated bit rate, between 4 KB and 256 KB. */
export function pieceBytes(bitrate: number | null | undefined): number {
  if (!bitrate) return 64 * 1024;
  return Math.min(256 * 1024, Math.max(4096, Math.round((bitrate / 8) * 2)));
}

async function* encodedPieces(fh: FileHandle, size: number, format: AudioFormat, chunkBytes: number, stats: DecodeStats): AsyncGenerator<Uint8Array> {
  const pieces = format.codec === 'm4a' ? await mp4Pieces(fh, size) : [{ start: 0, end: size }];
  for (const p of pieces) {
    if ('bytes' in p) {
      stats.largestPieceBytes = Math.max(stats.largestPieceBytes, p.bytes.length);
      yield p.bytes;
      continue;
    }
    for (let pos = p.start; pos < p.end; ) {
      // A fresh buffer each time: some decoders keep a reference to the bytes they were given.
      const buf = new Uint8Array(Math.min(chunkBytes, p.end - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return; // the file shrank while it was read
      stats.pieces++;
      stats.largestPieceBytes = Math.max(stats.largestPieceBytes, bytesRead);
      yield bytesRead < buf.length ? buf.subarray(0, bytesRead) : buf;
      pos += bytesRead;
    }
  }
}

export interface DecodedPiece {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

function decodeFailure(error: unknown, heard: readonly string[]): AudioError {
  if (error instanceof AudioError) return error;
  const said = [(error as Error)?.message, ...heard].find((m) => typeof m === 'string' && m.trim() !== '');
  return new AudioError(`the recording cannot be decoded (damaged, truncated or not really audio)${said ? `: ${said.split('\n')[0]}` : ''}`);
}

/** The decoded audio of a recording, piece by piece, at its own rate and channels. */
export async function* decodeAudio(path: string, options: DecodeOptions = {}): AsyncGenerator<DecodedPiece> {
  const stats = options.stats ?? new DecodeStats();
  const fh = await open(path, READ_NOFOLLOW);
  const heard: string[] = [];
  let decoder: StreamDecoder | null = null;
  try {
    const size = (await fh.stat()).size;
    const format = options.format ?? (await sniffAudio(fh, size));
    if (!format) throw new AudioError(`not a recording Trove can read (the content is not ${AUDIO_FORMATS_TEXT})`);
    decoder = await decoderFor(format);
    const chunkBytes = options.chunkBytes ?? pieceBytes(options.bitrate);
    const take = (r: { channelData: Float32Array[]; sampleRate: number }): DecodedPiece | null => {
      const n = r.channelData[0]?.length ?? 0;
      if (n === 0) return null;
      if (!Number.isInteger(r.sampleRate) || r.sampleRate < 1000 || r.sampleRate > 768_000) {
        throw new AudioError(`the recording states an impossible sample rate (${r.sampleRate} Hz)`);
      }
      stats.largestDecoded = Math.max(stats.largestDecoded, n);
      stats.sampleRate = r.sampleRate;
      stats.channels = r.channelData.length;
      stats.decodedSeconds += n / r.sampleRate;
      return { channels: r.channelData, sampleRate: r.sampleRate };
    };
    for await (const bytes of encodedPieces(fh, size, format, chunkBytes, stats)) {
      const d = decoder;
      let r;
      try {
        r = await quietly(heard, () => d(bytes));
      } catch (error) {
        throw decodeFailure(error, heard);
      }
      const piece = take(r);
      if (piece) yield piece;
    }
    const d = decoder;
    decoder = null; // flushing frees it
    let tail;
    try {
      tail = await quietly(heard, () => d());
    } catch (error) {
      throw decodeFailure(error, heard);
    }
    const piece = take(tail);
    if (piece) yield piece;
  } finally {
    decoder?.free();
    await fh.close();
  }
}

/** The longest piece handed to the resampler at once (longer decoded pieces are cut): bounds what it holds. */
const RESAMPLE_PIECE = 1 << 16;

/** A recording as 16 kHz mono, piece by piece: decoded, downmixed and resampled. */
export async function* speechAudio(path: string, options: DecodeOptions = {}): AsyncGenerator<Float32Array> {
  const stats = options.stats ?? new DecodeStats();
  let resampler: Resampler | null = null;
  for await (const { channels, sampleRate } of decodeAudio(path, { ...options, stats })) {
    if (resampler && resampler.inRate !== sampleRate) {
      // A chained stream that changes rate: finish the old rate's tail, go on at the new one.
      const tail = resampler.flush();
      if (tail.length) yield tail;
      resampler = null;
    }
    resampler ??= new Resampler(sampleRate, SPEECH_SAMPLE_RATE);
    const mono = downmix(channels);
    for (let at = 0; at < mono.length; at += RESAMPLE_PIECE) {
      const out = resampler.push(mono.subarray(at, at + RESAMPLE_PIECE));
      stats.largestResamplerHeld = Math.max(stats.largestResamplerHeld, resampler.heldSamples);
      if (out.length) yield out;
    }
  }
  const tail = resampler?.flush();
  if (tail?.length) yield tail;
}

/** Decodes the start of a recording (or all of it, if shorter); returns the seconds decoded. Throws AudioError. */
export async function probeAudio(path: string, format: AudioFormat, seconds = 0.5): Promise<number> {
  const stats = new DecodeStats();
  for await (const _piece of decodeAudio(path, { format, stats, chunkBytes: 16 * 1024 })) {
    if (stats.decodedSeconds >= seconds) break;
  }
  return stats.decodedSeconds;
}

// ---- the extractor ---------------------------------------------------------------------------------------------

export interface ExtractedAudio {
  readonly facts: ItemFacts;
  /** One `text` segment holding the title, so a recording is found by its name before (and without) a transcript. */
  readonly segments: NewSegment[];
  readonly format: AudioFormat;
}

/** What the indexer learns about a recording without transcribing it. Throws AudioError with the reason. */
export async function extractAudio(relPath: string, path: string, size: number): Promise<ExtractedAudio> {
  if (size === 0) throw new AudioError('the file is empty (0 bytes)');
  const fh = await open(path, READ_NOFOLLOW);
  let format: AudioFormat | null;
  try {
    format = await sniffAudio(fh, size);
  } finally {
    await fh.close();
  }
  if (!format) throw new AudioError(`not a recording Trove can read: the content is not ${AUDIO_FORMATS_TEXT}, whatever its name says`);
  const info = await readAudioInfo(path, format, size);
  const decoded = await probeAudio(path, format);
  if (decoded === 0) throw new AudioError('the recording holds no audio that can be decoded (damaged or truncated)');
  const title = info.title ?? basename(relPath, extname(relPath));
  const facts = noFacts(title, {
    format: format.codec,
    ...(format.ogg && format.codec === 'flac' ? { container: 'ogg' } : {}),
    ...(info.codecName ? { codec: info.codecName } : {}),
    ...(info.sampleRate ? { sampleRate: info.sampleRate } : {}),
    ...(info.channels ? { channels: info.channels } : {}),
    ...(info.bitrate ? { bitrate: Math.round(info.bitrate) } : {}),
    ...(info.recorded ? { recorded: info.recorded.stated } : {}),
  });
  facts.takenAt = info.recorded?.takenAt ?? null;
  facts.timeSource = info.recorded ? 'tags' : null; // else the indexer dates it by name or mtime [Note: item-times]
  facts.durationMs = info.durationSeconds !== null ? Math.round(info.durationSeconds * 1000) : null;
  return { facts, segments: [{ kind: 'text', text: title, breadcrumb: [], start: null, end: null }], format };
}
