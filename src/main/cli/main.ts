// The `trove` command line: the same API as the app, called in process. [Note: cli]
// Output: results on stdout (JSON with --json), progress and messages on stderr. Errors are one line and a
// non-zero exit (1 for a failed operation, 2 for a usage mistake), never a stack trace.
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { TroveApi } from '../../shared/api.js';
import { inProcess } from '../../shared/dispatch.js';
import { TroveError } from '../../shared/errors.js';
import { MAX_LIMIT } from '../../shared/schemas.js';
import { isItemKind, type ItemKind, type ModelVariant, type Root } from '../../shared/types.js';
import { Engine } from '../engine/index.js';
import { defaultDataDir } from '../engine/paths.js';
import type { Device } from '../engine/models/session.js';
import { displayPath, formatBytes, formatCollection, formatCollections, formatDoctor, formatDuplicates, formatHits, formatModels, formatStatus, formatSummary } from './format.js';
import { ProgressBar } from './progress.js';

const HELP = `trove — search your photos, notes and recordings together

Usage:
  trove index <folder>...        add folders and index them (no folder: re-index every folder)
  trove watch <folder>...        index, then keep the folders live until Ctrl+C
  trove search "<text>"          find items by meaning and words [--kind photo|note|audio] [--limit N]
                                 [--image <photo>: by a photo, alone or with the text]
  trove related <file>           items that belong with a file [--kind …] [--limit N]
  trove status                   folders, counts, model and embedding spaces [--errors]
  trove collections              the collections Trove made (id, title, dates, counts) [--all: hidden ones too]
  trove collections show <id>    a collection's photos, notes and recordings in time order
  trove collections rename <id> <title>   give it a title of your own ("" gives Trove's back)
  trove collections hide|unhide|pin|unpin <id>
  trove collections merge <id> <id>...    into the first; the others are not made again
  trove collections delete <id>  remove it (its items stay); the same event is not made again
  trove duplicates               groups of near-identical photos (bursts, edits, resized copies, copies),
                                 the one to keep first and why [--limit N groups]
  trove models list              model packs in the catalogue and installed
  trove models download <id>     download and verify a pack [--variant fp32|int8|fp16]
  trove models verify [id]       re-check installed packs against their checksums
  trove models remove <id>       delete an installed pack
  trove doctor                   versions, execution providers, threads, packs
  trove settings [device|model|speech-model <value>]   show or change the library's device (auto, cpu, gpu),
                                 model or speech model
  trove serve [--port N] [--open] browser mode: the API on 127.0.0.1 with this library's key, folders kept live;
                                 the same address across restarts [--new-key: a new key, open tabs must reopen]

Options:
  --json               machine-readable output on stdout
  --data-dir <dir>     the library folder (default: ${defaultDataDir()})
  --model <pack>       a model pack folder, or the id of an installed pack
  --speech-model <pack> the speech pack that transcribes recordings: a folder or an id (default whisper-base)
  --device <d>         auto, cpu or gpu (default auto)
  --ignore <glob>      with index/watch: skip matching files (repeatable)
  --no-ocr, --ocr      with index/watch: stop or start reading text printed in the folders' photos (default on)
  -h, --help           this help
  -v, --version        the version

Query language: kind:photo, after:2024-06, before:2025, date:2024-06-01, in:Lisbon (a place or a folder),
near:Lisbon or near:38.7,-9.1,20km, camera:iphone, "exact phrase" (must appear), -word (leave out),
2:word (weigh more). Filters alone (trove search "kind:photo after:2024-06") list every match
newest first. Close matches come first; the rest follow under "more, not as close".`;

const OPTIONS = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  model: { type: 'string' },
  'speech-model': { type: 'string' },
  device: { type: 'string' },
  kind: { type: 'string', multiple: true },
  limit: { type: 'string' },
  image: { type: 'string' },
  ignore: { type: 'string', multiple: true },
  errors: { type: 'boolean' },
  all: { type: 'boolean' },
  variant: { type: 'string' },
  'no-ocr': { type: 'boolean' },
  port: { type: 'string' },
  'new-key': { type: 'boolean' },
  open: { type: 'boolean' },
  ocr: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Output goes to a terminal: matched words are shown in bold. */
  isTTY?: boolean;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  isTTY: process.stdout.isTTY === true && !process.env.NO_COLOR,
};

