// Search under load, as browser mode serves it: 20 clients search back to back over HTTP for 30 s while a library of
// 1,000 photos and 300 notes is indexed. [Note: benchmarks]
// The server is this process, as `trove serve` runs it: Engine.open behind serve(), kept live by keepLive (src/main/
// cli/main.ts, case 'serve'). The clients run in a child process of their own (this file again, with
// TROVE_LOAD_CLIENT=1), so measuring never shares the server's event loop or heap. Through the API, as the page
// does (addRoot, indexNow), they add the notes folder and index it, then add the photos folder (OCR off) and start
// indexing it; while the photos index, 20 clients send `POST /api/search` with the token back to back, a mix of words,
// phrases, filters and queries that match nothing, and one more polls `POST /api/status` every 100 ms; the page's
// event stream stays open throughout. Measured: latency per request at the client (p50, p95, p99, max),
// searches/s, errors (not 200, or ok: false), the server's event-loop delay (perf_hooks.monitorEventLoopDelay, 5 ms
// resolution, plus every gap over 50 ms seen by a 5 ms timer, and GC pauses), how far indexing got, and peak RSS.
//   npm run bench -- load                                  with the fixture pack test/fixtures/packs/colours
//   TROVE_BENCH_PACK=shaped npm run bench -- load          with the ViT-B/32-shaped pack (made on first use)
//   TROVE_BENCH_PACK=<pack folder> npm run bench -- load   with any pack
//   TROVE_BENCH_SERVE_MODEL=1 …                            the pack named at start (`trove serve --model`), not chosen
//                                                          in Settings
//   TROVE_BENCH_PROFILE=<file.cpuprofile> …                also profiles the server's main thread during the load
//                                                          and prints what it ran in the longest stalls
//   TROVE_BENCH_LOAD_SECONDS=<s>, TROVE_BENCH_LOAD_CLIENTS=<n> …  another length than 30 s, another number of
//                                                          searching clients (0: indexing alone, for comparison)
// The photos (1–4 MP JPEGs of shapes, gradients and sensor-like noise, with EXIF capture times over 2022–2025) and
// the notes are made once into bench/.cache/load-library/ and hard-linked into a temporary folder for each run.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import sharp from 'sharp';
import { Engine } from '../src/main/engine/index.js';
import { keepLive } from '../src/main/engine/live.js';
import { loadPack } from '../src/main/engine/models/pack.js';
import { serve } from '../src/main/server/server.js';
import type { IndexProgress } from '../src/shared/types.js';
import { random } from '../test/fixtures/make-library.js';
import { COLOURS_PACK, REPO, tempDir } from '../test/helpers.js';
import { ensurePack, PACK as SHAPED_PACK } from './encoder.js';

type Line = (name: string, figure: string, detail?: string) => void;

const LIBRARY = join(REPO, 'bench/.cache/load-library');
const PHOTOS = 1000;
const NOTES = 300;
const CLIENTS = Number(process.env.TROVE_BENCH_LOAD_CLIENTS ?? 20);
const STATUS_EVERY_MS = 100;
const SECONDS = Number(process.env.TROVE_BENCH_LOAD_SECONDS ?? 30);
const CLIENT_ENV = 'TROVE_LOAD_CLIENT';
const SERVE_MODEL = process.env.TROVE_BENCH_SERVE_MODEL === '1';
const NAMES = ['load search latency', 'load search throughput', 'load search errors', 'load status latency', 'load event-loop stall', 'load indexing', 'load peak RSS'];

// ---- the library ---------------------------------------------------------------------------------------------

const CAMERAS = [['Google', 'Pixel 8'], ['Apple', 'iPhone 13'], ['SAMSUNG', 'SM-S911B'], ['FUJIFILM', 'X-T30'], ['Canon', 'Canon EOS 250D']] as const;

const two = (n: number) => String(n).padStart(2, '0');

