// Properties of the code that reads recordings' bytes (src/main/engine/ingest/audio.ts, audio-mp4.ts,
// audio-flac.ts) on arbitrary bytes and on real recordings damaged at random: flipped bits, length fields set to
// extremes, bytes cut, inserted, deleted or repeated. Whatever the bytes, a reader answers or says why with an
// AudioError ("not audio" is null from sniffAudio), never hangs, and never reads or holds more than the file or its
// fixed caps. The real recordings are the committed WAV fixtures and, where ffmpeg is installed, that speech in
// every other format Trove reads. [Note: fuzzing] [Note: bad-input] [Note: audio-memory]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioError, DecodeStats, decodeAudio, extractAudio, readAudioInfo, recordingTime, sniffAudio } from '../../../src/main/engine/ingest/audio.js';
import { FlacFrames } from '../../../src/main/engine/ingest/audio-flac.js';
import { mp4Pieces, shiftChunkOffsets } from '../../../src/main/engine/ingest/audio-mp4.js';
import { convert } from '../../fixtures/make-speech.js';
import { REPO, tempDir } from '../../helpers.js';
import { holds } from './fuzz.js';

const SNIFF_BYTES = 64 * 1024;
const FFMPEG = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined;
if (!FFMPEG) console.warn('audio fuzzing uses WAV alone: ffmpeg is not installed (Debian: apt-get install ffmpeg)');
const CODECS = ['wav', 'mp3', 'aac', 'm4a', 'opus', 'vorbis', 'flac'];

/** A FileHandle over bytes in memory that records how much each read asked for. */
function memoryHandle(bytes: Uint8Array, asked: number[] = []): FileHandle {
  const read = async (buffer: Uint8Array, offset: number, length: number, position: number) => {
    asked.push(length);
    const n = Math.max(0, Math.min(length, bytes.length - position));
    buffer.set(bytes.subarray(position, position + n), offset);
    return { bytesRead: n, buffer };
  };
  return { read } as unknown as FileHandle;
}

// ---- damage ----------------------------------------------------------------------------------------------------

type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'byte'; readonly at: number; readonly value: number }
  | { readonly op: 'u32'; readonly at: number; readonly value: number; readonly little: boolean }
  | { readonly op: 'cut'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'repeat'; readonly at: number; readonly length: number; readonly times: number };

/** Where to damage: half the time in the first 256 bytes, where the headers and length fields are. */
const place = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.nat());
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: place, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('byte' as const), at: place, value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }),
  fc.record({
    op: fc.constant('u32' as const),
    at: place,
    value: fc.oneof(fc.constantFrom(0, 1, 7, 8, 16, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat()),
    little: fc.boolean(),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: place, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: place, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('repeat' as const), at: place, length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 2, max: 20 }) }),
);

function damage(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(original);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.op === 'flip') b[at] = b[at]! ^ (1 << m.bit);
    else if (m.op === 'byte') b[at] = m.value;
    else if (m.op === 'u32' && at + 4 <= b.length) new DataView(b.buffer).setUint32(at, m.value, m.little);
    else if (m.op === 'cut') b = b.slice(0, at);
    else if (m.op === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    else if (m.op === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
    else if (m.op === 'repeat') {
      const slice = b.subarray(at, at + m.length);
      b = Uint8Array.from([...b.subarray(0, at), ...Array.from({ length: m.times }, () => [...slice]).flat(), ...b.subarray(at)]);
    }
  }
  return b;
}

/** What may come out of a reader of damaged audio: a value, or an AudioError with a reason for a person. */
async function onlyAudioErrors(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof AudioError)) throw new Error(`threw ${String(error)} (${(error as Error)?.constructor?.name}), not an AudioError`, { cause: error });
    expect(error.message.trim()).not.toBe('');
  }
}