function parseKinds(values: string[] | undefined): ItemKind[] | undefined {
  if (!values) return undefined;
  const kinds = values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase().replace(/s$/, ''));
  for (const k of kinds) if (!isItemKind(k)) throw new UsageError(`--kind must be photo, note or audio, not "${k}"`);
  return kinds as ItemKind[];
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive whole number, not "${value}"`);
  return n;
}

function parseVariant(value: string | undefined): ModelVariant | undefined {
  if (value === undefined) return undefined;
  if (value !== 'fp32' && value !== 'int8' && value !== 'fp16') throw new UsageError(`--variant must be fp32, int8 or fp16, not "${value}"`);
  return value;
}

function parseDevice(value: string | undefined): Device | undefined {
  if (value === undefined) return undefined;
  if (value !== 'auto' && value !== 'cpu' && value !== 'gpu') throw new UsageError(`--device must be auto, cpu or gpu, not "${value}"`);
  return value;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let engine: Engine | undefined;
  // The contract through the dispatcher, as every front door calls it: requests validated by their schemas.
  let api: TroveApi = undefined as unknown as TroveApi;
  const bar = new ProgressBar();
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments');
    }
    const { values, positionals } = parsed;
    const [command, ...args] = positionals;
    if (values.version) {
      io.out(await version());
      return 0;
    }
    if (values.help || !command || command === 'help') {
      io.out(HELP);
      return command || values.help ? 0 : 2;
    }
    const json = values.json === true;
    const print = (human: string, data: unknown) => io.out(json ? JSON.stringify(data, null, 2) : human);
    const kinds = parseKinds(values.kind);
    const limit = parseLimit(values.limit);
    const device = parseDevice(values.device);
    const dataDir = values['data-dir'] ?? defaultDataDir();
    const open = () => {
      const e = Engine.open({
        dataDir,
        // `trove index` asks no questions: its query worker starts only if one comes (~60 MB less). [Note: ocr-memory]
        ...(command === 'index' ? { queryWorker: 'first-query' as const } : {}),
        // Only a process that stays builds approximate indexes; a one-off search uses a saved one. [Note: ann]
        ...(command === 'watch' || command === 'serve' ? {} : { annBuild: false }),
        ...(values.model ? { model: values.model } : {}),
        ...(values['speech-model'] ? { speechModel: values['speech-model'] } : {}),
        ...(device ? { device } : {}),
      });
      // A pack downloading on first use shows its progress like `trove models download` does.
      if (!json) e.on('modelProgress', (p) => bar.download(p));
      api = inProcess(e);
      return e;
    };

    switch (command) {
      case 'index':
      case 'watch': {
        engine = open();
        const ocr = values['no-ocr'] ? false : values.ocr ? true : undefined;
        const roots = await addRoots(api, io, args, values.ignore ?? [], ocr);
        // A first run downloads the search model: say what, how big and where, before it starts. [Note: downloads]
        const fetching = engine.modelToDownload();
        if (fetching && !json) {
          io.err(
            `First run: downloading the search model ${fetching.title} (${fetching.id}${fetching.downloadBytes ? `, ${formatBytes(fetching.downloadBytes)}` : ''}, ${fetching.licence}) into ${displayPath(fetching.into)}.\n` +
              'It is fetched once and stays on this computer; trove models list shows the others (--model <id> picks one).',
          );
        }
        await engine.encoder(); // a first-use download happens here, before the index bar starts
        bar.clear();
        const showProgress = !json && bar.enabled;
        let waitingSaid: string | null = null;
        const off = engine.on('progress', (p) => {
          if (showProgress) bar.update(p);
          // Why the run waits (another Trove indexing this library, a full disk), said once each time it changes.
          if (p.waiting !== waitingSaid && !json) {
            waitingSaid = p.waiting;
            if (p.waiting) {
              bar.clear();
              io.err(`trove: ${p.waiting}`);
            }
          }
        });
        // Ctrl+C stops after the files in hand, so the next run neither repeats them nor holds them against the
        // files (a kill would count as a crash on them); a second Ctrl+C quits at once. [Note: crash-retry]
        const stop = () => {
          bar.clear();
          io.err('trove: stopping after the files in hand (Ctrl+C again to quit at once)…');
          process.once('SIGINT', () => process.exit(130));
          void engine?.close();
        };
        if (command === 'index') {
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        }
        let summary;
        try {
          summary = await api.indexNow(args.length ? { rootIds: roots.map((r) => r.id) } : {});
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
        off();
        bar.clear();
        if (command === 'index') {
          print(formatSummary(summary), summary);
          return 0;
        }
        if (json) io.out(JSON.stringify({ event: 'indexed', summary }));
        else io.err(`${formatSummary(summary)}\nWatching ${roots.map((r) => displayPath(r.path)).join(', ')} — Ctrl+C to stop.`);
        return await watchUntilStopped(engine, api, io, json);
      }
      case 'search': {
        const text = args.join(' ').trim();
        const image = typeof values.image === 'string' ? values.image : null;
        if (!text && !image) throw new UsageError('trove search "<text>": say what to look for (or --image <photo>)');
        engine = open();
        const result = await api.search({ query: text, ...(image ? { image: { path: resolve(image) } } : {}), ...(kinds ? { kinds } : {}), ...(limit ? { limit } : {}) });
        const warnings = result.query.warnings.map((w) => `note: ${w}`);
        if (!json) warnings.forEach((w) => io.err(w));
        print(formatHits(result.hits, process.cwd(), result.mode, { notice: result.notice, bold: io.isTTY === true }), result);
        return 0;
      }
      case 'duplicates': {
        if (args.length) throw new UsageError('trove duplicates takes no arguments (--limit N: at most N groups)');
        engine = open();
        const result = await api.duplicates(limit ? { limit } : {});
        print(formatDuplicates(result, process.cwd()), result);
        return 0;
      }
      case 'collections': {
        engine = open();
        return await collections(api, args, values.all === true, json, print, io);
      }
      case 'related': {
        if (args.length !== 1) throw new UsageError('trove related <file>: name one file');
        engine = open();
        const result = await api.related({ path: args[0]!, ...(kinds ? { kinds } : {}), ...(limit ? { limit } : {}) });
        print(formatHits(result.hits, process.cwd(), 'meaning', { bold: io.isTTY === true }), result);
        return 0;
      }
      case 'status': {
        engine = open();
        const status = await api.status({});
        if (values.errors) {
          const errors = await api.listErrors({});
          const skipped = await api.listSkipped({});
          const lines = [
            ...errors.map((e) => `${displayPath(e.path)}: ${e.error ?? 'unknown error'}`),
            ...skipped.map((s) => `${displayPath(s.path)}: skipped: ${s.reason}`),
          ];
          print(lines.length ? lines.join('\n') : 'No errors.', { errors, skipped });
        } else print(formatStatus(status), status);
        return 0;
      }
      case 'models': {
        engine = open();
        const [sub, id, ...rest] = args;
        if (rest.length) throw new UsageError(`trove models ${sub}: too many arguments`);
        if (sub === 'list' || sub === undefined) {
          const models = await api.listModels({});
          print(formatModels(models), models);
          return 0;
        }
        if (sub === 'download') {
          if (!id) throw new UsageError('trove models download <id>: name a pack (trove models list)');
          const variant = parseVariant(values.variant);
          const installed = await api.downloadModel({ id, ...(variant ? { variant } : {}) });
          bar.clear();
          print(`Installed ${installed.id} (${installed.variant ?? 'fp32'}, ${formatBytes(installed.bytes)}) at ${displayPath(installed.path)}.`, installed);
          return 0;
        }
        if (sub === 'verify') {
          const ids = id ? [id] : (await api.listModels({})).filter((m) => m.installed).map((m) => m.id);
          const results = [];
          for (const one of ids) results.push(await api.verifyModel({ id: one }));
          print(results.length ? results.map((r) => `${r.id}: ok (${formatBytes(r.bytes)})`).join('\n') : 'No packs installed.', results);
          return 0;
        }
        if (sub === 'remove') {
          if (!id) throw new UsageError('trove models remove <id>: name a pack');
          const { removed } = await api.removeModel({ id });
          print(removed ? `Removed ${id}.` : `${id} was not installed.`, { removed });
          return 0;
        }
        throw new UsageError(`unknown models command "${sub}" (list, download, verify, remove)`);
      }
      case 'settings': {
        engine = open();
        const [key, value, ...rest] = args;
        if (rest.length || (key !== undefined && value === undefined)) throw new UsageError('trove settings [device|model|speech-model <value>]');
        let settings;
        if (key === undefined) settings = await api.getSettings({});
        else if (key === 'device') settings = await api.updateSettings({ device: parseDevice(value) ?? 'auto' });
        else if (key === 'model') settings = await api.updateSettings({ model: value === 'default' ? null : value! });
        else if (key === 'speech-model') settings = await api.updateSettings({ speechModel: value === 'default' ? null : value! });
        else throw new UsageError(`unknown setting "${key}" (device, model, speech-model)`);
        print(
          `device: ${settings.device}\nmodel: ${settings.model ?? 'default (clip-vit-b32, or the pack used last)'}\nspeech model: ${settings.speechModel ?? 'default (whisper-base)'}`,
          settings,
        );
        return 0;
      }
      case 'serve': {
        if (args.length) throw new UsageError('trove serve [--port N] [--open] [--new-key]');
        const asked = values.port === undefined ? null : Number(values.port);
        if (asked !== null && (!Number.isInteger(asked) || asked < 0 || asked > 65535)) throw new UsageError(`--port must be a port number, not "${values.port}"`);
        engine = open();
        const { serve } = await import('../server/server.js');
        const { rememberServeIdentity, serveIdentity } = await import('../server/identity.js');
        const { fileURLToPath } = await import('node:url');
        const staticDir = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));
        // The key and port of the last serve of this library, so an open tab keeps working across a restart.
        const identity = serveIdentity(dataDir, { newKey: values['new-key'] === true });
        const port = asked ?? identity.port ?? 0;
        let server;
        try {
          server = await serve(engine, { port, token: identity.token, staticDir });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || asked !== null || port === 0) throw error;
          server = await serve(engine, { port: 0, token: identity.token, staticDir });
          io.err(`note: port ${port}, where this library was served last, is taken: serving on ${server.port} (open tabs need the new address)`);
        }
        rememberServeIdentity(dataDir, { token: identity.token, port: server.port });
        // Catch up with what changed while Trove was closed, then follow every folder, including ones the page adds.
        const { keepLive } = await import('../engine/live.js');
        const live = keepLive(engine, (e) => io.err(`trove: ${e.message}`));
        if (json) io.out(JSON.stringify({ url: server.url, token: server.token }));
        else io.err(`Trove is serving at ${server.url}\n(only on this computer; the address carries this library's key — trove serve --new-key makes a new one) — Ctrl+C to stop.`);
        if (values.open) openInBrowser(server.url);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        await live.close();
        await server.close();
        return 0;
      }
      case 'doctor': {
        engine = open();
        const d = await api.doctor({});
        print(formatDoctor(d), d);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}" (try trove --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`trove: ${error.message}`);
      return 2;
    }
    if (error instanceof TroveError) {
      io.err(`trove: ${error.message}`);
      return 1;
    }
    io.err(`trove: internal error: ${(error as Error)?.message ?? String(error)} (TROVE_LOG=debug shows more)`);
    if (process.env.TROVE_LOG === 'debug') io.err(String((error as Error)?.stack));
    return 1;
  } finally {
    bar.clear();
    await engine?.close().catch(() => undefined);
  }
}