/** One photo: a sky gradient, a ground, 4–15 blurred shapes, sensor-like noise; 1–4 MP in a common aspect ratio. */
async function makePhoto(i: number): Promise<{ rel: string; jpeg: Buffer }> {
  const next = random(50_000 + i);
  const ratio = [4 / 3, 3 / 2, 16 / 9, 1][Math.floor(next() * 4)]!;
  let w = Math.round(Math.sqrt((1 + next() * 3) * 1e6 * ratio));
  let h = Math.round(w / ratio);
  if (next() < 0.25) [w, h] = [h, w]; // portrait
  const hsl = () => `hsl(${Math.floor(next() * 360)},${Math.floor(30 + next() * 60)}%,${Math.floor(20 + next() * 60)}%)`;
  const f = (x: number) => x.toFixed(0);
  let shapes = '';
  for (let s = 0, n = 4 + Math.floor(next() * 12); s < n; s++) {
    const x = next() * w;
    const y = next() * h;
    const r = (0.03 + next() * 0.25) * Math.min(w, h);
    const style = `fill="${hsl()}" opacity="${(0.4 + next() * 0.6).toFixed(2)}"`;
    const t = next();
    if (t < 0.4) shapes += `<ellipse cx="${f(x)}" cy="${f(y)}" rx="${f(r)}" ry="${f(r * (0.5 + next()))}" ${style}/>`;
    else if (t < 0.7) shapes += `<rect x="${f(x)}" y="${f(y)}" width="${f(r * 2)}" height="${f(r * (1 + next() * 2))}" ${style} transform="rotate(${f(next() * 40 - 20)} ${f(x)} ${f(y)})"/>`;
    else {
      const points = Array.from({ length: 3 + Math.floor(next() * 4) }, () => `${f(x + (next() - 0.5) * 2 * r)},${f(y + (next() - 0.5) * 2 * r)}`);
      shapes += `<polygon points="${points.join(' ')}" ${style}/>`;
    }
  }
  const horizon = (0.3 + next() * 0.4) * h;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs>` +
    `<linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hsl()}"/><stop offset="1" stop-color="${hsl()}"/></linearGradient>` +
    `<linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${hsl()}"/><stop offset="1" stop-color="${hsl()}"/></linearGradient>` +
    `<filter id="b"><feGaussianBlur stdDeviation="${(1 + next() * 4).toFixed(1)}"/></filter></defs>` +
    `<rect width="100%" height="100%" fill="url(#s)"/>` +
    `<path d="M0 ${f(horizon)} Q ${f(w / 2)} ${f(horizon - h * 0.15 * next())} ${w} ${f(horizon)} L ${w} ${h} L 0 ${h} Z" fill="url(#g)"/>` +
    `<g filter="url(#b)">${shapes}</g></svg>`;
  const raw = { width: w, height: h, channels: 3 as const };
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  const noise = await sharp({ create: { ...raw, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 8 + next() * 20 } } }).raw().toBuffer();
  // Capture times over 2022–2025, so date filters select part of the library.
  const taken = new Date(Date.UTC(2022, 0, 1) + Math.floor(next() * 4 * 365 * 86_400) * 1000);
  const stamp = `${taken.getUTCFullYear()}:${two(taken.getUTCMonth() + 1)}:${two(taken.getUTCDate())} ${two(taken.getUTCHours())}:${two(taken.getUTCMinutes())}:${two(taken.getUTCSeconds())}`;
  const [make, model] = CAMERAS[i % CAMERAS.length]!;
  const jpeg = await sharp(base, { raw })
    .composite([{ input: noise, raw, blend: 'overlay' }])
    .jpeg({ quality: 85 + Math.floor(next() * 8) })
    .withExif({ IFD0: { Make: make, Model: model, DateTime: stamp }, IFD2: { DateTimeOriginal: stamp, DateTimeDigitized: stamp } })
    .toBuffer();
  const month = `${taken.getUTCFullYear()}-${two(taken.getUTCMonth() + 1)}`;
  return { rel: `photos/${taken.getUTCFullYear()}/${month}/IMG_${String(i).padStart(4, '0')}.jpg`, jpeg };
}

