// Encoder benchmarks on a ViT-B/32-shaped pack: raw image-tower throughput, query latency of the text tower, and
// the CPU cost of decoding and preprocessing one 12-megapixel JPEG. [Note: benchmarks]
// The pack (random weights, the true compute of CLIP ViT-B/32, ~600 MB) is made on first use by
// scripts/make-shaped-pack.py into bench/.cache/ (gitignored); see BENCHMARKS.md, "Reading the figures".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { OnnxEncoder, type PreparedImage } from '../src/main/engine/models/encoder.js';
import { random } from '../test/fixtures/make-library.js';

type Line = (name: string, figure: string, detail?: string) => void;

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const PACK = join(REPO, 'bench/.cache/packs/clip-vit-b32-shaped');
const SCRIPT = 'scripts/make-shaped-pack.py';
const IMAGE_BATCHES = [1, 8, 32];
const SECONDS_PER_FIGURE = 10;

const imageName = (batch: number) => `encoder image vit-b32-shaped batch ${batch}`;
const TEXT_NAME = 'encoder text vit-b32-shaped query p50';
const DECODE_NAME = 'decode 12 MP JPEG to 224 px (CPU ms)';

/** Short queries of 2–6 words, as typed into a search box. */
const QUERIES = [
  'dog on the beach', 'birthday cake', 'sunset over the sea', 'red car', 'kids playing in the snow',
  'wedding photos', 'receipt from the hardware shop', 'mountain lake in summer', 'cat asleep on the sofa',
  'train station at night', 'christmas tree', 'grandma in the garden', 'boat on the river', 'city skyline',
  'notes from the team meeting', 'recipe for banana bread', 'flowers in a vase', 'old stone church',
  'picnic in the park', 'black and white portrait', 'horse in a field', 'coffee and croissant', 'rainy street',
  'school trip to the zoo', 'pool party', 'forest walk in autumn', 'plan for the kitchen', 'ticket to paris',
  'bike by the wall', 'moon over the hills', 'fish market', 'snowy mountain cabin', 'family dinner at home',
  'yellow door', 'map of the island', 'lunch with friends', 'tall glass tower', 'green tea', 'dad fixing the car',
  'first day of school', 'shoes by the door', 'fire on the beach at night', 'library books', 'blue boat',
  'sky full of stars', 'garden plan for spring', 'letter from my sister', 'morning run by the river',
  'village in the mountains', 'phone number list',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function canImportOnnx(python: string): boolean {
  return spawnSync(python, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;
}

/** Makes the pack if it is not there; false (with one line said) when it cannot. */
export function ensurePack(line: Line): boolean {
  if (existsSync(join(PACK, 'trove-pack.json'))) return true;
  const python = ['/usr/bin/python3', 'python3'].find(canImportOnnx);
  if (!python) {
    line('encoder vit-b32-shaped', 'skipped', `no Python with onnx and numpy: install python3-onnx python3-numpy, then run python3 ${SCRIPT}`);
    return false;
  }
  console.error(`# making the ViT-B/32-shaped pack (~600 MB, random weights): ${python} ${SCRIPT}`);
  const made = spawnSync(python, [SCRIPT, PACK], { cwd: REPO, stdio: ['ignore', 2, 2] });
  if (made.status !== 0 || !existsSync(join(PACK, 'trove-pack.json'))) {
    line('encoder vit-b32-shaped', 'skipped', `${python} ${SCRIPT} failed (exit ${String(made.status)})`);
    return false;
  }
  return true;
}

function randomImages(count: number, size: number): PreparedImage[] {
  const next = random(7);
  return Array.from({ length: count }, () => {
    const pixels = new Float32Array(3 * size * size);
    for (let i = 0; i < pixels.length; i++) pixels[i] = next() * 4 - 2; // about the range of CLIP-normalised pixels
    return { pixels, width: size, height: size, format: null, exif: undefined };
  });
}

async function benchImages(encoder: OnnxEncoder, threads: number, filter: string, line: Line): Promise<void> {
  const batches = IMAGE_BATCHES.filter((b) => imageName(b).includes(filter));
  if (batches.length === 0) return;
  const pool = randomImages(Math.max(...batches), 224);
  for (const batch of batches) {
    const images = pool.slice(0, batch);
    const warmup = 2;
    for (let i = 0; i < warmup; i++) await encoder.embedImages(images);
    let runs = 0;
    const started = performance.now();
    while (runs < 3 || performance.now() - started < SECONDS_PER_FIGURE * 1000) {
      await encoder.embedImages(images);
      runs++;
    }
    const seconds = (performance.now() - started) / 1000;
    line(
      imageName(batch),
      `${((runs * batch) / seconds).toFixed(1)} images/s`,
      `${threads} intra-op threads; ${runs} runs of ${batch} after ${warmup} warm-up, ${((seconds * 1000) / runs).toFixed(0)} ms per run; pre-made tensors, no decoding`,
    );
  }
}

async function benchQueries(encoder: OnnxEncoder, threads: number, filter: string, line: Line): Promise<void> {
  if (!TEXT_NAME.includes(filter)) return;
  for (const q of QUERIES.slice(0, 5)) await encoder.embedTexts([q]); // warm-up
  const times: number[] = [];
  for (const q of QUERIES) {
    const t0 = performance.now();
    await encoder.embedTexts([q]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const tokens = QUERIES.map((q) => encoder.countTokens(q));
  line(
    TEXT_NAME,
    `p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms`,
    `${QUERIES.length} queries of 2–6 words (${Math.min(...tokens)}–${Math.max(...tokens)} tokens), one at a time, tokenising included; ${threads} intra-op threads; after 5 warm-up`,
  );
}

/**
 * A 4000 × 3000 JPEG (quality 90) with photograph-like content: smooth gradients and shapes plus sensor-like noise,
 * about 3.7 MiB, the size of a 12-megapixel phone photo (entropy decoding, the part shrink-on-load cannot skip,
 * grows with the file size).
 */
export async function photoJpeg(width = 4000, height = 3000, seed = 12): Promise<Buffer> {
  const next = random(seed);
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sky = y / height;
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const wave = Math.sin(u * 9 + sky * 5) * Math.cos(u * 3 - sky * 11);
      const base = [90 + 120 * (1 - sky) + 30 * wave, 110 + 60 * u + 40 * wave, 160 * (1 - sky) + 50 * u - 20 * wave];
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) rgb[o + c] = Math.max(0, Math.min(255, base[c]! + (next() - 0.5) * 40));
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function benchDecode(encoder: OnnxEncoder, filter: string, line: Line): Promise<void> {
  if (!DECODE_NAME.includes(filter)) return;
  const jpeg = await photoJpeg();
  const count = 30;
  for (let i = 0; i < 3; i++) await encoder.prepareImage(jpeg); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await encoder.prepareImage(jpeg);
  const wallMs = (performance.now() - t0) / count;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / count;
  line(
    DECODE_NAME,
    `${cpuMs.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall`,
    `per image: ${count} sequential encoder.prepareImage() (decode, resize, centre crop, normalise) of a 4000×3000 JPEG q90 of ${(jpeg.length / 2 ** 20).toFixed(1)} MiB after 3 warm-up; CPU = whole process, user + system`,
  );
}

export async function benchEncoder(filter: string, line: Line): Promise<void> {
  const names = [...IMAGE_BATCHES.map(imageName), TEXT_NAME, DECODE_NAME];
  if (!names.some((n) => n.includes(filter))) return;
  if (!ensurePack(line)) return;
  const threads = availableParallelism();
  const encoder = await OnnxEncoder.open(PACK, { device: 'cpu', threads });
  try {
    await benchImages(encoder, threads, filter, line);
    await benchQueries(encoder, threads, filter, line);
    await benchDecode(encoder, filter, line);
  } finally {
    await encoder.close();
  }
}