/** Opens a URL in the default browser, without waiting for it. */
function collectionId(value: string | undefined, usage: string): number {
  const id = Number(value);
  if (!value || !Number.isSafeInteger(id) || id < 1) throw new UsageError(`${usage}: name a collection by its id (trove collections lists them)`);
  return id;
}

/** `trove collections …`: list (the default), show, rename, hide, unhide, pin, unpin, merge, delete. */
async function collections(api: TroveApi, args: readonly string[], all: boolean, json: boolean, print: (human: string, data: unknown) => void, io: Io): Promise<number> {
  const [sub = 'list', ...rest] = args;
  switch (sub) {
    case 'list': {
      const { collections: list } = await api.listCollections({ includeHidden: all, limit: MAX_LIMIT });
      if (json) {
        // Each with its members (path and kind), as scripts want them.
        const full = [];
        for (const c of list) {
          const d = await api.getCollection({ id: c.id });
          full.push({ ...c, members: d.members.map((m) => ({ id: m.item.id, path: m.item.path, kind: m.item.kind, takenAt: m.item.takenAt, role: m.role })) });
        }
        io.out(JSON.stringify(full, null, 2));
      } else {
        io.out(formatCollections(list));
        const status = await api.status({});
        if (status.linking) io.err(`note: ${status.linking} changes are still to be linked and grouped (the next trove index does it)`);
      }
      return 0;
    }
    case 'show': {
      const d = await api.getCollection({ id: collectionId(rest[0], 'trove collections show <id>') });
      print(formatCollection(d), d);
      return 0;
    }
    case 'rename': {
      const id = collectionId(rest[0], 'trove collections rename <id> <title>');
      if (rest.length < 2) throw new UsageError('trove collections rename <id> <title>: say the new title ("" for Trove\'s own)');
      const c = await api.updateCollection({ id, title: rest.slice(1).join(' ').trim() || null });
      print(`Collection ${c.id} is now “${c.title}”.`, c);
      return 0;
    }
    case 'hide':
    case 'unhide':
    case 'pin':
    case 'unpin': {
      const id = collectionId(rest[0], `trove collections ${sub} <id>`);
      const change = sub === 'hide' || sub === 'unhide' ? { hidden: sub === 'hide' } : { pinned: sub === 'pin' };
      const c = await api.updateCollection({ id, ...change });
      print(`Collection ${c.id} (“${c.title}”) ${sub === 'hide' ? 'is hidden' : sub === 'unhide' ? 'is shown again' : sub === 'pin' ? 'is pinned' : 'is no longer pinned'}.`, c);
      return 0;
    }
    case 'merge': {
      if (rest.length < 2) throw new UsageError('trove collections merge <id> <id>...: name two collections or more');
      const d = await api.mergeCollections({ ids: rest.map((r) => collectionId(r, 'trove collections merge')) });
      print(`Merged into collection ${d.id} (“${d.title}”), ${d.members.length} items.`, d);
      return 0;
    }
    case 'delete':
    case 'remove': {
      const id = collectionId(rest[0], `trove collections ${sub} <id>`);
      const r = await api.deleteCollection({ id });
      if (!r.removed) throw new TroveError('NOT_FOUND', `no collection with id ${id}`);
      print(`Collection ${id} removed; its items stay in the library, and Trove will not make it again.`, r);
      return 0;
    }
    default:
      throw new UsageError(`trove collections ${sub}: unknown (list, show, rename, hide, unhide, pin, unpin, merge, delete)`);
  }
}

