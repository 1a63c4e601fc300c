// The Engine: the one implementation of the API contract (src/shared/api.ts). The CLI calls it in process; the
// Electron utility process and browser mode put a transport in front of it. No search logic lives anywhere else.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type {
  Events,
  EventName,
  Listener,
  Operations,
  RelatedRequest,
  SearchRequest,
  SearchResponse,
  RelatedResponse,
  TroveApi,
  TroveEvents,
  ItemRef,
} from '../../shared/api.js';
import { TroveError } from '../../shared/errors.js';
import { MAX_LIMIT } from '../../shared/schemas.js';
import { isMediaVariant, type MediaVariant } from '../../shared/media.js';
import type { CollectionDetail, CollectionSummary, LinkedItem, TimelinePage, DuplicatesResponse, PlacesMap, Diagnostics, Settings, IndexProgress, IndexStatus, IndexSummary, InstalledModel, InstallGuide, FolderCompletion, ItemDetail, ItemSummary, ModelListing, Root, SkippedPath, SpaceInfo, Thumbnail } from '../../shared/types.js';
import { chooseSpeechPack, DEFAULT_SPEECH_MODEL, openTranscriber } from './ingest/audio-speech.js';
import { ConfinedError, confinedPath, isInside } from './ingest/confine.js';
import { emptySummary, Indexer, type IndexTarget } from './ingest/indexer.js';
import { OcrRunner, ocrModelInfo } from './ingest/ocr.js';
import { ProgressTracker } from './ingest/progress.js';
import { watchRoots, type WatchHandle } from './ingest/watcher.js';
import type { Encoder } from './models/encoder.js';
import type { Transcriber } from './models/speech.js';
import { WorkerEncoder } from './models/worker-encoder.js';
import { loadPack } from './models/pack.js';
import { createLogger } from './log.js';
import { diskFullMessage, freeBytesSync, isDiskFull, untilRoom } from './disk.js';
import { loadCatalogue, recommendedPack } from './models/catalogue.js';
import { completeFolder } from './folders.js';
import { ModelManager } from './models/manager.js';
import { chooseModel, DEFAULT_MODEL_ID } from './models/resolve.js';
import { defaultThreads, gpuProviders, providerInstalled, type Device } from './models/session.js';
import { runtimeVersions } from './versions.js';
import { dataPaths } from './paths.js';
import { Collections } from './collections/service.js';
import { backfillTimes } from './ingest/backfill-times.js';
import { backfillPlaces } from './ingest/backfill-places.js';
import type { TimedRow } from './collections/vectors.js';
import { timelinePage } from './search/browse.js';
import { SearchReader } from './search/reader.js';
import { combineKinds, DEFAULT_LIMIT, nothingIndexed, search, type ImageQuery } from './search/search.js';
import { parseQuery } from '../../shared/query.js';
import { inTurn } from './turns.js';
import { Store } from './store/index.js';
import { absolutePath, toDetail, toSummary, type ItemRow } from './store/items.js';
import { vocabulary } from './collections/vocabulary.js';
import type { LockHolder } from './store/guards.js';
import { PRIORITY } from './store/queue.js';
import { originalType, thumbnail, thumbnailFile } from './thumbnails.js';
import { findDuplicates } from './duplicates/find.js';
import { placeClusters } from './store/places.js';
import { perceptualHashOf } from './duplicates/phash.js';
import { tuneMemory } from './memory.js';

const log = createLogger('engine');

/** An index lock whose heartbeat is older than this belongs to a process that died. [Note: index-lock] */
const LOCK_STALE_MS = 60_000;
/** On this computer a live pid keeps the lock this long without a heartbeat (a full disk stops the heartbeat). */
const LOCK_STALE_SAME_HOST_MS = 15 * 60_000;
const LOCK_BEAT_MS = 5_000;

export interface EngineOptions {
  readonly dataDir: string;
  /** A pack folder or the id of an installed pack; default: the pack used last in this library. */
  readonly model?: string;
  readonly device?: Device;
  readonly threads?: number;
  /** A Hugging Face mirror for model downloads (tests point it at 127.0.0.1). */
  readonly modelBaseUrl?: string;
  /** Read text in photos (default true; each root can also turn it off). */
  readonly ocr?: boolean;
  /** The speech pack for recordings: a folder or the id of an installed pack; default: the setting, else whisper-base. */
  readonly speechModel?: string;
  /** A transcriber to use instead of loading a speech pack (tests; an embedder's own). Closed with the engine. */
  readonly transcriber?: Transcriber;
  /** When the query worker starts: with the model (default), or at the first query (`trove index` asks none). */
  readonly queryWorker?: 'now' | 'first-query';
  /**
   * Build and keep the approximate indexes of large spaces in the background (default true: the app, `trove serve`,
   * `trove watch`); a one-off command (`trove search`) uses a saved index and never starts a build. [Note: ann]
   */
  readonly annBuild?: boolean;
}

interface StoredModel {
  readonly id: string;
  readonly revision: string;
  readonly path: string;
}

export class Engine implements TroveApi, TroveEvents {
  private readonly events = new EventEmitter();
  private readonly progress = new ProgressTracker();
  private readonly paths;
  readonly models: ModelManager;
  private readonly ocr: OcrRunner | null;
  private speech: Promise<Transcriber> | null = null; // loaded on first need, kept while it works [Note: transcription]
  private speechProblem: string | null = null; // why the last attempt found no speech pack
  private speechId: string | null = null; // the loaded transcriber's identity (a transcript is redone when it changes)
  private closing = false;
  private encoderPromise: Promise<Encoder> | null = null;
  private readonly otherEncoders = new Map<string, Promise<Encoder>>();
  private watching: WatchHandle | null = null;
  private readonly spaceInfos = new Map<number, SpaceInfo>();
  private readonly live = new Map<number, Set<string>>(); // changed paths seen by the watcher, per root
  private running = false;
  private pause: { gate: Promise<void>; release: () => void } | null = null;
  private indexing: Promise<unknown> = Promise.resolve();
  private readonly lockToken = randomUUID();
  private searchReader: SearchReader | null = null;
  private namedModelChecked: Promise<void> | null = null;
  private lockLost = false;
  readonly collections: Collections;
  private timesFilled = false;

  private constructor(
    readonly store: Store,
    private readonly options: EngineOptions,
  ) {
    this.paths = dataPaths(options.dataDir);
    this.collections = new Collections(store);
    this.ocr = options.ocr === false ? null : new OcrRunner({ threads: options.threads ?? defaultThreads() });
    this.models = new ModelManager(this.paths.models, loadCatalogue(), options.modelBaseUrl ? { baseUrl: options.modelBaseUrl } : {});
  }