const TOPICS: Record<string, { words: string[]; titles: string[] }> = {
  holidays: {
    words: ['beach', 'harbour', 'ferry', 'island', 'hotel', 'sunset', 'Lisbon', 'train', 'museum', 'old town', 'sea', 'boat trip'],
    titles: ['Summer in Portugal', 'Ferry to the island', 'Packing list', 'Lake weekend', 'City break'],
  },
  cooking: {
    words: ['banana bread', 'sourdough', 'pumpkin soup', 'oven', 'lentils', 'garlic', 'lemon cake', 'risotto', 'spices', 'dough'],
    titles: ['Recipes to try', 'Banana bread', 'Sunday lunch', 'Soup ideas', 'Baking notes'],
  },
  garden: {
    words: ['tomatoes', 'sunflowers', 'compost', 'lavender', 'seedlings', 'greenhouse', 'roses', 'watering', 'frost', 'beans'],
    titles: ['Garden plan for spring', 'What grew this year', 'Seed order', 'Allotment diary'],
  },
  work: {
    words: ['team meeting', 'budget', 'roadmap', 'quarterly review', 'deadline', 'hiring', 'customer call', 'release', 'invoice', 'slides'],
    titles: ['Meeting notes', 'Quarterly review', 'Project plan', 'One to one', 'Release checklist'],
  },
  family: {
    words: ['birthday', 'grandma', 'school trip', 'christmas', 'cousins', 'wedding', 'presents', 'kids', 'party', 'photos'],
    titles: ['Birthday plans', 'Christmas list', 'Family visit', 'School things'],
  },
  hiking: {
    words: ['mountain', 'trail', 'waterfall', 'forest', 'ridge', 'map', 'boots', 'rain', 'summit', 'campsite'],
    titles: ['Hikes to do', 'Forest loop', 'Mountain weekend', 'Trail notes'],
  },
  house: {
    words: ['kitchen', 'plumber', 'paint', 'boiler', 'windows', 'shelves', 'insurance', 'electrician', 'floor', 'garage'],
    titles: ['Kitchen plan', 'House jobs', 'Renovation budget', 'Moving checklist'],
  },
};

const VERBS = ['checked', 'planned', 'talked about', 'wrote down', 'looked at', 'finished', 'booked', 'forgot', 'bought', 'fixed'];
const WHEN = ['on Monday', 'last week', 'in the morning', 'after lunch', 'before the weekend', 'in June', 'yesterday', 'next month'];

function makeNote(i: number): { rel: string; text: string } {
  const next = random(90_000 + i);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const topic = Object.keys(TOPICS)[i % Object.keys(TOPICS).length]!;
  const { words, titles } = TOPICS[topic]!;
  const title = `${pick(titles)} ${i}`;
  const sentence = () => `We ${pick(VERBS)} the ${pick(words)} and the ${pick(words)} ${pick(WHEN)}.`;
  const markdown = next() < 0.8;
  const parts: string[] = markdown ? [`# ${title}`, ''] : [title, ''];
  for (let s = 0, sections = 1 + Math.floor(next() * 8); s < sections; s++) {
    if (markdown) parts.push(`## ${pick(words)[0]!.toUpperCase()}${pick(words).slice(1)}`, '');
    for (let p = 0, paragraphs = 1 + Math.floor(next() * 5); p < paragraphs; p++) {
      parts.push(Array.from({ length: 2 + Math.floor(next() * 5) }, sentence).join(' '), '');
    }
  }
  return { rel: `notes/${topic}/${title.toLowerCase().replace(/\s+/g, '-')}.${markdown ? 'md' : 'txt'}`, text: parts.join('\n') };
}