function openInBrowser(url: string): void {
  void import('node:child_process').then(({ spawn }) => {
    const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  });
}

/**
 * Adds each folder as a root; a folder inside a root that is already watched indexes that root instead. `--ignore`
 * given for a folder already watched adds to its rules (for a folder inside one, scoped to that folder); the rules
 * in force are said, never silently dropped.
 */
async function addRoots(api: TroveApi, io: Io, dirs: readonly string[], ignore: readonly string[], ocr: boolean | undefined): Promise<Root[]> {
  const roots: Root[] = [];
  for (const dir of dirs) {
    try {
      const root = await api.addRoot({ path: dir, ignore, ...(ocr !== undefined ? { ocr } : {}) });
      roots.push(ocr === undefined || root.ocr === ocr ? root : await api.updateRoot({ id: root.id, ocr }));
      if (ignore.length) io.err(`Ignoring in ${displayPath(root.path)}: ${root.ignore.join(', ')}`);
    } catch (error) {
      if (!(error instanceof TroveError) || error.code !== 'ROOT_OVERLAPS') throw error;
      const { realpathSync } = await import('node:fs');
      const { relative, isAbsolute, sep } = await import('node:path');
      const abs = realpathSync(dir);
      let container = (await api.listRoots({})).find((r) => {
        const rel = relative(r.path, abs);
        return !rel.startsWith('..') && !isAbsolute(rel);
      });
      if (!container) throw error;
      if (ignore.length) {
        // A subfolder's patterns apply under it: `notes/work --ignore '*.log'` is `work/**/*.log` for notes.
        const sub = relative(container.path, abs).split(sep).join('/');
        const scoped = ignore.map((p) => `${sub}/${p.replace(/^\/+/, '').includes('/') ? p.replace(/^\/+/, '') : `**/${p}`}`);
        container = await api.updateRoot({ id: container.id, ignore: [...new Set([...container.ignore, ...scoped])] });
        io.err(`Ignoring in ${displayPath(container.path)}: ${container.ignore.join(', ')}`);
      }
      roots.push(container);
    }
  }
  if (dirs.length === 0 && (await api.listRoots({})).length === 0) {
    throw new UsageError('no folders yet: trove index <folder>');
  }
  return roots.filter((r, i) => roots.findIndex((o) => o.id === r.id) === i);
}

async function watchUntilStopped(engine: Engine, api: TroveApi, io: Io, json: boolean): Promise<number> {
  const offChanged = engine.on('itemsChanged', ({ changed, removed }) => {
    if (json) io.out(JSON.stringify({ event: 'itemsChanged', changed, removed }));
    else {
      void (async () => {
        for (const id of changed) {
          const item = await api.getItem({ id }).catch(() => null);
          if (item) io.err(`${item.status === 'error' ? 'failed' : 'indexed'}: ${item.relPath}${item.error ? ` (${item.error})` : ''}`);
        }
        if (removed.length) io.err(`removed ${removed.length} item${removed.length === 1 ? '' : 's'}`);
      })();
    }
  });
  const handle = engine.watch({ onError: (e) => io.err(`trove: ${e.message}`) });
  await handle.ready;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  offChanged();
  await handle.close();
  return 0;
}