  static open(options: EngineOptions): Engine {
    tuneMemory(); // before the workers and sessions allocate [Note: native-allocator] [Note: heap-growth]
    privateFolder(options.dataDir);
    const store = Store.open(dataPaths(options.dataDir).database);
    return new Engine(store, options);
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    this.events.emit(event, payload);
  }

  /** The encoder for this library, loaded once on first use. */
  encoder(): Promise<Encoder> {
    this.encoderPromise ??= this.loadEncoder().catch((error: unknown) => {
      this.encoderPromise = null;
      throw error;
    });
    return this.encoderPromise;
  }

  /** The model asked for: --model, else the library's chosen model, else the pack it used last, else the default. */
  private wantedModel(): string {
    const chosen = this.store.settings.get<string>('chosenModel');
    const stored = this.store.settings.get<StoredModel>('model');
    return this.options.model ?? chosen ?? (stored && existsSync(stored.path) ? stored.path : (stored?.id ?? DEFAULT_MODEL_ID));
  }

  async getSettings(): Promise<Settings> {
    const setting = this.store.settings.get<string>('device');
    return {
      device: setting === 'cpu' || setting === 'gpu' ? setting : 'auto',
      model: this.store.settings.get<string>('chosenModel') ?? null,
      speechModel: this.store.settings.get<string>('speechModel') ?? null,
      startModel: this.options.model ?? null,
    };
  }

  async updateSettings(req: Operations['updateSettings']['req']): Promise<Settings> {
    // A model setting is accepted only as a pack that loads (or a catalogue id, downloaded at the next index run):
    // a folder that is not a pack is refused here with its reason, rather than breaking every later search.
    let probe: Encoder | null = null;
    if (req.model !== undefined && req.model !== null) {
      const choice = chooseModel(req.model, this.models); // refuses what is neither a folder, an installed pack nor in the catalogue
      if (choice.kind !== 'download') probe = await this.probeEncoder(choice.dir, req.device);
    }
    if (req.speechModel !== undefined && req.speechModel !== null) {
      const choice = chooseModel(req.speechModel, this.models); // the same rule: a folder, an installed pack or a catalogue id
      if (choice.kind !== 'download') {
        const pack = await loadPack(choice.dir);
        if (pack.manifest.task !== 'speech') {
          await probe?.close();
          throw new TroveError('MODEL_MISMATCH', `${choice.dir} is not a speech pack (it embeds images and text); choose a Whisper pack`);
        }
      }
    }
    const model = req.model === undefined ? undefined : req.model === null ? null : /[\\/]|^\./.test(req.model) ? resolve(req.model) : req.model;
    const speechModel =
      req.speechModel === undefined ? undefined : req.speechModel === null ? null : /[\\/]|^\./.test(req.speechModel) ? resolve(req.speechModel) : req.speechModel;
    this.store.transaction(() => {
      if (req.device !== undefined) this.store.settings.set('device', req.device);
      if (model !== undefined) this.store.settings.set('chosenModel', model ?? undefined);
      if (speechModel !== undefined) this.store.settings.set('speechModel', speechModel ?? undefined);
    });
    if (speechModel !== undefined || req.device !== undefined) {
      await this.indexing; // a running transcription keeps the model it started with
      await this.dropSpeech();
    }
    // New work uses the new choice: the next encoder loads it (its space builds while the active one answers).
    if (model !== undefined || req.device !== undefined) {
      await this.indexing; // a running index keeps the encoder it started with
      const old = this.encoderPromise;
      this.encoderPromise = probe ? Promise.resolve(probe) : null; // the pack just loaded is the one new work uses
      if (old) {
        const e = await old.catch(() => null);
        // Keep it if it still answers for the active space; otherwise close it.
        const active = this.store.spaces.active();
        if (e && active && e.space.modelId === active.model_id && e.space.revision === active.revision) this.otherEncoders.set(e.packDir, Promise.resolve(e));
        else await e?.close();
      }
    }
    return this.getSettings();
  }

  /** Loads a pack as the encoder would, to refuse one that does not load; MODEL_MISMATCH for a speech pack. */
  private async probeEncoder(dir: string, device: Settings['device'] | undefined): Promise<Encoder> {
    const pack = await loadPack(dir);
    if (pack.manifest.task === 'speech') {
      throw new TroveError('MODEL_MISMATCH', `${dir} is a speech pack (Whisper); the search model must embed images and text`);
    }
    return WorkerEncoder.open(dir, { device: device ?? this.device(), ...this.workerOptions() });
  }

  // ---- speech [Note: transcription] ------------------------------------------------------------------------------

  /** The speech pack asked for: --speech-model, else the library's setting, else whisper-base. */
  private wantedSpeech(): string {
    return this.options.speechModel ?? this.store.settings.get<string>('speechModel') ?? DEFAULT_SPEECH_MODEL;
  }

  /**
   * The transcriber, or null with `speechProblem` saying why. A pack that is missing is looked for again next
   * time (it may have been downloaded since); one that loaded is kept.
   */
  private async transcriber(): Promise<Transcriber | null> {
    if (this.options.transcriber) return this.options.transcriber;
    if (!this.speech) {
      const choice = chooseSpeechPack(this.wantedSpeech(), this.models);
      if (choice.problem !== undefined) {
        this.speechProblem = choice.problem;
        return null;
      }
      this.speech = openTranscriber(choice.dir, { device: this.device(), ...(this.options.threads ? { threads: this.options.threads } : {}) });
    }
    try {
      const t = await this.speech;
      this.speechProblem = null;
      this.speechId = t.id;
      return t;
    } catch (error) {
      this.speech = null;
      this.speechProblem = `the speech model cannot be loaded: ${(error as Error).message}`;
      return null;
    }
  }

  /** Why recordings wait for a transcript, without loading anything; null when a speech pack is there. */
  private speechBlocked(): string | null {
    if (this.options.transcriber) return null;
    const choice = chooseSpeechPack(this.wantedSpeech(), this.models);
    return choice.problem ?? (this.speech ? null : this.speechProblem);
  }

  private async dropSpeech(): Promise<void> {
    const old = this.speech;
    this.speech = null;
    this.speechProblem = null;
    this.speechId = null;
    await (await old?.catch(() => null))?.close();
  }

  private async loadEncoder(): Promise<Encoder> {
    const choice = chooseModel(this.wantedModel(), this.models);
    // On first use a catalogue pack downloads into the data folder, with progress as `modelProgress` events.
    const dir =
      choice.kind === 'download'
        ? (await this.models.install(choice.id, { gpu: this.usesGpu(), onProgress: (p) => this.emit('modelProgress', p) })).path
        : choice.dir;
    const device = this.device();
    const encoder = await WorkerEncoder.open(dir, {
      device,
      ...this.workerOptions(),
    });
    try {
      this.store.settings.set('model', { id: encoder.space.modelId, revision: encoder.space.revision, path: encoder.packDir });
    } catch (error) {
      await encoder.close(); // a full disk, say: the caller tries again, with workers of its own
      throw error;
    }
    return encoder;
  }