/** The photos and notes, made once into bench/.cache/load-library (two photos at a time; ~0.7 s each). */
async function ensureLibrary(): Promise<void> {
  const marker = join(LIBRARY, '.complete');
  if (existsSync(marker)) return;
  console.error(`# making the load library (${PHOTOS} photos of 1–4 MP, ${NOTES} notes) in ${relative(REPO, LIBRARY)}; once, several minutes`);
  const write = (rel: string, data: Buffer | string) => {
    mkdirSync(join(LIBRARY, rel, '..'), { recursive: true });
    writeFileSync(join(LIBRARY, rel), data);
  };
  for (let i = 0; i < NOTES; i++) {
    const note = makeNote(i);
    write(note.rel, note.text);
  }
  let made = 0;
  const worker = async () => {
    for (let i = made++; i < PHOTOS; i = made++) {
      const photo = await makePhoto(i);
      write(photo.rel, photo.jpeg);
    }
  };
  await Promise.all([worker(), worker()]);
  writeFileSync(marker, '');
}

/** The cached library, hard-linked (copied where links cannot be made) into `to`. */
function linkLibrary(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) linkLibrary(join(from, e.name), join(to, e.name));
    else {
      try {
        linkSync(join(from, e.name), join(to, e.name));
      } catch {
        copyFileSync(join(from, e.name), join(to, e.name));
      }
    }
  }
}

// ---- the clients (child process) -----------------------------------------------------------------------------

/** What the page's users type: words, phrases, filters, and some that match nothing (no such word, no such date). */
const QUERIES = [
  'beach', 'sunset over the sea', 'banana bread', '"team meeting"', 'sunset kind:photo after:2024-06', 'garden plan kind:note',
  'kind:photo before:2023 mountain', 'date:2024-07 lake', 'kind:note recipe', 'quarterly review budget', 'kids at the birthday party',
  'forest trail waterfall', '"pumpkin soup"', 'kitchen plumber', 'red boat kind:photo', 'snow kind:photos date:2023', 'qzxwvkj',
  '"zebra accordion"', 'harbour after:2031', 'kind:audio interview', 'christmas presents for grandma', 'IMG_0042', 'Lisbon ferry',
  'kind:note "release checklist"', 'seedlings greenhouse frost', 'blue sky', 'invoice', 'after:2025-01 kind:photo green',
];

interface ClientConfig {
  readonly origin: string;
  readonly token: string;
  readonly root: string;
  readonly seconds: number;
  readonly clients: number;
}

interface Sample {
  readonly ms: number;
  readonly ok: boolean;
  readonly tookMs: number | null; // the engine's own time for a search
  readonly hits: number;
  readonly error?: string;
}

interface ClientReport {
  readonly seconds: number; // from the first to the last request of the window
  readonly notesSeconds: number; // indexing the notes, before the load
  readonly searches: Sample[];
  readonly statuses: Sample[];
  readonly events: number; // event-stream frames received
  readonly loopMaxMs: number; // the client process's own worst event-loop delay (it must not be what is measured)
  readonly cpuSeconds: number;
  readonly rssMb: number;
}

type ChildMessage = { type: 'started' } | { type: 'report'; report: ClientReport } | { type: 'failed'; message: string };

