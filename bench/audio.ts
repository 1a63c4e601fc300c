// Recordings: decoding and resampling to 16 kHz mono, in times real time, on a 10-minute espeak-ng recording in
// each format Trove reads. [Note: benchmarks] [Note: audio-memory]
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DecodeStats, speechAudio } from '../src/main/engine/ingest/audio.js';
import { Resampler } from '../src/main/engine/ingest/audio-resample.js';
import { composeSpeech, convert, missingSpeechTools, SENTENCES, wavBytes } from '../test/fixtures/make-speech.js';
import { REPO } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;

const CACHE = join(REPO, 'bench/.cache/audio');
const FORMATS = [
  { file: 'ten-minutes.wav', label: 'WAV 44.1 kHz stereo', args: ['-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le'] },
  { file: 'ten-minutes.mp3', label: 'MP3 128 kb/s 44.1 kHz stereo', args: ['-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k'] },
  { file: 'ten-minutes.m4a', label: 'M4A AAC 96 kb/s 44.1 kHz, index last', args: ['-ar', '44100', '-c:a', 'aac', '-b:a', '96k'] },
  { file: 'ten-minutes.opus', label: 'Ogg Opus 32 kb/s', args: ['-c:a', 'libopus', '-b:a', '32k'] },
  { file: 'ten-minutes.flac', label: 'FLAC 44.1 kHz stereo', args: ['-ar', '44100', '-ac', '2', '-c:a', 'flac'] },
] as const;

/** The 10-minute recording in every format, made once into bench/.cache/audio. */
function ensureRecordings(): number {
  const source = join(CACHE, 'ten-minutes-source.wav');
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(source)) {
    const speech = composeSpeech(SENTENCES, { repeat: 48 });
    writeFileSync(source, wavBytes(speech.samples, speech.rate));
  }
  for (const f of FORMATS) if (!existsSync(join(CACHE, f.file))) convert(source, join(CACHE, f.file), f.args);
  return (statSync(source).size - 44) / 2 / 22_050;
}

export async function benchAudio(filter: string, line: Line): Promise<void> {
  const names = [...FORMATS.map((f) => `decode+resample ${f.label}`), 'resample 44.1 kHz to 16 kHz'];
  if (!names.some((n) => n.includes(filter))) return;
  if (missingSpeechTools().length) {
    line('decode+resample', 'skipped', `${missingSpeechTools().join(' and ')} not installed`);
    return;
  }
  const seconds = ensureRecordings();
  for (const f of FORMATS) {
    const name = `decode+resample ${f.label}`;
    if (!name.includes(filter)) continue;
    const path = join(CACHE, f.file);
    const bitrate = (statSync(path).size * 8) / seconds; // what the tags say, as the indexer passes it on
    const runs: { wall: number; cpu: number; stats: DecodeStats; samples: number; rss: number }[] = [];
    for (let r = 0; r < 3; r++) {
      const stats = new DecodeStats();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let samples = 0;
      const rss0 = process.memoryUsage().rss;
      let rss = rss0;
      let n = 0;
      for await (const piece of speechAudio(path, { stats, bitrate })) {
        samples += piece.length;
        if (++n % 20 === 0) rss = Math.max(rss, process.memoryUsage().rss);
      }
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      runs.push({ wall, cpu: (cpu.user + cpu.system) / 1e6, stats, samples, rss: rss - rss0 });
    }
    runs.sort((a, b) => a.wall - b.wall);
    const m = runs[1]!;
    line(
      name,
      `${Math.round(seconds / m.wall)}x real time`,
      `${(seconds / 60).toFixed(1)} min in ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU; ${(statSync(path).size / 1048576).toFixed(1)} MB file; ` +
        `largest piece ${Math.round(m.stats.largestPieceBytes / 1024)} KB encoded, ${(m.stats.largestDecoded / m.stats.sampleRate).toFixed(1)} s decoded; ` +
        `RSS growth ≤ ${Math.round(Math.max(...runs.map((r) => r.rss)) / 1048576)} MB; median of 3`,
    );
  }
  const name = 'resample 44.1 kHz to 16 kHz';
  if (name.includes(filter)) {
    const second = new Float32Array(44_100).map((_, i) => Math.sin(i * 0.05) * 0.5);
    const r = new Resampler(44_100, 16_000);
    for (let i = 0; i < 10; i++) r.push(second); // warm up
    const t0 = performance.now();
    for (let i = 0; i < 600; i++) r.push(second);
    r.flush();
    const wall = (performance.now() - t0) / 1000;
    line(name, `${Math.round(600 / wall)}x real time`, `600 s of mono audio in 1-second pieces, ${wall.toFixed(2)} s`);
  }
}
