// Decoding every format Trove reads to 16 kHz mono, in pieces: length, timing, piece-size independence, and what
// is held for a 10-minute recording. Speech is made by espeak-ng and converted by ffmpeg (test/fixtures/make-speech.ts).
// [Note: audio] [Note: audio-memory]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeStats, pieceBytes, speechAudio } from '../../src/main/engine/ingest/audio.js';
import { transcribeStream, WindowStats } from '../../src/main/engine/ingest/audio-windows.js';
import { EnergyTranscriber } from '../fixtures/energy-transcriber.js';
import { composeSpeech, convert, ENCODINGS, missingSpeechTools, SENTENCES, wavBytes, writeSpeechSet, type Speech } from '../fixtures/make-speech.js';
import { tempDir } from '../helpers.js';

const missing = missingSpeechTools();
if (missing.length) console.warn(`audio decoding tests skipped: ${missing.join(' and ')} not installed (Debian: apt-get install espeak-ng ffmpeg)`);

async function decodeAll(path: string, options: Parameters<typeof speechAudio>[1] = {}): Promise<Float32Array> {
  const pieces: Float32Array[] = [];
  for await (const p of speechAudio(path, options)) pieces.push(p);
  const out = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe.skipIf(missing.length > 0)('decoding recordings to 16 kHz mono', () => {
  const tmp = tempDir('audio-decode');
  let speech: Speech;
  let files: Record<string, string>;

  beforeAll(() => {
    speech = composeSpeech(SENTENCES);
    files = writeSpeechSet(tmp.dir, 'harbour', speech);
  });
  afterAll(() => tmp.cleanup());

  it.each(ENCODINGS.map((e) => [e.label, e.name]))('decodes %s with the right length and timing', async (_label, name) => {
    const stats = new DecodeStats();
    const pcm = await decodeAll(files[name]!, { stats });
    expect(Math.abs(pcm.length / 16_000 - speech.seconds)).toBeLessThan(0.05);
    // The utterances are where they were spoken: decoding and resampling delay nothing.
    const spans = new EnergyTranscriber().spans(pcm);
    expect(spans).toHaveLength(speech.utterances.length);
    spans.forEach((s, i) => {
      expect(Math.abs(s.start - speech.utterances[i]!.start)).toBeLessThan(0.06);
      expect(Math.abs(s.end - speech.utterances[i]!.end)).toBeLessThan(0.08);
    });
    expect(stats.decodedSeconds).toBeGreaterThan(speech.seconds - 0.05);
  });

  it('gives the same samples whatever the size of the pieces read', async () => {
    for (const name of ['.flac', '.m4a', '.mp3', '.opus']) {
      const reference = await decodeAll(files[name]!, { chunkBytes: 1 << 24 }); // the whole file at once
      for (const chunkBytes of [1000, 4096, 33_333]) {
        const pcm = await decodeAll(files[name]!, { chunkBytes });
        // Compared as bytes: bit-identical samples (a deep equal of 200k floats takes seconds).
        expect(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).equals(Buffer.from(reference.buffer, reference.byteOffset, reference.byteLength)), `${name} in ${chunkBytes}-byte pieces`).toBe(true);
      }
    }
  });

  it('streams an M4A whose index comes after the audio instead of decoding it whole', async () => {
    const stats = new DecodeStats();
    await decodeAll(files['.m4a']!, { stats, chunkBytes: 8192 });
    expect(stats.sampleRate).toBe(44_100);
    expect(stats.largestDecoded / stats.sampleRate).toBeLessThan(4); // of a 13-second recording (whole: 13 s at once)
    expect(stats.pieces).toBeGreaterThan(5);
  });

  it('sizes pieces at about two seconds of audio', () => {
    expect(pieceBytes(null)).toBe(65_536);
    expect(pieceBytes(16_000)).toBe(4096);
    expect(pieceBytes(128_000)).toBe(32_000);
    expect(pieceBytes(1_411_200)).toBe(262_144);
  });

  it('transcribes a 10-minute recording window by window, holding a bounded amount of audio', async () => {
    const long = composeSpeech(SENTENCES, { repeat: 48 }); // ≈ 10 minutes
    expect(long.seconds).toBeGreaterThan(600);
    const source = join(tmp.dir, 'long-source.wav');
    writeFileSync(source, wavBytes(long.samples, long.rate));
    const path = join(tmp.dir, 'long.mp3');
    convert(source, path, ['-c:a', 'libmp3lame', '-b:a', '48k']); // mono, espeak-ng's 22 050 Hz: resampled on the way
    const decode = new DecodeStats();
    const windows = new WindowStats();
    const transcriber = new EnergyTranscriber();
    const result = await transcribeStream(speechAudio(path, { stats: decode, bitrate: 48_000 }), transcriber, {}, windows);

    // Everything was heard once, in order, at its time, across 21 windows whose edges cut through speech.
    expect(result.chunks).toHaveLength(long.utterances.length);
    result.chunks.forEach((c, i) => expect(Math.abs(c.start - long.utterances[i]!.start)).toBeLessThan(0.06));
    expect(Math.abs(result.durationSeconds - long.seconds)).toBeLessThan(0.05);
    expect(transcriber.calls.length).toBeGreaterThan(20);
    expect(transcriber.calls.some((c, i) => i > 0 && c.offset % 30 !== 0)).toBe(true); // windows restarted at cut speech

    // What was held at any time: one window, one piece of the file, one decoded piece, the resampler's support.
    expect(windows.bufferSamples).toBe(30 * 16_000 + 1);
    expect(windows.largestPiece).toBeLessThan(3 * 16_000);
    expect(decode.largestPieceBytes).toBeLessThanOrEqual(pieceBytes(48_000));
    expect(decode.largestDecoded / decode.sampleRate).toBeLessThan(3);
    expect(decode.largestResamplerHeld).toBeLessThan((1 << 16) + 1024);
    expect(decode.pieces).toBeGreaterThan(250);
  });
});