async function runClient(config: ClientConfig, send: (m: ChildMessage) => void): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: config.clients + 8 });
  const host = new URL(config.origin);
  const post = (op: string, body: unknown) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request(
        { agent, host: host.hostname, port: host.port, method: 'POST', path: `/api/${op}`, headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  const timed = async (op: string, body: unknown): Promise<Sample> => {
    const t0 = performance.now();
    try {
      const { status, text } = await post(op, body);
      const ms = performance.now() - t0;
      const answer = JSON.parse(text) as { ok: boolean; value?: { tookMs?: number; hits?: unknown[] }; error?: { code: string; message: string } };
      const ok = status === 200 && answer.ok;
      return { ms, ok, tookMs: answer.value?.tookMs ?? null, hits: answer.value?.hits?.length ?? 0, ...(ok ? {} : { error: `${status} ${answer.error?.code ?? ''} ${answer.error?.message ?? ''}` }) };
    } catch (error) {
      return { ms: performance.now() - t0, ok: false, tookMs: null, hits: 0, error: (error as Error).message };
    }
  };

  // The page's event stream, open throughout, as in a browser.
  let events = 0;
  const stream = request({ agent: false, host: host.hostname, port: host.port, path: '/api/events', headers: { authorization: `Bearer ${config.token}` } }, (res) =>
    res.on('data', (c: Buffer) => (events += c.toString('utf8').split('\n\n').length - 1)),
  );
  stream.on('error', () => undefined);
  stream.end();

  // The notes first, indexed before the load (a few seconds), so searches have something to find from the start.
  const addRoot = async (path: string, ocr?: boolean) => {
    const added = await post('addRoot', { path, ...(ocr === undefined ? {} : { ocr }) });
    const answer = JSON.parse(added.text) as { ok: boolean; value: { id: number }; error?: { message: string } };
    if (!answer.ok) throw new Error(`addRoot ${path}: ${answer.error?.message}`);
    return answer.value.id;
  };
  const notes = await addRoot(join(config.root, 'notes'));
  const notesStarted = performance.now();
  const indexed = await post('indexNow', { rootIds: [notes] });
  const notesSeconds = (performance.now() - notesStarted) / 1000;
  if (!(JSON.parse(indexed.text) as { ok: boolean }).ok) throw new Error(`indexing the notes failed: ${indexed.text}`);
  for (const q of QUERIES) await timed('search', { query: q }); // warm-up
  // Then the photos: their indexing runs for minutes, so its request is not awaited (its own connection, no timeout).
  // OCR off for them (the folder's own setting): it would start after embedding, and Engine.close() does not stop it
  // until every photo is read, which keeps the benchmark from ending for many minutes once embedding is done.
  const photos = await addRoot(join(config.root, 'photos'), false);
  const indexing = request({ agent: false, host: host.hostname, port: host.port, method: 'POST', path: '/api/indexNow', headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' } });
  indexing.on('error', () => undefined);
  indexing.end(JSON.stringify({ rootIds: [photos] }));

  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  send({ type: 'started' });
  const started = performance.now();
  const end = started + config.seconds * 1000;
  const searches: Sample[] = [];
  const statuses: Sample[] = [];
  const searcher = async (c: number) => {
    for (let k = 0; performance.now() < end; k++) searches.push(await timed('search', { query: QUERIES[(c * 7 + k) % QUERIES.length] }));
  };
  const poller = async () => {
    while (performance.now() < end) {
      statuses.push(await timed('status', {}));
      await new Promise((r) => setTimeout(r, STATUS_EVERY_MS));
    }
  };
  await Promise.all([...Array.from({ length: config.clients }, (_, c) => searcher(c)), poller()]);
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  const cpu = process.cpuUsage(cpu0);
  stream.destroy();
  indexing.destroy();
  agent.destroy();
  send({
    type: 'report',
    report: { seconds, notesSeconds, searches, statuses, events, loopMaxMs: loop.max / 1e6, cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: process.memoryUsage().rss / 2 ** 20 },
  });
}

if (process.env[CLIENT_ENV] === '1') {
  const send = (m: ChildMessage) => process.send?.(m, () => m.type !== 'started' && process.exit(0));
  process.once('message', (config: ClientConfig) => {
    runClient(config, send).catch((error: unknown) => send({ type: 'failed', message: String((error as Error)?.stack ?? error) }));
  });
}

// ---- the server (this process) and the figures ---------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function latencies(samples: readonly Sample[]): string {
  const t = samples.map((s) => s.ms).sort((a, b) => a - b);
  return `p50 ${ms(percentile(t, 50))} ms  p95 ${ms(percentile(t, 95))} ms  p99 ${ms(percentile(t, 99))} ms  max ${ms(t[t.length - 1] ?? NaN)} ms`;
}

/** Which pack: TROVE_BENCH_PACK (a folder, or `shaped` for the ViT-B/32-shaped pack), else the colours fixture. */
function choosePack(line: Line): string | null {
  const wanted = process.env.TROVE_BENCH_PACK;
  if (!wanted) return COLOURS_PACK;
  if (wanted === 'shaped') return ensurePack(line) ? SHAPED_PACK : null;
  return wanted;
}

/** A gap the server's 5 ms timer saw, and what the main thread ran in it (from the CPU profile, when one is taken). */
interface Gap {
  readonly atMs: number; // into the load
  readonly endUs: number; // monotonic clock, the profile's time base
  readonly ms: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * What ran during each gap: sampled time by the innermost Trove function on the stack and by leaf function, and the
 * longest run of samples with one same stack (a lower bound on the longest single synchronous call in the gap).
 */
function explainGaps(profile: CpuProfile, gaps: readonly Gap[]): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.startsWith('file://') ? relative(REPO, new URL(f.url).pathname) : f.url;
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
  };
  const trove = (id: number) => {
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const url = byId.get(n)!.callFrame.url;
      if (url.includes('/src/main/') || url.includes('/src/shared/')) return label(n);
    }
    return label(id);
  };
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const top = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([f, d]) => `${f} ${d.toFixed(0)} ms`).join('; ');
  return gaps.map((g) => {
    const byTrove = new Map<string, number>();
    const byLeaf = new Map<string, number>();
    let longest = { ms: 0, id: 0 };
    let run = { ms: 0, id: -1 };
    for (let i = 0; i < profile.samples.length; i++) {
      if (times[i]! < g.endUs - g.ms * 1000 || times[i]! > g.endUs) continue;
      const id = profile.samples[i]!;
      const d = ((times[i + 1] ?? times[i]!) - times[i]!) / 1000;
      byTrove.set(trove(id), (byTrove.get(trove(id)) ?? 0) + d);
      byLeaf.set(label(id), (byLeaf.get(label(id)) ?? 0) + d);
      run = run.id === id ? { ms: run.ms + d, id } : { ms: d, id };
      if (run.ms > longest.ms && byId.get(id)!.callFrame.functionName !== '(idle)') longest = { ...run };
    }
    const chain: string[] = [];
    for (let n: number | undefined = longest.id; n !== undefined && chain.length < 4; n = parent.get(n)) chain.push(byId.get(n)!.callFrame.functionName || '(anonymous)');
    return (
      `gap ${ms(g.ms)} ms at ${(g.atMs / 1000).toFixed(2)} s — Trove: ${top(byTrove)} — leaves: ${top(byLeaf)} — ` +
      `longest one stack ${longest.ms.toFixed(0)} ms (${chain.join(' < ')})`
    );
  });
}