  /** An encoder for another pack (the one the active space was built with, while a new space builds). */
  private encoderAt(dir: string): Promise<Encoder> {
    let e = this.otherEncoders.get(dir);
    if (!e) {
      e = WorkerEncoder.open(dir, { device: this.device(), ...this.workerOptions() });
      e.catch(() => this.otherEncoders.delete(dir));
      this.otherEncoders.set(dir, e);
    }
    return e;
  }

  /**
   * The space and encoder that answer queries. [Note: spaces] While a new model's space is being built, the active
   * space (and the pack it was built with) keeps answering; when its pack is gone, the new one answers.
   */
  private async answering(): Promise<{ encoder: Encoder; space: SpaceInfo }> {
    // The active space answers with the pack it was built with, whatever model was chosen since: a new choice (or a
    // bad one) never stops search; its space is built by the next index run. [Note: spaces] A pack named for this
    // process (--model) must still be one: naming a missing or broken pack is an error, not silently ignored.
    if (this.options.model) {
      // Once per process, not per query: loading a pack parses its tokenizer (~20 ms for CLIP's).
      this.namedModelChecked ??= (async () => {
        const choice = chooseModel(this.options.model!, this.models);
        if (choice.kind !== 'download') await loadPack(choice.dir);
      })().catch((error: unknown) => {
        this.namedModelChecked = null;
        throw error;
      });
      await this.namedModelChecked;
    }
    const active = this.store.spaces.active();
    const dir = active ? this.store.settings.get<Record<string, string>>('spacePacks')?.[String(active.id)] : undefined;
    if (active && dir && existsSync(dir)) {
      try {
        const current = await this.encoderPromise?.catch(() => null);
        const encoder = current && current.packDir === dir ? current : this.wantedDir() === dir ? await this.encoder() : await this.encoderAt(dir);
        const k = encoder.space;
        if (k.modelId === active.model_id && k.revision === active.revision && k.dimensions === active.dimensions) {
          return { encoder, space: this.spaceInfo(active.id) };
        }
      } catch (error) {
        log.warn('the pack of the active space cannot be loaded; the chosen model answers', { dir, error: (error as Error).message });
      }
    }
    return this.space();
  }

  /** The folder of the model asked for, when it is on disk (never starts a download). */
  private wantedDir(): string | null {
    try {
      const choice = chooseModel(this.wantedModel(), this.models);
      return choice.kind === 'download' ? null : choice.dir;
    } catch {
      return null;
    }
  }

  /** Threads and query-worker timing for the encoders this engine opens. */
  private workerOptions(): { threads?: number; queryWorker?: 'now' | 'first-query' } {
    return { ...(this.options.threads ? { threads: this.options.threads } : {}), ...(this.options.queryWorker ? { queryWorker: this.options.queryWorker } : {}) };
  }

  /** The device asked for: the option, else the library's setting, else auto. */
  device(): Device {
    const setting = this.store.settings.get<Device>('device');
    return this.options.device ?? (setting === 'cpu' || setting === 'gpu' ? setting : 'auto');
  }

  /** Whether inference will try a GPU provider (it decides which precision of a pack to download). */
  private usesGpu(): boolean {
    const device = this.device();
    return device === 'gpu' || (device === 'auto' && gpuProviders().some((p) => providerInstalled(p)));
  }

  // ---- models ------------------------------------------------------------------------------------------------

  async listModels(req: Operations['listModels']['req'] = {}): Promise<readonly ModelListing[]> {
    const list = this.models.list();
    const pick = recommendedPack(list, req.languages ?? []);
    return list.map((m) => ({ ...m, recommended: m.id === pick }));
  }

  async downloadModel(req: Operations['downloadModel']['req']): Promise<InstalledModel> {
    return this.models.install(req.id, {
      gpu: this.usesGpu(),
      ...(req.variant ? { variant: req.variant } : {}),
      onProgress: (p) => this.emit('modelProgress', p),
    });
  }

  async installGuide(req: Operations['installGuide']['req']): Promise<InstallGuide> {
    return this.models.guide(req.id, { gpu: this.usesGpu() });
  }

  async completeFolder(req: Operations['completeFolder']['req']): Promise<FolderCompletion> {
    return completeFolder(req.path);
  }

  async verifyModel(req: Operations['verifyModel']['req']): Promise<InstalledModel> {
    return this.models.verify(String(req.id));
  }

  async removeModel(req: Operations['removeModel']['req']): Promise<{ removed: boolean }> {
    const id = String(req.id);
    const current = await this.encoderPromise?.catch(() => null);
    if (current && current.packDir === this.models.dir(id)) {
      throw new TroveError('INVALID_ARGUMENT', `model "${id}" is in use; switch to another model first`);
    }
    return { removed: this.models.remove(id) };
  }

  /**
   * The search model this library would download before it can index (a catalogue pack not installed yet), so a
   * first `trove index` can say what it fetches and how big it is; null when the model is on this computer.
   */
  modelToDownload(): (ModelListing & { readonly into: string }) | null {
    try {
      const choice = chooseModel(this.wantedModel(), this.models);
      if (choice.kind !== 'download') return null;
      const listing = this.models.list().find((m) => m.id === choice.id);
      return listing ? { ...listing, into: this.models.modelsDir } : null;
    } catch {
      return null; // a pack that is not one: the run says so
    }
  }

  async doctor(): Promise<Diagnostics> {
    let encoder: Encoder | null = null;
    let modelError: string | null = null;
    const wanted = this.wantedModel();
    try {
      // Diagnose what is there; never start a download from here.
      if (chooseModel(wanted, this.models).kind === 'download') modelError = `"${wanted}" is not downloaded yet (trove models download ${wanted})`;
      else encoder = await this.encoder();
    } catch (error) {
      modelError = (error as Error).message;
    }
    const providers = [...gpuProviders().map((name) => ({
      name,
      usable: providerInstalled(name),
      note: providerInstalled(name) ? 'installed' : name === 'cuda' ? 'not installed: npm run cuda (needs CUDA 12 and cuDNN 9)' : 'not available',
    })), { name: 'cpu', usable: true, note: 'always available' }];
    return {
      versions: runtimeVersions(this.store),
      dataDir: this.options.dataDir,
      device: this.device(),
      providers,
      provider: encoder?.provider ?? null,
      threads: { intraOp: this.options.threads ?? defaultThreads(), cores: (await import('node:os')).availableParallelism() },
      model: encoder ? { id: encoder.space.modelId, revision: encoder.space.revision, path: encoder.packDir } : null,
      modelError,
      packs: this.models.list(),
      ocr: await ocrModelInfo(),
    };
  }

