// Watchers compared: Trove's own watcher, chokidar and @parcel/watcher on the same 100,000-file tree in 1,000
// folders, each in a child process of its own so that resident memory is its alone. Per watcher: memory and time
// until ready, then a burst of 10,000 changes (overwrites, creates, deletes) written by this process: paths
// delivered, distinct changed files reported (and missed), time until the last one arrives, peak memory. Then the
// same at a watch limit of 500 (fewer than the tree's folders), set in a user namespace of its own so nothing else
// on the machine is touched. The tree lives in the system's temp folder and is deleted afterwards.
// [Note: watcher] [Note: benchmarks]
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IgnoreRules } from '../src/main/engine/ingest/ignore.js';
import { watchRoots } from '../src/main/engine/ingest/watcher.js';
import { REPO } from '../test/helpers.js';

type Line = (name: string, figure: string, detail?: string) => void;
type Kind = 'trove' | 'chokidar' | 'chokidar-awf' | 'parcel';

const KINDS: readonly Kind[] = ['trove', 'chokidar', 'chokidar-awf', 'parcel'];
const FILES = 100_000;
const LIMIT = 500; // inotify watches in the limit run: half the tree's folders
const RUNS = Number(process.env.WATCHER_RUNS ?? 3);
const QUIET_MS = 5000; // a burst is over once nothing has arrived for this long
const NAMES = KINDS.flatMap((k) => [`watchers ${k} 100k files`, `watchers ${k} at the watch limit`]);

/**
 * The libraries compared, at the versions measured: fetched from the npm registry into a cache of the bench's own
 * the first time, never dependencies of Trove's (chokidar 6 asks for Node ≥ 22.22, and every `npm install` of
 * Trove would warn about it on Node 20 for a library Trove does not ship). @parcel/watcher's prebuilt binary comes
 * in its per-platform package; its install script, which only builds from source, is not run.
 */
const CANDIDATES = { chokidar: '6.0.0', '@parcel/watcher': '2.6.0' } as const;
const CANDIDATES_DIR = join(REPO, 'node_modules', '.cache', 'trove-bench-watchers');
const candidate = (name: keyof typeof CANDIDATES) => join(CANDIDATES_DIR, 'node_modules', name);