export async function benchLoad(filter: string, line: Line): Promise<void> {
  if (!NAMES.some((n) => n.includes(filter))) return;
  const packDir = choosePack(line);
  if (!packDir) return;
  await ensureLibrary();
  const packId = (await loadPack(packDir)).manifest.id;
  const tag = ` (${packId})`;
  const say = (name: string, figure: string, detail: string) => name.includes(filter) && line(`${name}${tag}`, figure, detail);
  const tmp = tempDir('bench-load');
  const quiet = process.env.TROVE_LOG === undefined;
  if (quiet) process.env.TROVE_LOG = 'error'; // a slow query is logged as a warning: thousands of lines under this load
  try {
    const root = join(tmp.dir, 'library');
    linkLibrary(LIBRARY, root);
    // As `trove serve` opens it, everything as the library's defaults (OCR on, device auto); the pack chosen as the
    // Settings page chooses it (updateSettings), or, with TROVE_BENCH_SERVE_MODEL=1, named as `trove serve --model`.
    const engine = Engine.open({ dataDir: join(tmp.dir, 'data'), ...(SERVE_MODEL ? { model: packDir } : {}) });
    if (!SERVE_MODEL) await engine.updateSettings({ model: packDir });
    const server = await serve(engine);
    const liveErrors: string[] = [];
    const live = keepLive(engine, (e) => liveErrors.push(e.message));
    await engine.encoder(); // loading the model is not what is measured

    let phase: IndexProgress['phase'] = 'idle';
    let embedded = 0; // files done in the embedding phase so far
    let scannedAt: number | null = null; // when the photos' run began embedding (ms into the load)
    let embeddedAt: number | null = null; // when the embedding phase ended (ms into the load), if it did
    let t0 = 0;
    engine.on('progress', (p) => {
      if (t0 && embeddedAt === null && phase === 'embedding' && p.phase !== 'embedding') embeddedAt = performance.now() - t0;
      if (t0 && scannedAt === null && p.phase === 'embedding') scannedAt = performance.now() - t0;
      if (p.phase === 'scanning') embedded = 0; // a new run
      if (p.phase === 'embedding') embedded = p.done;
      phase = p.phase;
    });

    const child = spawn(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'bench/load.ts')], {
      env: { ...process.env, [CLIENT_ENV]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
    const gaps: Gap[] = [];
    const gc: number[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gc.push(e.duration);
    });
    const rssBefore = process.memoryUsage.rss();
    let peakRss = 0;
    let last = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      if (t0 && now - last > 50) gaps.push({ atMs: now - t0, endUs: Number(process.hrtime.bigint() / 1000n), ms: now - last });
      last = now;
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 5);
    const profileFile = process.env.TROVE_BENCH_PROFILE;
    const inspector = profileFile ? new Session() : null;
    let cpu0 = process.cpuUsage();
    let vectorsAtStart = 0;
    let doneAtStart = 0;

    const stop = async () => {
      clearInterval(ticker);
      child.kill();
      await live.close();
      await server.close();
      await engine.close(); // a run stops before its next group
    };
    const report = await new Promise<ClientReport>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`the load client exited with code ${code} before reporting`)));
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'started') {
          t0 = performance.now();
          last = t0;
          cpu0 = process.cpuUsage();
          doneAtStart = phase === 'embedding' ? embedded : 0; // the photos' run has not reached it yet, as a rule
          loop.enable();
          vectorsAtStart = engine.store.spaces.list().reduce((n, sp) => n + sp.vectors, 0);
          gcObserver.observe({ entryTypes: ['gc'] });
          if (inspector) {
            inspector.connect();
            void inspector.post('Profiler.enable').then(() => inspector.post('Profiler.start'));
          }
        } else if (m.type === 'report') resolve(m.report);
        else reject(new Error(`the load client failed: ${m.message}`));
      });
      child.send({ origin: server.origin, token: server.token, root, seconds: SECONDS, clients: CLIENTS } satisfies ClientConfig);
    }).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    const windowMs = performance.now() - t0;
    loop.disable();
    gcObserver.disconnect();
    clearInterval(ticker);
    const cpu = process.cpuUsage(cpu0);
    const doneAtEnd = embedded;
    const phaseAtEnd = phase;
    const scanEnded = scannedAt;
    const embeddingEnded = embeddedAt;
    const status = await engine.status();
    let explained: string[] = [];
    if (inspector && profileFile) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
      inspector.disconnect();
      explained = explainGaps(profile as unknown as CpuProfile, [...gaps].sort((a, b) => b.ms - a.ms).slice(0, 8));
    }
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));

    const { searches, statuses } = report;
    const failed = searches.filter((s) => !s.ok);
    const took = searches.filter((s) => s.tookMs !== null).map((s) => s.tookMs!).sort((a, b) => a - b);
    const empty = searches.filter((s) => s.ok && s.hits === 0).length;
    if (searches.length) {
      say(
        `load search latency, ${CLIENTS} clients`,
        latencies(searches),
        `${searches.length} HTTP searches in ${report.seconds.toFixed(1)} s while indexing, ${CLIENTS} clients back to back in a child process, ${QUERIES.length} queries (${empty} answers empty); the engine's own tookMs p50 ${ms(percentile(took, 50))} ms, p99 ${ms(percentile(took, 99))} ms; goal p99 ≤ 250 ms`,
      );
    }
    say('load search throughput', `${(searches.length / report.seconds).toFixed(1)} searches/s`, `server CPU ${((cpu.user + cpu.system) / 1e6 / (windowMs / 1000)).toFixed(2)} of ${availableParallelism()} cores (main thread + workers), client CPU ${(report.cpuSeconds / report.seconds).toFixed(2)}`);
    say(
      'load search errors',
      `${failed.length} of ${searches.length}`,
      failed.length ? `first: ${failed[0]!.error}; status requests failed: ${statuses.filter((s) => !s.ok).length}` : `not 200 or ok: false; status requests failed: ${statuses.filter((s) => !s.ok).length}; goal 0`,
    );
    say('load status latency', latencies(statuses), `${statuses.length} POST /api/status, one client, every ${STATUS_EVERY_MS} ms during the load`);
    const over = (t: number) => gaps.filter((g) => g.ms > t).length;
    const worstGc = Math.max(0, ...gc);
    say(
      'load event-loop stall',
      `max ${ms(loop.max / 1e6)} ms  p99 ${ms(loop.percentile(99) / 1e6)} ms`,
      `monitorEventLoopDelay (5 ms resolution) on the server's main thread during the load, mean ${ms(loop.mean / 1e6)} ms; a 5 ms timer saw ${over(50)} gaps over 50 ms, ${over(100)} over 100 ms; GC: ${gc.length} pauses, longest ${ms(worstGc)} ms, ${ms(gc.reduce((a, b) => a + b, 0))} ms in all; client's own loop max ${ms(report.loopMaxMs)} ms; goal ≤ 100 ms`,
    );
    const files = doneAtEnd - doneAtStart;
    const c = status.counts;
    say(
      'load indexing',
      `${(files / (Math.min(windowMs, embeddingEnded ?? Infinity) / 1000)).toFixed(1)} photos/s`,
      `${files} of ${PHOTOS} photos (1–4 MP) embedded in ${(Math.min(windowMs, embeddingEnded ?? Infinity) / 1000).toFixed(1)} s under the load, the ${NOTES} notes indexed before it (in ${report.notesSeconds.toFixed(1)} s, no load); indexed at the end: ${c.photo} photos, ${c.note} notes; ${scanEnded === null ? `the scan of the photos folder had not ended (${phaseAtEnd} at the end)` : `the scan of the photos folder took ${(scanEnded / 1000).toFixed(1)} s`}; ${embeddingEnded === null ? '' : `embedding finished at ${(embeddingEnded / 1000).toFixed(1)} s; `}vectors searched ${vectorsAtStart} at the start, ${status.spaces.reduce((n, sp) => n + sp.vectors, 0)} at the end; ${report.events} events streamed`,
    );
    say('load peak RSS', `${(peakRss / 2 ** 20).toFixed(0)} MB`, `the server process (engine, inference workers, HTTP) sampled every 5 ms during the load (${(rssBefore / 2 ** 20).toFixed(0)} MB with the model loaded, before); the client process ${report.rssMb.toFixed(0)} MB`);
    for (const e of explained) console.log(`#   ${e}`);
    if (profileFile) console.log(`#   CPU profile of the server's main thread written to ${profileFile}`);
    if (liveErrors.length) console.error(`# watcher errors: ${liveErrors.slice(0, 3).join('; ')}`);

    await stop();
  } finally {
    if (quiet) delete process.env.TROVE_LOG;
    tmp.cleanup();
  }
}