  /**
   * A space with its item and vector counts. Counting scans the space's vectors (~20 ms at 100k), so queries use
   * the counts of the last index run instead of counting every time; runs and switches refresh them.
   */
  private spaceInfo(id: number): SpaceInfo {
    let info = this.spaceInfos.get(id);
    if (!info) {
      this.spaceInfos.clear();
      for (const s of this.store.spaces.list()) this.spaceInfos.set(s.id, s);
      info = this.spaceInfos.get(id);
      if (!info) throw new TroveError('INTERNAL', `space ${id} vanished`);
    }
    return info;
  }

  /** The embedding space of the current encoder. */
  private async space(): Promise<{ encoder: Encoder; space: SpaceInfo }> {
    const encoder = await this.encoder();
    const { modelId, revision, dimensions } = encoder.space;
    const row = this.store.spaces.ensure(modelId, revision, dimensions);
    const packs = this.store.settings.get<Record<string, string>>('spacePacks') ?? {};
    if (packs[String(row.id)] !== encoder.packDir) this.store.settings.set('spacePacks', { ...packs, [String(row.id)]: encoder.packDir });
    const space = this.spaceInfo(row.id);
    return { encoder, space };
  }

  // ---- roots -------------------------------------------------------------------------------------------------

  async addRoot(req: Operations['addRoot']['req']): Promise<Root> {
    const ignore = req.ignore ?? [];
    let path: string;
    try {
      path = realpathSync(resolve(req.path));
      if (!statSync(path).isDirectory()) throw new Error('not a folder');
    } catch {
      throw new TroveError('ROOT_NOT_FOUND', `${resolve(req.path)} is not a folder`);
    }
    // Trove's own library folder is not a folder of yours to index, nor one to hold it.
    let data: string | null = null;
    try {
      data = realpathSync(this.options.dataDir);
    } catch {
      // not made yet
    }
    if (data !== null && (data === path || isInside(path, data))) {
      throw new TroveError('INVALID_ARGUMENT', `${path} is Trove's own library folder (or inside it); pick one of your folders`);
    }
    // Looked up and added in one write transaction: two processes adding the same folder at once (two `trove index`
    // of a new folder) add it once, the second finding the first's.
    const { root, changed } = this.store.transaction(() => {
      const existing = this.store.roots.byPath(path);
      if (existing) {
        // A folder added again with rules: its rules grow by them (and OCR follows the request), never silently kept.
        const merged = [...new Set([...existing.ignore, ...ignore])];
        if (merged.length === existing.ignore.length && (req.ocr === undefined || req.ocr === existing.ocr)) return { root: existing, changed: false };
        this.store.roots.update(existing.id, { ignore: merged, ocr: req.ocr ?? existing.ocr });
        return { root: this.store.roots.get(existing.id)!, changed: true };
      }
      for (const other of this.store.roots.list()) {
        if (isInside(path, other.path) || isInside(other.path, path)) {
          throw new TroveError('ROOT_OVERLAPS', `${path} overlaps the watched folder ${other.path}; remove that one first or pick a folder beside it`);
        }
      }
      return { root: this.store.roots.add(path, ignore, Date.now(), req.ocr ?? true), changed: true };
    });
    if (changed) this.emit('rootsChanged', this.store.roots.list());
    return root;
  }

  /**
   * A root as scans and the watcher use it: when the library's own folder lies inside it (a --data-dir in a watched
   * folder), that folder is ignored too, so Trove never indexes its database, thumbnails or model packs.
   */
  private working(root: Root): Root {
    let data: string;
    try {
      data = realpathSync(this.options.dataDir);
    } catch {
      return root;
    }
    if (!isInside(data, root.path)) return root;
    const rel = relative(root.path, data).split(sep).join('/');
    return { ...root, ignore: [...root.ignore, `${rel}/**`] };
  }

  async updateRoot(req: Operations['updateRoot']['req']): Promise<Root> {
    const root = this.store.roots.get(req.id);
    if (!root) throw new TroveError('NOT_FOUND', `no watched folder with id ${String(req.id)}`);
    this.store.roots.update(root.id, { ignore: req.ignore ?? root.ignore, ocr: req.ocr ?? root.ocr });
    const updated = this.store.roots.get(root.id)!;
    this.emit('rootsChanged', this.store.roots.list());
    return updated;
  }

  async removeRoot(req: Operations['removeRoot']['req']): Promise<{ removedItems: number }> {
    const root = this.store.roots.get(req.id);
    if (!root) throw new TroveError('NOT_FOUND', `no watched folder with id ${String(req.id)}`);
    await this.indexing; // never pull a root from under a running index
    this.store.transaction(() => this.store.roots.remove(root.id));
    this.spaceInfos.clear();
    this.emit('rootsChanged', this.store.roots.list());
    // Its items are gone: the collections they were in are made again now, not at the next run. [Note: collections]
    this.indexing = this.indexing.then(() => this.followAlone()).catch((error: unknown) => log.warn('collections not updated', { error: String(error) }));
    return { removedItems: root.items };
  }

  async listRoots(): Promise<readonly Root[]> {
    return this.store.roots.list();
  }

  // ---- indexing ----------------------------------------------------------------------------------------------

  async indexNow(req: Operations['indexNow']['req'] = {}): Promise<IndexSummary> {
    const roots = this.store.roots.list();
    const wanted = req.rootIds ? roots.filter((r) => req.rootIds!.includes(r.id)) : roots;
    if (req.rootIds && wanted.length !== req.rootIds.length) throw new TroveError('NOT_FOUND', 'no watched folder with that id');
    return this.runIndex(wanted.map((root) => ({ root: this.working(root) })));
  }

  async pauseIndexing(): Promise<IndexProgress> {
    if (!this.pause) {
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      this.pause = { gate, release };
      this.progress.paused = true;
      this.emit('progress', this.progress.snapshot());
    }
    return this.progress.snapshot();
  }

  async resumeIndexing(): Promise<IndexProgress> {
    const pause = this.pause;
    this.pause = null;
    this.progress.paused = false;
    pause?.release();
    this.emit('progress', this.progress.snapshot());
    return this.progress.snapshot();
  }

  /** Held while indexing is paused; the indexer awaits it before each group and each OCR read. */
  private readonly gate = async (): Promise<void> => {
    while (this.pause) await this.pause.gate;
  };

  private newIndexer(encoder: Encoder, spaceId: number, progress: ProgressTracker, emitProgress: boolean): Indexer {
    return new Indexer(
      this.store,
      encoder,
      spaceId,
      progress,
      () => emitProgress && this.emit('progress', progress.snapshot()),
      (changed, removed) => this.emit('itemsChanged', { changed, removed }),
      this.ocr,
      () => this.transcriber(),
      this.options.dataDir,
    );
  }