describe('audio readers on damaged and arbitrary bytes', () => {
  const tmp = tempDir('fuzz-audio');
  /** Real recordings by name: `speech.wav` always, the other formats where ffmpeg is installed. */
  const seeds: Record<string, Uint8Array> = {};
  let file = 0;

  beforeAll(() => {
    const wav = join(REPO, 'test/fixtures/speech/en-hello.wav');
    seeds['speech.wav'] = readFileSync(wav);
    if (!FFMPEG) return;
    const formats: Record<string, readonly string[]> = {
      'speech.mp3': ['-c:a', 'libmp3lame', '-b:a', '32k'], // with an ID3v2 tag, as ffmpeg writes it
      'speech.m4a': ['-c:a', 'aac', '-b:a', '32k'], // the index (moov) after the audio
      'speech-faststart.m4a': ['-c:a', 'aac', '-b:a', '32k', '-movflags', '+faststart'],
      'speech.aac': ['-c:a', 'aac', '-b:a', '32k', '-f', 'adts'],
      'speech.opus': ['-c:a', 'libopus', '-b:a', '16k'],
      'speech.ogg': ['-c:a', 'libvorbis', '-q:a', '0'],
      'speech.flac': ['-c:a', 'flac'],
      'speech.oga': ['-c:a', 'flac', '-f', 'ogg'], // FLAC in Ogg
    };
    for (const [name, args] of Object.entries(formats)) {
      const path = join(tmp.dir, name);
      convert(wav, path, ['-t', '0.6', ...args]);
      seeds[name] = readFileSync(path);
    }
  });
  afterAll(() => tmp.cleanup());

  const seedNames = () => Object.keys(seeds);
  /** A real recording (of those named, by default all), damaged by one to four mutations. */
  const damaged = (names: readonly string[] = seedNames()) =>
    fc.tuple(fc.constantFrom(...names), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([name, ms]) => ({ name, bytes: damage(seeds[name]!, ms) }));

  /** Bytes that start like a recording and go on at random. */
  const magicThenJunk = fc
    .tuple(
      fc.constantFrom('RIFF\0\0\0\0WAVE', 'fLaC', '\0\0\0\x18ftyp', 'OggS\0\x02', 'ID3\x04\0\0', 'ID3\x04\0\x10\x7f\x7f\x7f\x7f', '\xff\xfb\x90\x64', '\xff\xf1\x50\x80', ''),
      fc.uint8Array({ maxLength: 2048 }),
    )
    .map(([magic, rest]) => Uint8Array.from([...Array.from(magic, (c) => c.charCodeAt(0)), ...rest]));

  const writeTemp = (bytes: Uint8Array, ext = '') => {
    const path = join(tmp.dir, `case-${file++ % 8}${ext}`);
    writeFileSync(path, bytes);
    return path;
  };

  it('recognises a format or answers null for any bytes, reading at most two pieces of 64 KiB', async () => {
    await holds(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 3000 }), magicThenJunk, damaged().map((d) => d.bytes)),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 30 })),
        async (bytes, extra) => {
          const asked: number[] = [];
          const format = await sniffAudio(memoryHandle(bytes, asked), bytes.length + extra); // extra: a file that shrank
          if (format) expect(CODECS).toContain(format.codec);
          expect(asked.length).toBeLessThanOrEqual(2);
          for (const n of asked) expect(n).toBeLessThanOrEqual(SNIFF_BYTES);
        },
      ),
      { runs: 3000 },
    );
  });

  it('still recognises every real recording', async () => {
    for (const [name, bytes] of Object.entries(seeds)) expect(await sniffAudio(memoryHandle(bytes), bytes.length), name).not.toBeNull();
  });

  it.skipIf(!FFMPEG)('splits damaged FLAC into frames in any pieces, refusing only with its own two reasons', async () => {
    const flac = seedNames().filter((n) => n.endsWith('.flac'));
    await holds(
      fc.property(fc.oneof(damaged(flac), magicThenJunk.map((bytes) => ({ name: 'junk', bytes }))), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }), ({ bytes }, cuts) => {
        const frames = new FlacFrames();
        let out = 0;
        try {
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const piece = bytes.subarray(at, at + cuts[i % cuts.length]!);
            for (const f of frames.push(piece)) out += f.length;
            at += piece.length;
          }
          for (const f of frames.end()) out += f.length;
        } catch (error) {
          expect(String(error)).toMatch(/^Error: (not a FLAC stream|FLAC frame sync lost)/);
        }
        expect(out).toBeLessThanOrEqual(bytes.length);
      }),
      { runs: 800 },
    );
  });

  it.skipIf(!FFMPEG)('finds the same FLAC frames whatever the piece sizes', async () => {
    const flac = seeds['speech.flac']!;
    const whole = new FlacFrames();
    const expected = [...whole.push(flac), ...whole.end()].map((f) => Buffer.from(f).toString('hex'));
    expect(expected.length).toBeGreaterThan(1);
    await holds(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), (cuts) => {
        const frames = new FlacFrames();
        const got: string[] = [];
        for (let at = 0, i = 0; at < flac.length; i++) {
          const piece = flac.subarray(at, at + cuts[i % cuts.length]!);
          got.push(...frames.push(piece).map((f) => Buffer.from(f).toString('hex')));
          at += piece.length;
        }
        got.push(...frames.end().map((f) => Buffer.from(f).toString('hex')));
        expect(got).toEqual(expected);
      }),
      { runs: 300 },
    );
  });

  it.skipIf(!FFMPEG)('orders a damaged MP4 for the decoder: the pieces cover the file once, and no read is longer than the file', async () => {
    const m4a = seedNames().filter((n) => n.endsWith('.m4a'));
    await holds(
      fc.asyncProperty(fc.oneof(damaged(m4a), magicThenJunk.map((bytes) => ({ name: 'junk', bytes }))), async ({ bytes }) => {
        const asked: number[] = [];
        const pieces = await mp4Pieces(memoryHandle(bytes, asked), bytes.length);
        let covered = 0;
        for (const p of pieces) {
          if ('bytes' in p) covered += p.bytes.length;
          else {
            expect(0 <= p.start && p.start <= p.end && p.end <= bytes.length).toBe(true);
            covered += p.end - p.start;
          }
        }
        expect(covered).toBe(bytes.length);
        for (const n of asked) expect(n).toBeLessThanOrEqual(Math.max(16, bytes.length));
      }),
      { runs: 1500 },
    );
  });

  it('shifts chunk offsets in any box tree without throwing, however deep, and an identity shift changes nothing', async () => {
    const CONTAINER = ['moov', 'trak', 'mdia', 'minf', 'stbl'];
    const box = (type: string, body: Uint8Array, large = false): Uint8Array => {
      const header = large ? 16 : 8;
      const out = new Uint8Array(header + body.length);
      const view = new DataView(out.buffer);
      view.setUint32(0, large ? 1 : out.length);
      out.set(Array.from(type, (c) => c.charCodeAt(0)), 4);
      if (large) view.setUint32(12, out.length);
      out.set(body, header);
      return out;
    };
    const offsets = (type: 'stco' | 'co64', values: readonly number[], claimed: number) => {
      const width = type === 'stco' ? 4 : 8;
      const body = new Uint8Array(8 + values.length * width);
      const view = new DataView(body.buffer);
      view.setUint32(4, claimed);
      values.forEach((v, i) => (width === 4 ? view.setUint32(8 + i * 4, v) : view.setUint32(8 + i * 8 + 4, v)));
      return box(type, body);
    };
    const { tree } = fc.letrec<{ tree: Uint8Array; leaf: Uint8Array }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tie('leaf'),
        fc.tuple(fc.constantFrom(...CONTAINER), fc.array(tie('tree'), { maxLength: 3 }), fc.boolean()).map(([type, kids, large]) => box(type, Uint8Array.from(kids.flatMap((k) => [...k])), large)),
      ),
      leaf: fc.oneof(
        fc.tuple(fc.constantFrom('stco' as const, 'co64' as const), fc.array(fc.nat(), { maxLength: 6 }), fc.oneof(fc.nat({ max: 8 }), fc.constant(0xffffffff))).map(([t, v, c]) => offsets(t, v, c)),
        fc.tuple(fc.constantFrom('free', 'mdhd', 'stsd', 'udta'), fc.uint8Array({ maxLength: 12 })).map(([t, b]) => box(t, b)),
      ),
    }));
    /** Containers nested `depth` deep, each holding only the next: a tree no encoder writes, but bytes can. */
    const deep = fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(...CONTAINER)).map(([depth, type]) => {
      const out = new Uint8Array(depth * 8);
      const view = new DataView(out.buffer);
      for (let i = 0; i < depth; i++) {
        view.setUint32(i * 8, (depth - i) * 8);
        out.set(Array.from(type, (c) => c.charCodeAt(0)), i * 8 + 4);
      }
      return out;
    });
    await holds(
      fc.property(fc.oneof(tree, deep, fc.tuple(tree, fc.array(mutation, { maxLength: 3 })).map(([t, ms]) => damage(t, ms))), (generated) => {
        const moov = Uint8Array.from(generated); // shifted in place: the generated value stays as it was
        expect(shiftChunkOffsets(moov, (offset) => offset)).toBe(true);
        expect(Buffer.compare(moov, generated)).toBe(0);
        shiftChunkOffsets(moov, (offset) => offset + 1_000_000);
      }),
      { runs: 800, limitMs: 2_000 },
    );
  });

  it('reads tags of damaged recordings without throwing, answering numbers or nothing', async () => {
    await holds(
      fc.asyncProperty(damaged(), async ({ name, bytes }) => {
        // The format the indexer would pass: what the bytes look like now, else what they were (a lie, to cope with).
        const format = (await sniffAudio(memoryHandle(bytes), bytes.length)) ?? (await sniffAudio(memoryHandle(seeds[name]!), seeds[name]!.length))!;
        const info = await readAudioInfo(writeTemp(bytes), format, bytes.length);
        for (const n of [info.durationSeconds, info.sampleRate, info.channels, info.bitrate]) expect(n === null || (Number.isFinite(n) && n > 0)).toBe(true);
        if (info.recorded) expect(Number.isFinite(info.recorded.takenAt)).toBe(true);
      }),
      { runs: 200, limitMs: 2_500, caseMs: 10_000 },
    );
  });

  it('reads a recording time from any tag without throwing, and only a plausible one', async () => {
    const now = Date.UTC(2025, 0, 1);
    const tagDate = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .tuple(fc.date({ noInvalidDate: true }), fc.constantFrom('', 'Z', '+99:99', '-14:00', '+0530', ' '), fc.integer({ min: 0, max: 25 }))
        .map(([d, zone, cut]) => `${d.toISOString().replace(/\.\d+Z$/, '').slice(0, 10 + cut)}${zone}`),
    );
    await holds(
      fc.property(fc.option(fc.date(), { nil: undefined }), fc.option(tagDate, { nil: undefined }), (created, tag) => {
        const r = recordingTime(created, tag, now);
        if (!r) return;
        expect(Number.isFinite(r.takenAt)).toBe(true);
        expect(r.stated.trim()).not.toBe('');
      }),
      { runs: 3000 },
    );
  });

  it('indexes or refuses with an AudioError any damaged or arbitrary recording, decoding it in bounded pieces', async () => {
    await holds(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: damaged() }, { weight: 1, arbitrary: magicThenJunk.map((bytes) => ({ name: 'junk.bin', bytes })) }), async ({ name, bytes }) => {
        const path = writeTemp(bytes, name.slice(name.lastIndexOf('.')));
        await onlyAudioErrors(() => extractAudio(name, path, bytes.length));
        const stats = new DecodeStats();
        await onlyAudioErrors(async () => {
          for await (const piece of decodeAudio(path, { stats })) expect(piece.channels.length).toBeGreaterThan(0);
        });
        // What was held at once: a piece of the file (at most 256 KiB), or an MP4's index, which is part of the file.
        expect(stats.largestPieceBytes).toBeLessThanOrEqual(Math.max(256 * 1024, bytes.length));
      }),
      { runs: 300, limitMs: 6_000, caseMs: 10_000 },
    );
  });
});
