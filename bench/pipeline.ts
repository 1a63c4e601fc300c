// End-to-end indexing of 12-megapixel JPEGs with the ViT-B/32-shaped pack, and the pipeline efficiency:
// end-to-end images/s ÷ the CPU bound, where the CPU bound = cores ÷ (decode CPU-s + inference CPU-s per image).
// Efficiency near 100% means decoding overlaps inference and no core waits. [Note: benchmarks]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/index.js';
import { OcrRunner } from '../src/main/engine/ingest/ocr.js';
import { OnnxEncoder, type PreparedImage } from '../src/main/engine/models/encoder.js';
import { REPO, tempDir } from '../test/helpers.js';
import { ensurePack, PACK, photoJpeg } from './encoder.js';

type Line = (name: string, figure: string, detail?: string) => void;

const PHOTOS = join(REPO, 'bench/.cache/photos-12mp');
const COUNT = 32;
const NAMES: readonly string[] = ['index 12 MP JPEGs end to end', 'pipeline efficiency', 'ocr 12 MP photo'];

async function ensurePhotos(): Promise<string[]> {
  mkdirSync(PHOTOS, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const file = join(PHOTOS, `IMG_${String(i).padStart(4, '0')}.jpg`);
    if (!existsSync(file)) writeFileSync(file, await photoJpeg(4000, 3000, 100 + i));
    files.push(file);
  }
  return files;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

export async function benchPipeline(filter: string, line: Line): Promise<void> {
  if (!NAMES.some((n) => n.includes(filter))) return;
  if (!ensurePack(line)) return;
  const cores = availableParallelism();
  const files = await ensurePhotos();

  // Decode + preprocess CPU per image, one at a time.
  const encoder = await OnnxEncoder.open(PACK, { device: 'cpu', threads: cores });
  const prepared: PreparedImage[] = [];
  for (const f of files.slice(0, 2)) await encoder.prepareImage(f); // warm-up
  let t = process.cpuUsage();
  for (const f of files.slice(0, 12)) prepared.push(await encoder.prepareImage(f));
  const decodeCpu = cpuSeconds(t) / 12;

  // Inference CPU per image at the indexer's batch size, on the tensors just made.
  const batch = [...prepared, ...prepared.slice(0, 4)]; // 16
  await encoder.embedImages(batch.slice(0, 2)); // warm-up
  t = process.cpuUsage();
  for (let r = 0; r < 2; r++) await encoder.embedImages(batch);
  const inferCpu = cpuSeconds(t) / (2 * batch.length);
  await encoder.close();
  const bound = cores / (decodeCpu + inferCpu);

  if (NAMES[2]!.includes(filter)) {
    const ocr = new OcrRunner({ threads: cores });
    await ocr.read(files[0]!); // loads the models
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const f of files.slice(1, 7)) await ocr.read(f);
    const wall = (performance.now() - t0) / 6;
    line(NAMES[2]!, `${wall.toFixed(0)} ms wall, ${((cpuSeconds(c0) * 1000) / 6).toFixed(0)} ms CPU per photo`, `PP-OCRv4 detection + recognition in the OCR worker, ${cores} threads, photos downscaled to 1600 px first; 6 photos after one warm-up`);
    await ocr.close();
  }

  if (!NAMES.slice(0, 2).some((n) => n.includes(filter))) return;
  for (const threads of [Math.max(1, cores - 1), cores].filter((x, i, a) => a.indexOf(x) === i)) {
    const tmp = tempDir('bench-pipeline');
    try {
      const engine = Engine.open({ dataDir: tmp.dir, model: PACK, ocr: false, threads, device: 'cpu' });
      await engine.encoder(); // loading the model is not indexing
      await engine.addRoot({ path: PHOTOS });
      const t0 = performance.now();
      const s = await engine.indexNow();
      const seconds = (performance.now() - t0) / 1000;
      await engine.close();
      const rate = s.embedded.images / seconds;
      line(`${NAMES[0]} (${threads} inference threads)`, `${rate.toFixed(2)} images/s`, `${s.embedded.images} JPEGs of 4000×3000 in ${seconds.toFixed(1)} s, OCR off`);
      line(
        `${NAMES[1]} (${threads} inference threads)`,
        `${((100 * rate) / bound).toFixed(0)}%`,
        `CPU bound ${bound.toFixed(2)} images/s = ${cores} cores ÷ (decode ${(decodeCpu * 1000).toFixed(0)} ms + inference ${(inferCpu * 1000).toFixed(0)} ms CPU per image)`,
      );
    } finally {
      tmp.cleanup();
    }
  }
}