  /**
   * Files that changed while a long run was going: indexed between its groups, so a photo dropped into a watched
   * folder is searchable in seconds even during a backfill of thousands. [Note: live-first]
   */
  private async drainLive(encoder: Encoder, spaceId: number): Promise<void> {
    while (this.live.size > 0) {
      const targets: IndexTarget[] = [];
      for (const [rootId, paths] of this.live) {
        const root = this.store.roots.get(rootId);
        if (root) targets.push({ root: this.working(root), only: [...paths] });
      }
      this.live.clear();
      await this.newIndexer(encoder, spaceId, new ProgressTracker(), false).run(targets, { gate: this.gate, ocr: false, transcribe: false });
    }
  }

  /** Runs index jobs one after another: a watcher's update never races a running index (see drainLive). */
  private runIndex(targets: readonly IndexTarget[]): Promise<IndexSummary> {
    const run = this.indexing.then(async () => {
      // Making the space writes to the library: on a full disk that waits too. [Note: disk-full]
      const { encoder, space } = await this.whenRoom(() => this.space());
      this.running = true;
      let summary: IndexSummary;
      let release: (() => void) | null = null;
      try {
        release = await this.takeIndexLock();
        if (release === null) return emptySummary(); // closing while another process indexed: nothing was started
        // A library indexed before item times existed gets them, without re-indexing (once; cheap when none is left).
        // [Note: item-times]
        if (!this.timesFilled) {
          const dated = await backfillTimes(this.store, { stopped: () => this.closing });
          if (!this.closing) this.timesFilled = true;
          if (dated.length) this.emit('itemsChanged', { changed: dated, removed: [] });
        }
        // The towns of photos whose position was never looked up (written before migration 10): every run, as the
        // partial index items_unplaced makes it free when none is left. [Note: places]
        {
          const placed = await backfillPlaces(this.store, { stopped: () => this.closing });
          if (placed.length) this.emit('itemsChanged', { changed: placed, removed: [] });
        }
        // A run the watcher started for live changes indexes them first, so its OCR and transcription steps see
        // them: a recording dropped into a watched folder is transcribed by this run, not the next one.
        if (targets.length === 0) await this.drainLive(encoder, space.id);
        const indexer = this.newIndexer(encoder, space.id, this.progress, true);
        // It also stops when the lock was taken over (this process stalled a long while): the other one goes on.
        summary = await indexer.run(targets, { gate: this.gate, between: () => this.drainLive(encoder, space.id), stopped: () => this.closing || this.lockLost });
        await this.drainLive(encoder, space.id);
        await this.follow(encoder, space.id);
      } finally {
        release?.();
        this.running = false;
        this.spaceInfos.clear(); // counts changed
      }
      // A new model's space takes over once every indexed item is in it; the old space and its pack's workers go.
      if (this.store.spaces.active()?.id !== space.id && this.store.spaces.missing(space.id) === 0) {
        this.store.spaces.activate(space.id);
        this.spaceInfos.clear();
        // Links and collections are read in the space that answers: made again in the new one (ids, edits and
        // verdicts stay; they belong to items, not vectors). [Note: collections]
        this.store.transaction(() =>
          this.store.db.exec(`INSERT INTO link_queue (item_id) SELECT id FROM items WHERE status = 'indexed' AND id NOT IN (SELECT item_id FROM link_queue);
                              INSERT INTO collection_dirty (at) SELECT DISTINCT taken_at FROM items WHERE status = 'indexed' AND taken_at IS NOT NULL
                                AND taken_at NOT IN (SELECT at FROM collection_dirty);`),
        );
        await this.follow(encoder, space.id);
        const others = [...this.otherEncoders.values()];
        this.otherEncoders.clear();
        for (const e of others) await (await e.catch(() => null))?.close();
      }
      return summary;
    });
    this.indexing = run.catch(() => undefined);
    return run;
  }

  /** The work after embedding on its own (after a folder was removed), with the encoder if it is loaded. */
  private async followAlone(): Promise<void> {
    const space = this.store.spaces.active();
    if (!space || this.closing || this.collections.pending() === 0) return;
    const encoder = this.encoderPromise ? await this.encoderPromise.catch(() => null) : null;
    await this.follow(encoder, space.id);
  }

  /**
   * The work that follows embedding, from the persistent queue: links, then collections. [Note: collections]
   * It runs in the active space (the one that answers), so links and collections speak of what search finds.
   */
  private async follow(encoder: Encoder | null, spaceId: number): Promise<void> {
    const active = this.store.spaces.active()?.id ?? spaceId;
    if (this.collections.pending() === 0) return;
    this.progress.start('linking', this.collections.pending());
    this.emit('progress', this.progress.snapshot());
    let reported = 0;
    await this.collections.follow(active === spaceId ? encoder : null, active, {
      write: (fn) => untilRoom(fn, this.options.dataDir, this.sayWaiting, () => this.closing),
      stopped: () => this.closing || this.lockLost,
      progress: (done, total) => {
        this.progress.addTotal(total - this.progress.snapshot().total);
        for (; reported < done; reported++) this.progress.finished(true);
        this.emit('progress', this.progress.snapshot());
      },
      collectionsChanged: (changed, removed) => this.emit('collectionsChanged', { changed, removed }),
    });
    this.progress.idle();
    this.emit('progress', this.progress.snapshot());
  }