function fetchCandidates(): void {
  const missing = (Object.keys(CANDIDATES) as (keyof typeof CANDIDATES)[]).filter((n) => {
    try {
      return (JSON.parse(readFileSync(join(candidate(n), 'package.json'), 'utf8')) as { version: string }).version !== CANDIDATES[n];
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  mkdirSync(CANDIDATES_DIR, { recursive: true });
  writeFileSync(join(CANDIDATES_DIR, 'package.json'), JSON.stringify({ name: 'trove-bench-watchers', private: true }));
  const specs = (Object.keys(CANDIDATES) as (keyof typeof CANDIDATES)[]).map((n) => `${n}@${CANDIDATES[n]}`);
  console.error(`# fetching ${specs.join(', ')} for the comparison into ${CANDIDATES_DIR}`);
  const r = spawnSync('npm', ['install', '--prefix', CANDIDATES_DIR, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install of ${specs.join(', ')} failed: the comparison needs the npm registry once`);
}

/** What the bench uses of chokidar's API (written out: the package is not installed for the type check). */
interface Chokidar {
  watch(path: string, options: object): {
    on(event: 'all', listener: (event: string, path: string) => void): unknown;
    on(event: 'error', listener: (error: unknown) => void): unknown;
    on(event: 'ready', listener: () => void): unknown;
    close(): Promise<void>;
  };
}
/** What the bench uses of @parcel/watcher's API. */
interface Parcel {
  subscribe(dir: string, callback: (error: Error | null, events: { path: string }[]) => void): Promise<{ unsubscribe(): Promise<void> }>;
}

const dirOf = (i: number) => `d${String(Math.floor(i / 100)).padStart(4, '0')}`;
const fileOf = (i: number) => `${dirOf(i)}/note-${i}.md`;

/** The burst: 9,000 overwrites, 500 deletes and 500 creates, spread over all folders; 10,000 distinct paths. */
function burstPlan(size: number): { write: string[]; remove: string[]; create: string[] } {
  const picks = Array.from({ length: size }, (_, k) => (k * 7919) % FILES); // 7919 is prime to 100,000: distinct
  const nWrite = Math.round(size * 0.9);
  const nRemove = Math.round(size * 0.05);
  return {
    write: picks.slice(0, nWrite).map(fileOf),
    remove: picks.slice(nWrite, nWrite + nRemove).map(fileOf),
    create: Array.from({ length: size - nWrite - nRemove }, (_, j) => `${dirOf((j * 7919) % FILES)}/new-${j}.md`),
  };
}

/** Puts the tree back as it was before a burst (deleted files back, created ones gone); the watcher is not running. */
function makeTree(tree: string, plan: ReturnType<typeof burstPlan>, fresh: boolean): void {
  if (fresh) {
    for (let d = 0; d < FILES / 100; d++) mkdirSync(join(tree, dirOf(d * 100)), { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(tree, fileOf(i)), `# Note ${i}\n\nSome words about day ${i % 365} of the year.\n`);
  }
  for (const f of plan.remove) writeFileSync(join(tree, f), `# Note\n\nback again\n`);
  for (const f of plan.create) rmSync(join(tree, f), { force: true });
}

function applyBurst(tree: string, plan: ReturnType<typeof burstPlan>, run: number): void {
  for (const f of plan.write) writeFileSync(join(tree, f), `# Note, edited in run ${run}\n\nNew words ${'x'.repeat(run % 7)}.\n`);
  for (const f of plan.remove) unlinkSync(join(tree, f));
  for (const f of plan.create) writeFileSync(join(tree, f), `# New note ${f}\n`);
}

// ---- the child: one watcher, measured from the inside ----

function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC: the same clock in every process

async function child(kind: Kind, tree: string): Promise<void> {
  const send = (m: object) => process.send!(m);
  const rules = new IgnoreRules();
  const seen = new Set<string>();
  let delivered = 0;
  let batches = 0;
  let lastAt = 0;
  const errors: string[] = [];
  let rescans = 0;
  const onPaths = (paths: string[]) => {
    batches++;
    delivered += paths.length;
    for (const p of paths) seen.add(p);
    lastAt = nowMs();
  };
  const rel = (p: string) => relative(tree, p).split(sep).join('/');
  // WATCHER_CHOKIDAR=/path/to/chokidar/index.js measures another chokidar than the one fetched for the bench.
  const chokidar = kind.startsWith('chokidar') ? ((await import(pathToFileURL(process.env.WATCHER_CHOKIDAR ?? join(candidate('chokidar'), 'index.js')).href)) as Chokidar) : null;
  const parcel = kind === 'parcel' ? ((await import(pathToFileURL(join(candidate('@parcel/watcher'), 'index.js')).href)) as { default: Parcel }).default : null;

  global.gc?.();
  const before = status('VmRSS');
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  let close: () => Promise<void>;
  let mode = () => 'live';
  if (kind === 'trove') {
    const root = { id: 1, path: tree, ignore: [], addedAt: 0, items: FILES, errors: 0, present: true, ocr: false };
    const handle = watchRoots([root], { onChanges: (_r, paths) => onPaths(paths), onRescan: () => rescans++, onError: (e) => errors.push(e.message), pollMs: 2000 });
    await handle.ready;
    close = () => handle.close();
    mode = () => handle.modes().get(1) ?? '?';
  } else if (chokidar) {
    // What an indexer would pass: no events for what is already there, Trove's ignore rules, and (chokidar-awf) the
    // same wait for a file to hold still that Trove's watcher has (300 ms, looked at every 100 ms).
    const w = chokidar.watch(tree, {
      ignoreInitial: true,
      ignored: (p: string, stats?: { isDirectory(): boolean }) => p !== tree && rules.ignores(rel(p), stats?.isDirectory() ?? false),
      ...(kind === 'chokidar-awf' ? { awaitWriteFinish: { stabilityThreshold: 300, pollInterval: 100 } } : {}),
    });
    w.on('all', (_event: string, p: string) => onPaths([rel(p)]));
    w.on('error', (e: unknown) => errors.push(String((e as Error).message ?? e)));
    await new Promise<void>((resolve) => w.on('ready', () => resolve()));
    close = () => w.close();
  } else {
    try {
      const sub = await parcel!.subscribe(tree, (err, events) => {
        if (err) errors.push(err.message);
        else onPaths(events.map((e) => rel(e.path)));
      });
      close = () => sub.unsubscribe();
    } catch (error) {
      errors.push((error as Error).message);
      mode = () => 'failed';
      close = async () => {};
    }
  }
  const readyMs = nowMs() - t0;
  const startCpu = process.cpuUsage(cpu0);
  const startPeak = status('VmHWM') - before;
  await new Promise((r) => setTimeout(r, 2000)); // let anything still running after "ready" finish
  global.gc?.();
  const grown = status('VmRSS') - before;
  let clearedPeak = true;
  try {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM, so the burst's peak is its own
  } catch {
    clearedPeak = false;
  }
  send({ t: 'ready', readyMs, grown, startPeak, before, startCpuMs: (startCpu.user + startCpu.system) / 1000, errors: errors.length, firstError: errors[0] ?? '', mode: mode() });

  process.on('message', (m: { t: string }) => {
    if (m.t === 'poll') send({ t: 'poll', lastAt, delivered });
    if (m.t === 'report') {
      const cpu = process.cpuUsage(cpu0);
      send({
        t: 'report', seen: [...seen], delivered, batches, lastAt, burstPeak: status('VmHWM') - before,
        clearedPeak, cpuMs: (cpu.user + cpu.system) / 1000 - (startCpu.user + startCpu.system) / 1000, errors: errors.length, firstError: errors[0] ?? '', rescans, mode: mode(),
      });
      void close().then(() => process.exit(0));
    }
  });
}

// ---- the parent ----

interface Ready { readyMs: number; grown: number; startPeak: number; startCpuMs: number; errors: number; firstError: string; mode: string }
interface Report { seen: string[]; delivered: number; batches: number; lastAt: number; burstPeak: number; clearedPeak: boolean; cpuMs: number; errors: number; firstError: string; rescans: number; mode: string }
interface Run extends Ready { burst: Report; expected: number; found: number; extra: number; lastMs: number; writeMs: number }

function canLimit(): boolean {
  const r = spawnSync('unshare', ['-U', '-r', 'sh', '-c', `echo ${LIMIT} > /proc/sys/user/max_inotify_watches`], { stdio: 'ignore' });
  return r.status === 0;
}

function start(kind: Kind, tree: string, limit: boolean): ChildProcess {
  const env = { ...process.env, TROVE_WATCHER_CHILD: kind, TROVE_WATCHER_TREE: tree };
  const opts = { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as const };
  const [runTs, script] = [join(REPO, 'bin/run-ts.js'), join(REPO, 'bench/watchers.ts')];
  if (!limit) return fork(runTs, [script], { ...opts, stdio: [...opts.stdio], execArgv: ['--expose-gc'] });
  // A user namespace of its own has its own inotify limit (its watches still count against the machine's limit too).
  const sh = `echo ${LIMIT} > /proc/sys/user/max_inotify_watches && exec "$0" "$@"`;
  return fork(runTs, [script], { ...opts, stdio: [...opts.stdio], execPath: 'unshare', execArgv: ['-U', '-r', 'sh', '-c', sh, process.execPath, '--expose-gc'] });
}

function next<T>(proc: ChildProcess, t: string, timeoutMs = 300_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${t} from the child in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: { t: string }) => {
      if (m.t !== t) return;
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(m as T);
    };
    proc.on('message', onMessage);
  });
}

async function measure(kind: Kind, tree: string, plan: ReturnType<typeof burstPlan>, run: number, limit: boolean): Promise<Run> {
  const proc = start(kind, tree, limit);
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    const ready = await next<Ready>(proc, 'ready', limit ? 120_000 : 300_000);
    const t0 = nowMs();
    applyBurst(tree, plan, run);
    const writeMs = nowMs() - t0;
    let last = { lastAt: 0, delivered: -1 };
    let quietSince = nowMs();
    while (nowMs() - quietSince < QUIET_MS && nowMs() - t0 < 180_000) {
      await new Promise((r) => setTimeout(r, 250));
      proc.send({ t: 'poll' });
      const p = await next<{ lastAt: number; delivered: number }>(proc, 'poll');
      if (p.delivered !== last.delivered) quietSince = nowMs();
      last = p;
    }
    proc.send({ t: 'report' });
    const burst = await next<Report>(proc, 'report');
    const expected = new Set([...plan.write, ...plan.remove, ...plan.create]);
    const found = burst.seen.filter((p) => expected.has(p)).length;
    const seen = new Set(burst.seen);
    const missed = [...expected].filter((p) => !seen.has(p));
    if (missed.length && !limit) console.error(`# ${kind} run ${run}: missed ${missed.length}, e.g. ${missed.slice(0, 5).join(', ')}`);
    return { ...ready, burst, expected: expected.size, found, extra: burst.seen.length - found, lastMs: burst.lastAt ? burst.lastAt - t0 : NaN, writeMs };
  } finally {
    if (proc.exitCode === null) proc.kill();
    await exited;
  }
}

function version(kind: Kind): string {
  if (kind === 'trove') return 'Trove';
  const dir = kind === 'parcel' ? candidate('@parcel/watcher') : process.env.WATCHER_CHOKIDAR ? dirname(process.env.WATCHER_CHOKIDAR) : candidate('chokidar');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const median = <T>(runs: T[], key: (r: T) => number): T => [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!;

export async function benchWatchers(filter: string, line: Line): Promise<void> {
  if (!NAMES.some((n) => n.includes(filter))) return;
  fetchCandidates();
  const tree = mkdtempSync(join(tmpdir(), 'trove-watchers-'));
  try {
    const plan = burstPlan(10_000);
    makeTree(tree, plan, true);
    for (const kind of KINDS) {
      const name = `watchers ${kind} 100k files`;
      if (!name.includes(filter)) continue;
      const runs: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        makeTree(tree, plan, false);
        runs.push(await measure(kind, tree, plan, r, false));
      }
      const m = median(runs, (r) => r.grown);
      const all = (f: (r: Run) => string) => runs.map(f).join(', ');
      line(
        name,
        `+${mb(m.grown)} ready ${(m.readyMs / 1000).toFixed(1)} s; burst ${m.found}/${m.expected} in ${(median(runs, (r) => r.lastMs).lastMs / 1000).toFixed(1)} s, peak +${mb(median(runs, (r) => r.burst.burstPeak).burst.burstPeak)}`,
        `${version(kind)}, median of ${RUNS}; RSS growth 2 s after ready ${all((r) => mb(r.grown))}, peak while starting ${all((r) => mb(r.startPeak))}, ready ${all((r) => `${(r.readyMs / 1000).toFixed(1)} s`)} (${all((r) => `${Math.round(r.startCpuMs)} ms`)} CPU); ` +
          `burst written in ${all((r) => `${(r.writeMs / 1000).toFixed(1)} s`)}: paths delivered ${all((r) => String(r.burst.delivered))} in ${all((r) => String(r.burst.batches))} callbacks, distinct changed files reported ${all((r) => `${r.found}/${r.expected}`)} (other paths ${all((r) => String(r.extra))}), last after ${all((r) => `${(r.lastMs / 1000).toFixed(1)} s`)}, ` +
          `peak growth in the burst ${all((r) => mb(r.burst.burstPeak))}${m.burst.clearedPeak ? '' : ' (VmHWM not resettable: whole-life peak)'}, burst CPU ${all((r) => `${Math.round(r.burst.cpuMs)} ms`)}; errors ${all((r) => String(r.burst.errors))}`,
      );
    }
    const limitNames = KINDS.map((k) => `watchers ${k} at the watch limit`);
    if (limitNames.some((n) => n.includes(filter))) {
      if (!canLimit()) {
        line('watchers at the watch limit', 'skipped', 'cannot make a user namespace with its own inotify limit here (unshare -U -r)');
      } else {
        const small = burstPlan(1000);
        for (const [i, kind] of KINDS.entries()) {
          if (!limitNames[i]!.includes(filter)) continue;
          makeTree(tree, plan, false);
          makeTree(tree, small, false);
          const r = await measure(kind, tree, small, 99, true);
          line(
            limitNames[i]!,
            `${r.burst.mode}; ${r.found}/${r.expected} changes reported`,
            `${version(kind)}; limit ${LIMIT} inotify watches (user namespace), 1,001 folders; ready after ${(r.readyMs / 1000).toFixed(1)} s, +${mb(r.grown)}; ` +
              `errors ${r.burst.errors}${r.burst.firstError ? ` (first: ${r.burst.firstError.slice(0, 140)})` : ''}; ` +
              `then 1,000 changes over all folders: ${r.found} reported within ${QUIET_MS / 1000} s of quiet, polling rescans ${r.burst.rescans} (every 2 s in this run)`,
          );
        }
      }
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

if (process.env.TROVE_WATCHER_CHILD && process.send) await child(process.env.TROVE_WATCHER_CHILD as Kind, process.env.TROVE_WATCHER_TREE!);