  /**
   * [Note: index-lock] One process indexes a library at a time: two `trove index` runs (or the app and a command)
   * would otherwise both read and embed every file. The lock is a row in the library's own database, taken in a
   * write transaction, with the holder's pid and a heartbeat; a second process waits for it (progress `waiting` says
   * so), then runs and finds the work done. A holder that died (its pid gone, or no heartbeat for a minute) is taken
   * over. Returns the release.
   */
  private async takeIndexLock(): Promise<(() => void) | null> {
    const me = { pid: process.pid, host: hostname(), token: this.lockToken };
    let announced = false;
    for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
      if (this.closing) return null;
      // Taking the lock is a write: on a full disk it waits like any other. [Note: disk-full]
      const holder = await untilRoom(() => this.store.indexLock.tryTake(me, (h) => lockAlive(h)), this.options.dataDir, this.sayWaiting, () => this.closing).catch(
        (error: unknown) => {
          if (this.closing) return 'closing' as const;
          throw error;
        },
      );
      if (holder === 'closing') return null;
      if (holder === null) break;
      if (!announced) {
        announced = true;
        this.sayWaiting(`another Trove process (pid ${holder.pid}) is indexing this library; this one goes on when it is done`);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    if (announced || this.progress.waiting) this.sayWaiting(null);
    this.lockLost = false;
    const beat = setInterval(() => {
      try {
        // Taken over means this process stalled long enough to look dead: its run stops at the next group.
        if (!this.store.indexLock.beat(me.token)) {
          this.lockLost = true;
          log.warn('another Trove process took over indexing this library; this one stops after the files in hand');
        }
      } catch {
        // a full disk: the next beat tries again (on this computer a live pid keeps the lock anyway)
      }
    }, LOCK_BEAT_MS);
    beat.unref();
    return () => {
      clearInterval(beat);
      try {
        this.store.indexLock.release(me.token);
      } catch {
        // closed or full: a lock left behind is taken over once its process is gone
      }
    };
  }

  /** An async step that writes, tried again while the disk is full (like untilRoom for synchronous writes). */
  private async whenRoom<T>(step: () => Promise<T>): Promise<T> {
    for (let delay = 250; ; delay = Math.min(5000, delay * 2)) {
      try {
        const result = await step();
        if (delay > 250) this.sayWaiting(null);
        return result;
      } catch (error) {
        if (!isDiskFull(error, this.options.dataDir) || this.closing) throw error;
        this.sayWaiting(diskFullMessage(this.options.dataDir, freeBytesSync(this.options.dataDir)));
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Says why indexing waits (null: it no longer does), in progress and the log. */
  private readonly sayWaiting = (message: string | null): void => {
    if (this.progress.waiting === message) return;
    this.progress.waiting = message;
    this.emit('progress', this.progress.snapshot());
    if (message) log.info(message);
  };

  /** Why queued files wait, for a person; null when nothing waits. */
  private queueReason(queued: number): string | null {
    if (queued === 0) return null;
    if (this.progress.waiting) return this.progress.waiting;
    if (this.running) return this.pause ? 'indexing is paused' : 'being indexed now';
    const holder = this.store.indexLock.holder();
    if (holder && holder.token !== this.lockToken && lockAlive(holder)) {
      // That process's own progress is not visible here; a full disk is (it waits for room). [Note: disk-full]
      const free = freeBytesSync(this.options.dataDir);
      const full = free !== null && free < 1024 * 1024 ? `, and waits for room: ${diskFullMessage(this.options.dataDir, free, 'it goes on by itself')}` : '';
      return `another Trove process (pid ${holder.pid}) is indexing this library${full}`;
    }
    return 'waiting for the next index run (trove index, or when Trove starts)';
  }

  /** Keeps the roots live: changes on disk are indexed as they happen. [Note: watcher] */
  watch(options: { onError?: (error: Error) => void; pollMs?: number; maxWatches?: number } = {}): WatchHandle {
    const run = (targets: IndexTarget[]) => this.runIndex(targets).catch((e: unknown) => options.onError?.(e as Error));
    const handle = watchRoots(this.store.roots.list().map((r) => this.working(r)), {
      onChanges: (root, relPaths) => {
        const paths = this.live.get(root.id) ?? new Set<string>();
        for (const p of relPaths) paths.add(p);
        this.live.set(root.id, paths);
        // Written down at once, so a crash before they are indexed still has them first in line. [Note: queue]
        this.store.queue.add(root.id, relPaths, PRIORITY.live);
        if (!this.running) void run([]); // a running index picks them up between its groups
      },
      onRescan: (root) => {
        const current = this.store.roots.get(root.id);
        if (current) void run([{ root: this.working(current) }]);
      },
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      ...(options.maxWatches !== undefined ? { maxWatches: options.maxWatches } : {}),
    });
    this.watching = handle;
    return handle;
  }

  /** How many recordings wait for a transcript, and why when no speech pack is there. */
  private transcriptionStatus(): Pick<IndexStatus, 'transcriptionPending' | 'transcriptionBlocked'> {
    const blocked = this.speechBlocked();
    const loaded = this.options.transcriber?.id ?? (this.speech ? this.speechId : null);
    const pending = this.store.transcripts.countNeeding(blocked === null ? loaded : null);
    return { transcriptionPending: pending, transcriptionBlocked: pending > 0 ? blocked : null };
  }

  async status(): Promise<IndexStatus> {
    const model = this.store.settings.get<StoredModel>('model') ?? null;
    return {
      progress: this.progress.snapshot(),
      pendingChanges: [...this.live.values()].reduce((n, paths) => n + paths.size, 0),
      ocrPending: this.ocr ? this.store.items.countNeedingOcr() : 0,
      ...this.transcriptionStatus(),
      queued: this.store.queue.count(),
      queuedWhy: this.queueReason(this.store.queue.count()),
      skipped: this.store.skipped.count(),
      linking: this.collections.pending(),
      collections: this.collections.repo.list(true, 1, 0).total,
      roots: this.store.roots.list().map((r) => ({ ...r, watch: this.watching?.modes().get(r.id) ?? 'off' })),
      counts: this.store.items.countsByKind(),
      errors: this.store.items.errorCount(),
      spaces: this.store.spaces.list(),
      model,
      nearest: await this.nearest(),
    };
  }

  /** The approximate index of the active space, as the search reader has it (only if the reader is running). */
  private async nearest(): Promise<IndexStatus['nearest']> {
    const active = this.store.spaces.active();
    const progress = active && this.searchReader ? await this.searchReader.annProgress(active.id).catch(() => null) : null;
    return progress ?? { state: 'exact', done: 0, total: 0 };
  }

  /** Files that could not be indexed, with their reasons. */
  errors(limit = 1000): ItemDetail[] {
    return this.store.items.errors(limit).map((row) => toDetail(row, []));
  }

  async listErrors(req: Operations['listErrors']['req'] = {}): Promise<readonly ItemSummary[]> {
    return this.store.items.errors(req.limit ?? MAX_LIMIT).map(toSummary);
  }

  /** Paths inside watched folders that Trove did not follow, with the reason. [Note: symlinks] */
  async listSkipped(req: Operations['listSkipped']['req'] = {}): Promise<readonly SkippedPath[]> {
    const roots = new Map(this.store.roots.list().map((r) => [r.id, r.path]));
    return this.store.skipped.list(req.limit ?? MAX_LIMIT).map((s) => ({
      rootId: s.rootId,
      path: absolutePath(roots.get(s.rootId) ?? '', s.relPath),
      relPath: s.relPath,
      reason: s.reason,
    }));
  }

  // ---- queries -----------------------------------------------------------------------------------------------

  /** The search reader: a worker with a read-only connection of its own, started on the first query. [Note: search-reader] */
  private reader(): SearchReader {
    this.searchReader ??= new SearchReader(this.paths.database, this.options.annBuild ?? true);
    return this.searchReader;
  }

  async search(req: SearchRequest): Promise<SearchResponse> {
    // A library with nothing indexed yet has nothing to compare with: say so, without loading (or downloading) a model.
    if (!this.store.spaces.active()) return nothingIndexed(req);
    const { encoder, space } = await this.answering();
    await this.referenceTexts(space.id, encoder);
    const image = req.image ? await this.imageQuery(req.image, space.id, encoder) : null;
    return search(this.reader(), encoder, space, req, image);
  }

  /** Spaces whose reference texts (the vocabulary) are embedded, for judging closeness. [Note: relevance] */
  private readonly referenced = new Map<number, Promise<unknown>>();

  private referenceTexts(spaceId: number, encoder: Encoder): Promise<unknown> {
    let done = this.referenced.get(spaceId);
    if (!done) {
      done = vocabulary(this.store, spaceId, encoder).catch((error: unknown) => {
        this.referenced.delete(spaceId); // asked again by the next search
        log.warn('reference texts could not be embedded; closeness falls back to the best score', { error: (error as Error).message });
      });
      this.referenced.set(spaceId, done);
    }
    return done;
  }

  /**
   * The vector of a photo to search by: an indexed photo's own, or an image file on this computer embedded now
   * (read by the same code that indexes photos; nothing is stored).
   */
  private async imageQuery(ref: NonNullable<SearchRequest['image']>, spaceId: number, encoder: Encoder): Promise<ImageQuery> {
    // A photo not in the library, read as indexing reads photos; an unreadable one is the request's fault.
    const embed = async (input: Buffer | string, name: string): Promise<ImageQuery> => {
      try {
        const [v] = await encoder.embedImages([await encoder.prepareImage(input, name)]);
        return { vector: v!, itemId: null };
      } catch (error) {
        if (error instanceof TroveError && error.code !== 'INTERNAL') throw error;
        throw new TroveError('INVALID_ARGUMENT', `${name} could not be read as a photo: ${(error as Error).message}`);
      }
    };
    if ('bytes' in ref) return embed(Buffer.from(ref.bytes), 'the photo to search by');
    let row: ItemRow | null = null;
    try {
      row = this.findItem(ref);
    } catch (error) {
      if ('id' in ref || !(error instanceof TroveError) || error.code !== 'NOT_FOUND') throw error;
    }
    if (row) {
      const seg = row.kind === 'photo' ? this.store.segments.imageSegment(row.id) : undefined;
      const v = seg === undefined ? undefined : this.store.spaces.vectors(spaceId, [seg]).get(seg);
      if (!v) throw new TroveError('INVALID_ARGUMENT', `${row.rel_path} is not an indexed photo: search by a photo`);
      return { vector: v, itemId: row.id };
    }
    const path = resolve((ref as { path: string }).path);
    let st;
    try {
      st = statSync(path);
    } catch {
      throw new TroveError('NOT_FOUND', `no photo at ${path}`);
    }
    if (!st.isFile()) throw new TroveError('INVALID_ARGUMENT', `${path} is not a file: search by a photo`);
    return embed(path, basename(path));
  }

  async related(req: RelatedRequest): Promise<RelatedResponse> {
    const started = performance.now();
    const limit = req.limit ?? DEFAULT_LIMIT;
    const item = this.findItem(req);
    if (item.status !== 'indexed') throw new TroveError('NOT_FOUND', `${item.rel_path} is not indexed${item.error ? ` (${item.error})` : ''}`);
    const { space } = await this.answering();
    const hits = await this.reader().related(space.id, item.id, req.kinds, limit);
    return { item: toSummary(item), hits, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async getItem(req: ItemRef): Promise<ItemDetail> {
    const row = this.findItem(req);
    const spaceId = this.store.spaces.active()?.id ?? -1;
    const segments = this.store.segments.forItem(row.id, spaceId).map(({ itemId: _itemId, ...s }) => s);
    return toDetail(row, segments);
  }

  /** Photos with a position in cells of `cell` degrees, for the Places map. [Note: places] */
  async placesMap(req: Operations['placesMap']['req']): Promise<PlacesMap> {
    return inTurn(() => placeClusters(this.store.db, req.cell), 'query');
  }

  /** Near-identical photos in groups, the one to keep first. [Note: duplicates] */
  async duplicates(req: Operations['duplicates']['req']): Promise<DuplicatesResponse> {
    const started = performance.now();
    const spaceId = this.store.spaces.active()?.id;
    if (spaceId === undefined) return { groups: [], total: 0, photos: 0, tookMs: 0 };
    const roots = new Map(this.store.roots.list().map((r) => [r.id, r]));
    const found = await findDuplicates(this.store, spaceId, {
      ...(req.limit !== undefined ? { limit: req.limit } : {}),
      // Photos indexed before hashes were kept: from their small thumbnail (made once, kept for the UI anyway).
      hashOf: async (row) => {
        const root = roots.get(row.root_id);
        if (!root?.present || !row.hash) return null;
        try {
          return await perceptualHashOf(await thumbnailFile(this.paths.thumbnails, await this.confined(root.path, row.rel_path), row.hash, 'small'));
        } catch {
          return null;
        }
      },
    });
    return { ...found, tookMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  async timeline(req: Operations['timeline']['req']): Promise<TimelinePage> {
    const kinds = combineKinds(req.kinds, parseQuery(req.query ?? '').kinds);
    if (kinds !== null && kinds.length === 0) return { items: [], next: null, months: req.cursor === undefined ? [] : null, total: 0 };
    return inTurn(() => timelinePage(this.store, req, kinds, this.activeSpace()), 'query');
  }

  /** The space links and collections are read in: the active one (-1 before anything is indexed). */
  private activeSpace(): number {
    return this.store.spaces.active()?.id ?? -1;
  }

  async links(req: Operations['links']['req']): Promise<readonly LinkedItem[]> {
    const item = this.findItem(req);
    return inTurn(() => this.collections.linked(item as TimedRow, this.activeSpace(), req.limit ?? DEFAULT_LIMIT), 'query');
  }

  async setLinkVerdict(req: Operations['setLinkVerdict']['req']): Promise<LinkedItem | null> {
    const a = this.findItem({ id: req.a });
    const b = this.findItem({ id: req.b });
    const result = this.collections.setVerdict(a, b, req.verdict, this.activeSpace());
    this.emit('itemsChanged', { changed: [a.id, b.id], removed: [] });
    return result;
  }

  async listCollections(req: Operations['listCollections']['req']): Promise<{ collections: readonly CollectionSummary[]; total: number }> {
    return inTurn(() => this.collections.list(req), 'query');
  }

  async getCollection(req: Operations['getCollection']['req']): Promise<CollectionDetail> {
    return inTurn(() => this.collections.get(req.id, this.activeSpace()), 'query');
  }

  async collectionsOf(req: Operations['collectionsOf']['req']): Promise<readonly CollectionSummary[]> {
    const item = this.findItem(req);
    return this.collections.of(item.id);
  }

  async updateCollection(req: Operations['updateCollection']['req']): Promise<CollectionSummary> {
    const result = this.collections.update(req, this.activeSpace());
    this.emit('collectionsChanged', { changed: [req.id], removed: [] });
    return result;
  }

  async mergeCollections(req: Operations['mergeCollections']['req']): Promise<CollectionDetail> {
    const result = this.collections.merge(req.ids, this.activeSpace());
    this.emit('collectionsChanged', { changed: [result.id], removed: req.ids.filter((id) => id !== result.id) });
    return result;
  }

  async splitCollection(req: Operations['splitCollection']['req']): Promise<readonly CollectionDetail[]> {
    const result = this.collections.split(req.id, req.at, this.activeSpace());
    this.emit('collectionsChanged', { changed: result.map((c) => c.id), removed: [] });
    return result;
  }

  async removeFromCollection(req: Operations['removeFromCollection']['req']): Promise<CollectionDetail> {
    try {
      const result = this.collections.removeItems(req.id, req.itemIds, this.activeSpace());
      this.emit('collectionsChanged', { changed: [req.id], removed: [] });
      return result;
    } catch (error) {
      if (this.collections.repo.get(req.id)?.state === 'removed') this.emit('collectionsChanged', { changed: [], removed: [req.id] });
      throw error;
    }
  }

  async deleteCollection(req: Operations['deleteCollection']['req']): Promise<{ removed: boolean }> {
    const removed = this.collections.delete(req.id);
    if (removed) this.emit('collectionsChanged', { changed: [], removed: [req.id] });
    return { removed };
  }

  async thumbnail(req: Operations['thumbnail']['req']): Promise<Thumbnail> {
    const row = this.findItem(req);
    if (row.kind !== 'photo' || row.status !== 'indexed' || !row.hash) {
      throw new TroveError('NOT_FOUND', `${row.rel_path} has no thumbnail`);
    }
    const root = this.store.roots.get(row.root_id);
    if (!root) throw new TroveError('NOT_FOUND', `${row.rel_path} is not available`);
    return thumbnail(this.paths.thumbnails, await this.confined(root.path, row.rel_path), row.hash, req.size);
  }

  /**
   * The file behind a media URL (src/shared/media.ts) — a photo's cached thumbnail, or the original file — for the
   * Electron protocol and the browser-mode server. Only items that are indexed and whose folder is present and
   * watched are served, and the real path must still lie inside that folder (a symlink swapped in after indexing
   * cannot lead elsewhere). [Note: media]
   */
  async mediaFile(id: number, variant: MediaVariant): Promise<{ readonly file: string; readonly mime: string }> {
    if (!isMediaVariant(variant)) throw new TroveError('INVALID_ARGUMENT', 'variant must be small, large or original');
    const row = this.findItem({ id });
    const root = this.store.roots.list().find((r) => r.id === row.root_id);
    if (!root || !root.present || row.status !== 'indexed' || !row.hash) {
      throw new TroveError('NOT_FOUND', `${row.rel_path} is not available`);
    }
    const real = await this.confined(root.path, row.rel_path);
    if (variant === 'original') return { file: real, mime: originalType(real) };
    if (row.kind !== 'photo') throw new TroveError('NOT_FOUND', `${row.rel_path} has no thumbnail`);
    return { file: await thumbnailFile(this.paths.thumbnails, real, row.hash, variant), mime: 'image/webp' };
  }

  /** The real path of an item's file as the link rule allows it now, or NOT_FOUND / FORBIDDEN. [Note: symlinks] */
  private async confined(rootPath: string, relPath: string): Promise<string> {
    try {
      return await confinedPath(rootPath, relPath);
    } catch (error) {
      if (error instanceof ConfinedError) {
        throw new TroveError(error.gone ? 'NOT_FOUND' : 'FORBIDDEN', error.gone ? `${relPath} is no longer on disk` : `${relPath}: ${error.message}`);
      }
      throw error;
    }
  }

  /** An item by id or by absolute path (inside a watched root). */
  findItem(ref: ItemRef): ItemRow {
    if ('id' in ref) {
      const row = this.store.items.get(ref.id);
      if (!row) throw new TroveError('NOT_FOUND', `no item with id ${ref.id}`);
      return row;
    }
    // The folders on the way are resolved (a root reached through a link, /tmp on macOS), the file's own name is
    // not: an item is named by its path in its folder, and a link there is an item of its own, never its target's.
    let abs = resolve(ref.path);
    try {
      abs = join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      // a deleted file may still be asked about by its old path
    }
    const root = this.store.roots
      .list()
      .filter((r) => abs === r.path || isInside(abs, r.path))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (!root) throw new TroveError('NOT_FOUND', `${abs} is not inside a watched folder`);
    const rel = relative(root.path, abs).split(sep).join('/');
    const row = this.store.items.byPath(root.id, rel);
    if (!row) throw new TroveError('NOT_FOUND', `${abs} is not indexed`);
    return row;
  }

  /** Stops indexing after the work in hand (nothing is lost or counted as a crash), then closes. Safe to call twice. */
  close(): Promise<void> {
    // Started a microtask later: a listener of the events the shutdown emits may call close() again meanwhile.
    this.closed ??= Promise.resolve().then(() => this.shutDown());
    return this.closed;
  }

  private closed: Promise<void> | null = null;

  private async shutDown(): Promise<void> {
    this.closing = true; // a run stops before its next group, a transcription at its next window; both keep their place
    await this.resumeIndexing(); // a paused run must finish, not hang the close
    await this.watching?.close();
    await this.indexing;
    const encoders = [this.encoderPromise, ...this.otherEncoders.values()];
    for (const e of encoders) await (await e?.catch(() => null))?.close();
    await this.ocr?.close();
    await this.searchReader?.close();
    await this.dropSpeech();
    await this.options.transcriber?.close();
    this.store.close();
  }
}

/**
 * The library's folder, made private to this user: it holds the text of every note and every photo's OCR.
 * Created 0700; an existing one that others can read is closed to them (only when this user owns it).
 * [Note: private-data]
 */
function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const st = statSync(dir);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
  } catch {
    // not ours to change: the database file itself is still made 0600
  }
}

/**
 * Whether a process that holds the index lock is still there. [Note: index-lock] On this computer: its pid is alive
 * and it beat within LOCK_STALE_SAME_HOST_MS (a holder waiting out a full disk cannot beat; a pid reused by another
 * program after a crash stops counting after that long). Elsewhere (a library on a shared disk): its heartbeat.
 */
function lockAlive(h: LockHolder, now = Date.now()): boolean {
  if (h.host !== hostname()) return now - h.beat <= LOCK_STALE_MS;
  if (now - h.beat > LOCK_STALE_SAME_HOST_MS) return false;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // there, but someone else's
  }
}
