// The indexer: scan → change detection → extract → embed → write. [Note: indexing]
// Change detection is cheap first: a file whose size and mtime are unchanged, and which is embedded in the
// current space at its current hash, is not even read. Otherwise it is read once; the bytes give the content hash
// and feed the extractor. A file whose hash is unchanged only has its size/mtime refreshed. Files are handled in
// groups: while one group is embedded, the next is read and decoded (sharp runs on libuv's threads), and each
// group is written in one transaction together with its vectors, so a crash never leaves an item marked indexed
// without its vectors. A file that cannot be read, decoded or parsed becomes an item with an error and a reason
// [Note: bad-input]; the others are unaffected.
// The persistent job queue of the ingest issue replaces the in-memory list of work here; the steps stay.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { IndexSummary, ItemKind, Root } from '../../../shared/types.js';
import { untilRoom } from '../disk.js';
import { createLogger, SLOW_FILE_MS } from '../log.js';
import type { Encoder, PreparedImage } from '../models/encoder.js';
import type { Transcriber } from '../models/speech.js';
import type { Store } from '../store/index.js';
import { absolutePath, type ItemFacts, type KnownFile } from '../store/items.js';
import { MAX_ATTEMPTS, PRIORITY, type QueuedFile } from '../store/queue.js';
import { isShared, type NewSegment } from '../store/segments.js';
import { AudioError, extractAudio, speechAudio } from './audio.js';
import { transcribeStream, transcriptSegments, type TranscriptProgress } from './audio-windows.js';
import { chunkPlainText } from './chunk.js';
import { ConfinedError, confinedPath, openConfined } from './confine.js';
import { IgnoreRules } from './ignore.js';
import { extractNoteFile } from './note.js';
import { ocrText, type OcrFound, type OcrRunner } from './ocr.js';
import { extractPhoto } from './photo.js';
import { chooseTime, followsName, settleTime } from './when.js';
import type { ProgressTracker } from './progress.js';
import { scanPaths, scanRoot, type ScannedFile } from './scan.js';
import { releaseMemory } from '../memory.js';

const log = createLogger('ingest/indexer');

const GROUP_SIZE = 16; // files read and decoded ahead of the encoder
/**
 * A group also stops growing at this many bytes of prepared work (see `weight`), so what two groups hold in memory at
 * once (one embedded, the next read ahead) stays bounded whatever the files: a heavier file is a group of its own.
 * Reading is bounded apart (`readCost`, READ_BUDGET). [Note: bounded-chunking]
 */
const GROUP_BYTES = 32 * 1024 * 1024;
const IMAGE_BATCH = 16;
const TEXT_BATCH = 32;
/**
 * Photos the OCR step reads before embedding their texts. Between batches the encoder's worker and the OCR worker
 * each start again (~0.5–1 s with real models): 32 photos of ~0.3–1 s each keep that a few percent. [Note: ocr-memory]
 */
const OCR_BATCH = 32;
/**
 * What the crops of photos found and not yet read may hold in the OCR worker before they are read [Note: ocr-phases]:
 * a photo's crops are at most its page (~3.7 MB at 960 × 960), most a few hundred KB, so a batch is usually found
 * whole, and a batch of document pages is read every few pages (each switch of model ~0.1 s).
 */
const OCR_HELD_BYTES = 24 * 1024 * 1024;
/** A run longer than this gives its freed memory back when it ends. [Note: release-memory] */
const RELEASE_AFTER_MS = 5000;
/**
 * A note larger than this is not indexed (its reason says so). 8 MB of text is about 30,000 chunks for CLIP, and
 * while it is written its vectors alone hold ~60 MB (512 dimensions) to ~90 MB (SigLIP's 768); past that a text
 * file is a log or a data dump more than a note. Everything below it is indexed whole, in memory linear in its size:
 * measured on the build machine with the fixture pack, a 15 MB one-line file held ~120 MB over the process's
 * baseline (~8× its size), so the limit keeps one note under ~130 MB with CLIP's vectors. [Note: bounded-chunking]
 */
export const MAX_NOTE_BYTES = 8 * 1024 * 1024;
const MAX_PDF_BYTES = 256 * 1024 * 1024;
const MAX_PHOTO_BYTES = 1024 * 1024 * 1024;
const MAX_AUDIO_BYTES = 4 * 1024 * 1024 * 1024; // read in pieces, never whole: the limit of a WAV's 32-bit sizes

interface Candidate {
  readonly rootId: number;
  readonly rootPath: string;
  readonly file: ScannedFile;
  readonly known: KnownFile | undefined;
}

type Prepared =
  | { readonly type: 'touch'; readonly c: Candidate; readonly id: number; readonly size: number }
  | { readonly type: 'move'; readonly c: Candidate; readonly from: KnownFile; readonly size: number }
  | { readonly type: 'failed'; readonly c: Candidate; readonly hash: string | null; readonly reason: string }
  | { readonly type: 'gone'; readonly c: Candidate } // deleted between the scan and the read
  | { readonly type: 'skip'; readonly c: Candidate; readonly reason: string } // refused by the link rule at read time
  | {
      readonly type: 'item';
      readonly c: Candidate;
      readonly size: number;
      readonly hash: string;
      readonly facts: ItemFacts;
      readonly segments: NewSegment[];
      readonly image: PreparedImage | null;
    };

export interface RunHooks {
  readonly between?: () => Promise<void>;
  readonly gate?: () => Promise<void>;
  readonly ocr?: boolean;
  readonly transcribe?: boolean;
  readonly stopped?: () => boolean;
}

/** The reason given to a file the process died on twice. [Note: crash-retry] */
export const CRASHED =
  'Trove stopped while reading this file, twice (it may be damaged, or too large to read); it is skipped until it changes';

export interface IndexTarget {
  readonly root: Root;
  /** Only these paths (relative, '/'-separated) — for the watcher; absent: the whole root. */
  readonly only?: readonly string[];
}

export function emptySummary(): { -readonly [K in keyof IndexSummary]: IndexSummary[K] } & { embedded: { images: number; texts: number } } {
  return { scanned: 0, added: 0, changed: 0, reembedded: 0, moved: 0, unchanged: 0, removed: 0, failed: 0, ocr: 0, transcribed: 0, embedded: { images: 0, texts: 0 }, seconds: 0 };
}

/** Why a file failed, in a line a person can act on. */
export function describeFailure(error: unknown, kind: ItemKind): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'the file disappeared before it could be read';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied: Trove cannot read this file';
  if (e?.code === 'EISDIR') return 'a folder, not a file';
  const message = (e?.message ?? String(error)).split('\n')[0] ?? 'unknown error';
  if (kind === 'photo') {
    if (/pixel limit/i.test(message)) return 'the image is too large to decode (it claims more pixels than Trove allows)';
    if (/too large to index/.test(message) || /not valid UTF-8/.test(message)) return message;
    // Anything else that stops a photo is its decoding; libvips' own words are kept for the curious.
    return `the image cannot be decoded (damaged, truncated or not really an image)${/unknown error/i.test(message) ? '' : `: ${message}`}`;
  }
  if (kind === 'audio' && !(error instanceof AudioError) && !/too large to index|not valid UTF-8/.test(message)) {
    return `the recording cannot be read: ${message}`;
  }
  return message;
}

/** A file's sha256 and size, read in pieces (recordings can be gigabytes; they are never read whole). */
async function hashFile(handle: FileHandle): Promise<{ hash: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20, autoClose: false, start: 0 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: h.digest('hex'), size };
}

/** Why a file is not indexed for its size, in words a person can act on. */
function tooLarge(kind: ItemKind, relPath: string, size: number, limit: number): string {
  const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
  if (kind === 'note' && !relPath.toLowerCase().endsWith('.pdf')) {
    return `the text file is too large to index as a note (${mb(size)}; Trove reads notes up to ${mb(limit)}: a log or a data dump rather than a note?)`;
  }
  return `the file is too large to index (${mb(size)}; Trove reads files like it up to ${mb(limit)})`;
}

/**
 * What a file's prepared work holds in memory until its group is written, in bytes [Note: bounded-chunking]: a photo
 * its tensor and facts (~1 MB, whatever the file); a note ~10× its size (text, chunks, vectors: measured, see
 * MAX_NOTE_BYTES); a PDF its size (its text is smaller than the file); a recording nothing much (its transcript comes
 * later). Groups are cut by it, and a group is read ahead only if both fit twice GROUP_BYTES.
 */
function weight(c: Candidate): number {
  if (c.file.kind === 'audio') return 0;
  if (c.file.kind === 'photo') return 1024 * 1024;
  return c.file.relPath.toLowerCase().endsWith('.pdf') ? c.file.size : 10 * c.file.size;
}

/**
 * What reading and extracting a file costs while it happens: photos and notes are read whole (and a photo decoded),
 * a PDF's bytes go to its worker once more; a recording is streamed. The files of a group are prepared at once only
 * while these add up to READ_BUDGET, so sixteen 50 MB RAW files are read a few at a time, not all together.
 */
function readCost(c: Candidate): number {
  if (c.file.kind === 'audio') return 1024 * 1024;
  if (c.file.kind === 'photo') return c.file.size;
  return c.file.relPath.toLowerCase().endsWith('.pdf') ? 2 * c.file.size : 10 * c.file.size;
}

/** Bytes that files being read and extracted may hold at once (one file alone may hold more). */
const READ_BUDGET = 64 * 1024 * 1024;

/** Runs `work` over items, as many at once as their costs allow within `budget` (always at least one). */
export async function withinBudget<T, R>(items: readonly T[], cost: (t: T) => number, budget: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let inFlight = 0;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const pump = () => {
      while (next < items.length) {
        const c = cost(items[next]!);
        if (running > 0 && inFlight + c > budget) break;
        const i = next++;
        inFlight += c;
        running++;
        work(items[i]!).then(
          (r) => {
            results[i] = r;
            inFlight -= c;
            running--;
            if (next >= items.length && running === 0) resolve();
            else pump();
          },
          reject,
        );
      }
      if (items.length === 0) resolve();
    };
    pump();
  });
  return results;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Groups in queue order: at most GROUP_SIZE files weighing at most GROUP_BYTES (one heavier file alone). */
export function groupWork<T>(items: readonly T[], bytes: (t: T) => number, solo: (t: T) => boolean = () => false): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  let curBytes = 0;
  for (const t of items) {
    const b = bytes(t);
    if (solo(t)) {
      if (cur.length) groups.push(cur);
      groups.push([t]);
      cur = [];
      curBytes = 0;
      continue;
    }
    if (cur.length && (cur.length >= GROUP_SIZE || curBytes + b > GROUP_BYTES)) {
      groups.push(cur);
      cur = [];
      curBytes = 0;
    }
    cur.push(t);
    curBytes += b;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

export class Indexer {
  constructor(
    private readonly store: Store,
    private readonly encoder: Encoder,
    private readonly spaceId: number,
    private readonly progress: ProgressTracker,
    private readonly onProgress: () => void,
    private readonly onItemsChanged: (changed: number[], removed: number[]) => void,
    private readonly ocr: OcrRunner | null = null,
    /** The transcriber, loaded when a recording waits for one; null when there is no speech pack. */
    private readonly speech: (() => Promise<Transcriber | null>) | null = null,
    /** The library's folder, named when its disk is full. */
    private readonly dataDir = '',
  ) {}

  /**
   * Runs a write transaction; when the disk is full, says so (progress `waiting`) and tries again every few seconds
   * until it goes through, or the engine stops. The transaction is rolled back whole, so nothing is lost, and the
   * work it writes is still in memory. [Note: disk-full]
   */
  private async write<T>(fn: () => T, stopped?: () => boolean): Promise<T> {
    return untilRoom(() => this.store.transaction(fn), this.dataDir, (message) => {
      if (this.progress.waiting === message) return;
      this.progress.waiting = message;
      this.onProgress();
      if (message) log.warn(message);
      else log.info('the disk has room again; indexing goes on');
    }, stopped);
  }

  /** Items whose files were not found this run, by id; a new file with the same content claims one (a move). */
  private readonly gone = new Map<number, KnownFile>();

  private claimMoved(kind: ItemKind, hash: string): KnownFile | undefined {
    for (const k of this.gone.values()) {
      if (k.hash === hash && k.status === 'indexed' && k.embeddedHash === hash && k.kind === kind) {
        this.gone.delete(k.id);
        return k;
      }
    }
    return undefined;
  }

  private fits = (text: string): boolean => this.encoder.countTokens(text) <= this.encoder.contextLength;

  /**
   * `between` runs between groups (the engine indexes files that changed live there, ahead of a long backfill);
   * `gate` is awaited before each group, each OCR read and each window of speech (it holds while indexing is
   * paused); `ocr: false` and `transcribe: false` skip those steps (a run squeezed in between groups leaves them to
   * the run it interrupted); `stopped` says the engine is closing (a transcription stops at its next window, its
   * checkpoint kept).
   */
  async run(
    targets: readonly IndexTarget[],
    hooks: RunHooks = {},
  ): Promise<IndexSummary> {
    const started = performance.now();
    const runStarted = Date.now();
    const summary = emptySummary();
    const stats0 = { ...this.encoder.stats };
    this.progress.start('scanning', 0);
    this.onProgress();

    const todo: Candidate[] = [];
    const queued: QueuedFile[] = [];
    const fullRoots: number[] = [];
    for (const target of targets) {
      const { root } = target;
      if (!existsSync(root.path) || !statSync(root.path).isDirectory()) {
        // An unplugged disk or a moved folder: keep its items, say so, and wait for it to come back.
        log.warn(`root is missing, its items are kept`, { root: root.path });
        await this.write(() => this.store.roots.setPresent(root.id, false), hooks.stopped);
        continue;
      }
      if (!root.present) await this.write(() => this.store.roots.setPresent(root.id, true), hooks.stopped);
      const rules = new IgnoreRules(root.ignore);
      const { files: scanned, skipped } = target.only
        ? await scanPaths(root.path, target.only, rules)
        : await scanRoot(root.path, rules, (rel, error) => log.warn(`cannot read ${rel}`, { error: error.message }));
      summary.scanned += scanned.length;
      const known = new Map(this.store.items.known(root.id, this.spaceId).map((k) => [k.relPath, k]));
      const only = target.only;
      const considered = only ? (rel: string) => only.some((p) => rel === p || rel.startsWith(`${p}/`)) : () => true;
      const firstOfRoot = todo.length;
      for (const file of scanned) {
        const k = known.get(file.relPath);
        known.delete(file.relPath);
        const same = k !== undefined && k.size === file.size && k.mtime === file.mtime;
        if (same && (k.status === 'error' || (k.status === 'indexed' && k.embeddedHash !== null && k.embeddedHash === k.hash))) {
          summary.unchanged++;
          continue;
        }
        todo.push({ rootId: root.id, rootPath: root.path, file, known: k });
      }
      // The work is written down before any of it is done: a crash from here on leaves it queued. [Note: queue]
      // What the link rule refused is listed, so a person can see why a file is not there. [Note: symlinks]
      await this.write(() => {
        this.store.queue.add(root.id, todo.slice(firstOfRoot).map((c) => c.file.relPath), PRIORITY.backfill, runStarted);
        if (only) this.store.skipped.update(root.id, only, skipped);
        else this.store.skipped.replaceRoot(root.id, skipped);
      }, hooks.stopped);
      const rows = target.only ? this.store.queue.some(root.id, todo.slice(firstOfRoot).map((c) => c.file.relPath)) : this.store.queue.forRoot(root.id);
      for (const row of rows) queued.push(row); // not push(...rows): a backfill of 100k+ rows would overflow the stack
      if (!target.only) fullRoots.push(root.id);
      // Files that are gone may have moved: a new file with the same content takes their item (see prepare).
      for (const k of known.values()) if (considered(k.relPath)) this.gone.set(k.id, k);
    }

    // Queue order: live changes first, then what an earlier run left unfinished, then the rest in scan order.
    const place = new Map(queued.map((q) => [`${q.rootId}\0${q.relPath}`, q]));
    const rank = (c: Candidate) => place.get(`${c.rootId}\0${c.file.relPath}`) ?? { priority: PRIORITY.backfill, queuedAt: runStarted, attempts: 0 };
    todo.sort((a, b) => rank(b).priority - rank(a).priority || rank(a).queuedAt - rank(b).queuedAt);

    this.progress.start('embedding', todo.length);
    this.onProgress();

    // [Note: crash-retry] A file a run started on and never committed was being worked on when the process died.
    // Twice: it is recorded as an error and not read again (until it changes). Once: it is tried again, alone, with
    // nothing else in flight, so that a second death can only be its own.
    const condemned = todo.filter((c) => rank(c).attempts >= MAX_ATTEMPTS);
    const work = todo.filter((c) => rank(c).attempts < MAX_ATTEMPTS);
    if (condemned.length) {
      log.warn('files Trove stopped on twice are skipped', { files: condemned.map((c) => c.file.relPath) });
      await this.embedAndWrite(condemned.map((c) => ({ type: 'failed', c, hash: null, reason: CRASHED }) as const), summary, hooks.stopped);
    }
    const suspect = (c: Candidate) => rank(c).attempts > 0;
    const groups = groupWork(work, weight, suspect);
    const alone = (g: Candidate[] | undefined) => g !== undefined && g.length === 1 && suspect(g[0]!);
    let next: Promise<Prepared[]> | null = null;
    let ahead: Candidate[] | null = null; // the group read ahead while the one before it is embedded
    for (let g = 0; g < groups.length; g++) {
      await hooks.gate?.();
      if (hooks.stopped?.()) break;
      const group = groups[g]!;
      const prepared: Prepared[] = ahead === group && next ? await next : await this.prepareGroup(group);
      ahead = null;
      next = null;
      await hooks.between?.();
      // Read the next group while this one is embedded, unless either is a retry that must run alone, or the two
      // together would hold too much (two large notes are done one after the other).
      const following = groups[g + 1];
      const heavy = following !== undefined && sum(group.map(weight)) + sum(following.map(weight)) > 2 * GROUP_BYTES;
      if (following && !alone(group) && !alone(following) && !heavy && !hooks.stopped?.()) {
        ahead = following;
        next = this.prepareGroup(following);
      }
      await this.embedAndWrite(prepared, summary, hooks.stopped);
    }
    if (ahead && next) {
      // Asked to stop with a group read ahead: it was not worked on, so it was not where the process died.
      await next.catch(() => undefined);
      // (Not waited for on a full disk: stopping must not hang; the files then count one try more.)
      await this.write(() => this.store.queue.unattempt(ahead.map((c) => ({ rootId: c.rootId, relPath: c.file.relPath }))), () => true).catch(() => undefined);
    }
    if (hooks.stopped?.()) {
      this.gone.clear();
      this.progress.idle();
      this.onProgress();
      summary.embedded = { images: this.encoder.stats.images - stats0.images, texts: this.encoder.stats.texts - stats0.texts };
      summary.seconds = Math.round((performance.now() - started) / 10) / 100;
      return summary;
    }

    // Rows an earlier run queued that this complete pass did not commit name files that are gone.
    await this.write(() => fullRoots.forEach((rootId) => this.store.queue.dropStale(rootId, runStarted)), hooks.stopped);

    // What is gone and was not moved is removed, with its segments and vectors.
    const gone = [...this.gone.values()];
    this.gone.clear();
    if (gone.length) {
      await this.write(() => gone.forEach((k) => this.store.items.remove(k.id)), hooks.stopped);
      summary.removed += gone.length;
      this.onItemsChanged([], gone.map((k) => k.id));
    }

    if (this.ocr && this.encoder.canEmbedTexts && hooks.ocr !== false) {
      try {
        await this.readText(this.ocr, summary, hooks);
      } finally {
        await this.ocr.close(); // its memory goes back until photos next need reading [Note: ocr-memory]
      }
    }
    if (this.speech && this.encoder.canEmbedTexts && hooks.transcribe !== false) await this.transcribe(this.speech, summary, hooks);

    // A long run leaves freed memory in the heaps: it goes back before the engine waits for the next change (a
    // desktop engine idles for hours). A run of a second or two (one file changed) is not worth a collection.
    if (performance.now() - started > RELEASE_AFTER_MS) {
      const held = process.memoryUsage.rss();
      releaseMemory(); // [Note: release-memory]
      log.debug('memory released', { fromMb: Math.round(held / 1048576), toMb: Math.round(process.memoryUsage.rss() / 1048576) });
    }
    this.progress.idle();
    this.onProgress();
    summary.embedded = { images: this.encoder.stats.images - stats0.images, texts: this.encoder.stats.texts - stats0.texts };
    summary.seconds = Math.round((performance.now() - started) / 10) / 100;
    return summary;
  }

  private ocrSegments(text: string): NewSegment[] {
    return chunkPlainText(text, this.fits).map((c) => ({ kind: 'ocr', text: c.text, breadcrumb: [], start: c.start, end: c.end }));
  }

  /**
   * The OCR step: photos not yet read at their current version, in batches of OCR_BATCH. [Note: ocr] [Note: ocr-memory]
   * Each batch is read with the encoder's indexing worker at rest, then its texts are embedded with the OCR worker
   * closed, so the two never hold memory at once (the encoder's worker is ~73 MB with the fixture pack, several
   * hundred with CLIP; the OCR worker ~115 MB loaded and the detector's arena 129 MB after a 960-px photo). Within
   * the batch the OCR models take turns too [Note: ocr-phases].
   */
  private async readText(ocr: OcrRunner, summary: ReturnType<typeof emptySummary>, hooks: RunHooks): Promise<void> {
    const total = this.store.items.countNeedingOcr();
    if (total === 0) return;
    // The files are done: the PDF reader (kept for a while after the last PDF) goes before the OCR worker comes.
    await (await import('./pdf.js')).closePdfReader();
    this.progress.start('ocr', total);
    this.onProgress();
    for (;;) {
      const work = this.store.items.needingOcr(OCR_BATCH);
      if (work.length === 0) break;
      await this.encoder.rest?.();
      releaseMemory(); // [Note: release-memory]
      const read: { w: (typeof work)[number]; text: string }[] = [];
      // Two halves [Note: ocr-phases]: the detector finds each photo's text, then the recogniser reads what was
      // found, so the two models are never held at once. Found crops wait in the worker; past OCR_HELD_BYTES the
      // photos found so far are read before more are found.
      let found: { w: (typeof work)[number]; found: OcrFound }[] = [];
      const failed = (w: (typeof work)[number], error: unknown) =>
        log.warn('OCR failed; the photo stays searchable by its image', { path: absolutePath(w.rootPath, w.relPath), error: (error as Error).message });
      const done = (w: (typeof work)[number], text: string) => {
        read.push({ w, text });
        this.progress.finished(true);
        this.onProgress();
      };
      const readFoundSoFar = async () => {
        let next = 0;
        for (; next < found.length; next++) {
          if (hooks.stopped?.()) break; // closing: not read, so read by the next run (below)
          const f = found[next]!;
          await hooks.gate?.();
          this.progress.working(f.w.relPath);
          let text = '';
          try {
            text = ocrText(await ocr.readFound(f.found));
          } catch (error) {
            failed(f.w, error);
          }
          done(f.w, text);
        }
        found = found.slice(next);
      };
      for (const w of work) {
        if (hooks.stopped?.()) break; // closing: what was read is kept below; the rest is read by the next run
        await hooks.gate?.();
        await hooks.between?.();
        const path = absolutePath(w.rootPath, w.relPath);
        this.progress.working(w.relPath);
        // [Note: crash-retry] Written before the read: a photo the process died on twice is not read again.
        const tries = await this.write(() => this.store.stepTries.begin(w.id, 'ocr', w.hash));
        let inPhoto: OcrFound | null = null;
        if (tries > MAX_ATTEMPTS) {
          log.warn('Trove stopped twice while reading the text in this photo; it stays searchable by its image', { path });
        } else {
          try {
            // Read from its real path, as the link rule allows now (a link retargeted since indexing leads nowhere).
            inPhoto = await ocr.find(await confinedPath(w.rootPath, w.relPath));
          } catch (error) {
            failed(w, error);
          }
        }
        if (inPhoto) found.push({ w, found: inPhoto });
        else done(w, ''); // no text: what is left of the photo's step is quick
        if (ocr.holding > OCR_HELD_BYTES) await readFoundSoFar();
      }
      await readFoundSoFar();
      // Found but not read because the engine is closing: the process did not die on them, so their tries are cleared
      // ([Note: crash-retry]); otherwise two closings at this point would leave them unread for good.
      if (found.length) await this.write(() => found.forEach((f) => this.store.stepTries.clear(f.w.id, 'ocr')), () => true).catch(() => undefined);
      await ocr.close(); // its memory goes back while the texts are embedded; the next batch starts it again
      for (const { w, text } of read) {
        const segments = text ? this.ocrSegments(text) : [];
        const vectors = await this.encoder.embedTexts(segments.map((seg) => seg.text!));
        const current = this.store.items.get(w.id);
        if (!current || current.hash !== w.hash) continue; // changed or gone while it was read: its next version is read later
        await this.write(() => {
          const ids = this.store.segments.replaceKind(w.id, this.spaceId, 'ocr', segments);
          this.store.spaces.insertVectors(
            this.spaceId,
            ids.map((segmentId, i) => ({ segmentId, itemId: w.id, kind: 'photo' as const, takenAt: current.taken_at, vector: vectors[i]! })),
          );
          this.store.items.setOcr(w.id, w.hash, text);
          this.store.stepTries.clear(w.id, 'ocr');
        }, hooks.stopped);
        summary.ocr++;
        if (segments.length) this.onItemsChanged([w.id], []);
      }
      if (hooks.stopped?.()) return;
    }
  }

  /**
   * The transcription step: recordings whose current version has no transcript by the speech model in use, one at
   * a time, window by window. [Note: transcription] Each window's progress is saved as a checkpoint, so a run
   * cut short goes on where it stopped; the transcript becomes searchable (segments, vectors) in one transaction
   * when the recording is done, so it is never half there.
   */
  private async transcribe(speech: () => Promise<Transcriber | null>, summary: ReturnType<typeof emptySummary>, hooks: RunHooks): Promise<void> {
    if (this.store.transcripts.countRecordings() === 0) return; // no recordings: never load a speech model
    const transcriber = await speech();
    if (!transcriber) return; // status says why and what to fetch
    const model = transcriber.id;
    const total = this.store.transcripts.countNeeding(model);
    if (total === 0) return;
    this.progress.start('transcribing', total);
    this.onProgress();
    const skipped = new Set<number>(); // changed while being transcribed: their new version comes next run
    for (;;) {
      const work = this.store.transcripts.needing(model, 4 + skipped.size).filter((w) => !skipped.has(w.id));
      if (work.length === 0) break;
      for (const w of work) {
        if (hooks.stopped?.()) return;
        await hooks.gate?.();
        await hooks.between?.();
        const current = () => {
          const row = this.store.items.get(w.id);
          return row !== undefined && row.status === 'indexed' && row.hash === w.hash;
        };
        if (!current()) {
          skipped.add(w.id);
          continue;
        }
        const path = absolutePath(w.rootPath, w.relPath);
        this.progress.working(w.relPath);
        this.onProgress();
        const saved = this.store.transcripts.get(w.id);
        const resume = saved && !saved.complete && saved.hash === w.hash && saved.model === model ? saved : undefined;
        let result: Awaited<ReturnType<typeof transcribeStream>>;
        let error: string | null = null;
        let checkpoint: TranscriptProgress = resume ?? { doneSeconds: 0, chunks: [], language: null };
        log.debug('transcribing', { path: w.relPath, from: checkpoint.doneSeconds }); // the crash test reads these
        // [Note: crash-retry] Written before the first window; each window heard clears it (progress is no crash loop).
        // The process died twice without hearing a window: keep what was heard and do not try this version again.
        const tries = await this.write(() => this.store.stepTries.begin(w.id, 'transcribe', w.hash));
        try {
          if (tries > MAX_ATTEMPTS) {
            const at = `${Math.floor(checkpoint.doneSeconds / 60)}:${String(Math.floor(checkpoint.doneSeconds % 60)).padStart(2, '0')}`;
            throw new AudioError(`Trove stopped twice while transcribing this recording at ${at}; what was heard before is kept`);
          }
          const real = await confinedPath(w.rootPath, w.relPath); // the link rule, asked again [Note: symlinks]
          result = await transcribeStream(speechAudio(real, { bitrate: w.bitrate }), transcriber, {
            ...(resume ? { resume } : {}),
            beforeWindow: async () => {
              if (hooks.stopped?.()) return false;
              await hooks.gate?.();
              await hooks.between?.();
              return !hooks.stopped?.() && current();
            },
            afterWindow: async (p) => {
              checkpoint = p;
              await this.write(() => {
                this.store.transcripts.checkpoint(w.id, { hash: w.hash, model, ...p });
                this.store.stepTries.clear(w.id, 'transcribe');
              }, hooks.stopped);
              log.debug('window heard', { path: w.relPath, done: p.doneSeconds });
            },
          });
        } catch (e) {
          if (e instanceof ConfinedError) {
            // Gone, or now a link the rule refuses: the next scan takes the item away.
            log.warn('recording not read: it is no longer a file Trove may read', { path, reason: e.message });
            await this.write(() => this.store.stepTries.clear(w.id, 'transcribe'), hooks.stopped);
            skipped.add(w.id);
            continue;
          }
          if (!(e instanceof AudioError)) {
            // The model failed (its worker died, say): the checkpoint stays and the next run tries again from it.
            log.warn('transcription failed; it is tried again next run', { path, error: (e as Error).message });
            skipped.add(w.id);
            continue;
          }
          // The decoder gave up part-way (a damaged stretch): keep what was heard, say why, and do not try this
          // version again with this model (the damage will still be there).
          error = e.message;
          log.warn('recording read in part; what was heard is kept', { path, error });
          result = { ...checkpoint, complete: true, durationSeconds: checkpoint.doneSeconds };
        }
        if (!result.complete) {
          if (hooks.stopped?.()) {
            await this.write(() => this.store.stepTries.clear(w.id, 'transcribe'), () => true).catch(() => undefined); // a clean stop, not a crash
            return; // closing: the checkpoint stays for the next run
          }
          skipped.add(w.id); // changed on disk: its new version is indexed, then transcribed, next run
          continue;
        }
        const segments = transcriptSegments(result.chunks, this.fits);
        const vectors: Float32Array[] = [];
        for (let i = 0; i < segments.length; i += TEXT_BATCH) {
          vectors.push(...(await this.encoder.embedTexts(segments.slice(i, i + TEXT_BATCH).map((seg) => seg.text!))));
        }
        if (!current()) {
          skipped.add(w.id);
          continue;
        }
        await this.write(() => {
          this.store.stepTries.clear(w.id, 'transcribe');
          const ids = this.store.segments.replaceKind(w.id, this.spaceId, 'transcript', segments);
          const takenAt = this.store.items.get(w.id)?.taken_at ?? w.takenAt; // as it is now (a rename may have moved it)
          this.store.spaces.insertVectors(
            this.spaceId,
            ids.map((segmentId, i) => ({ segmentId, itemId: w.id, kind: 'audio' as const, takenAt, vector: vectors[i]! })),
          );
          this.store.transcripts.complete(w.id, { hash: w.hash, model, chunks: result.chunks, doneSeconds: result.doneSeconds, language: result.language, error });
          // What decoding found is the length (a header can claim more than a damaged file holds).
          const ms = Math.round(result.durationSeconds * 1000);
          if (error === null && ms > 0 && (w.durationMs === null || Math.abs(w.durationMs - ms) > 1000)) this.store.transcripts.setDuration(w.id, ms);
        }, hooks.stopped);
        summary.transcribed++;
        this.progress.finished(true);
        this.onProgress();
        this.onItemsChanged([w.id], []);
      }
    }
  }

  private async prepareGroup(group: readonly Candidate[]): Promise<Prepared[]> {
    // Marked (and committed) before a byte is read: if the process dies from here until the group commits, the next
    // run knows these files were in flight. [Note: crash-retry]
    await this.write(() => this.store.queue.attempt(group.map((c) => ({ rootId: c.rootId, relPath: c.file.relPath }))));
    return withinBudget(group, readCost, READ_BUDGET, (c) => this.prepare(c));
  }

  private async prepare(c: Candidate): Promise<Prepared> {
    const started = performance.now();
    const abs = absolutePath(c.rootPath, c.file.relPath);
    let hash: string | null = null;
    let handle: FileHandle | null = null;
    try {
      if (c.file.problem) throw new Error(c.file.problem);
      const limit =
        c.file.kind === 'photo' ? MAX_PHOTO_BYTES : c.file.kind === 'audio' ? MAX_AUDIO_BYTES : c.file.relPath.toLowerCase().endsWith('.pdf') ? MAX_PDF_BYTES : MAX_NOTE_BYTES;
      if (c.file.size > limit) throw new Error(tooLarge(c.file.kind, c.file.relPath, c.file.size, limit));
      log.debug('reading', { path: c.file.relPath }); // the crash-retry test reads these
      // The link rule is asked again as the file is opened: a link retargeted since the scan leads nowhere. [Note: symlinks]
      const opened = await openConfined(c.rootPath, c.file.relPath);
      handle = opened.handle;
      let bytes: Buffer | null = null;
      let size: number;
      if (c.file.kind === 'audio') ({ hash, size } = await hashFile(handle));
      else {
        const st = await handle.stat();
        if (st.size > limit) throw new Error(tooLarge(c.file.kind, c.file.relPath, st.size, limit)); // it grew since the scan
        bytes = await handle.readFile();
        hash = createHash('sha256').update(bytes).digest('hex');
        size = bytes.length;
      }
      await handle.close();
      handle = null;
      const k = c.known;
      if (k && k.status === 'indexed' && k.hash === hash && k.embeddedHash === hash) {
        return { type: 'touch', c, id: k.id, size };
      }
      const from = k ? undefined : this.claimMoved(c.file.kind, hash);
      if (from) return { type: 'move', c, from, size };
      const extracted =
        c.file.kind === 'photo'
          ? await extractPhoto(c.file.relPath, bytes!, this.encoder)
          : c.file.kind === 'audio'
            ? { ...(await extractAudio(c.file.relPath, opened.real, size)), image: null }
            : { ...(await extractNoteFile(c.file.relPath, bytes!, this.fits)), image: null };
      bytes = null;
      settleTime(extracted.facts, c.file.relPath, c.file.mtime); // own time, else name, else mtime [Note: item-times]
      // A recording transcribed at this version keeps its transcript (a change of model re-embeds it, no listening).
      const heard = k && c.file.kind === 'audio' ? this.store.transcripts.finished(k.id, hash) : undefined;
      if (heard) for (const seg of transcriptSegments(heard.chunks, this.fits)) extracted.segments.push(seg);
      // A photo already read by OCR at this version keeps its text (a change of model re-embeds it, no re-reading).
      if (k && k.ocrHash === hash && k.ocrText) for (const seg of this.ocrSegments(k.ocrText)) extracted.segments.push(seg);
      const ms = performance.now() - started;
      if (ms > SLOW_FILE_MS) log.warn(`slow file`, { path: abs, ms: Math.round(ms) });
      return { type: 'item', c, size, hash, facts: extracted.facts, segments: extracted.segments, image: extracted.image };
    } catch (error) {
      if (error instanceof ConfinedError) return error.gone ? { type: 'gone', c } : { type: 'skip', c, reason: error.message };
      // Deleted between the scan and the read: not a broken file, just no longer there.
      if ((error as NodeJS.ErrnoException)?.code === 'ENOENT' && !existsSync(abs)) return { type: 'gone', c };
      return { type: 'failed', c, hash, reason: describeFailure(error, c.file.kind) };
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private async embedAndWrite(prepared: readonly Prepared[], summary: ReturnType<typeof emptySummary>, stopped?: () => boolean): Promise<void> {
    const items = prepared.filter((p): p is Extract<Prepared, { type: 'item' }> => p.type === 'item');
    if (items.length) log.debug('embedding', { files: items.map((p) => p.c.file.relPath) }); // the crash test reads this
    const photos = items.filter((p) => p.image !== null);
    if (photos.length) this.progress.working(photos[0]!.c.file.relPath);
    const imageVectors = new Map<Prepared, Float32Array>();
    for (let i = 0; i < photos.length; i += IMAGE_BATCH) {
      const batch = photos.slice(i, i + IMAGE_BATCH);
      const vectors = await this.encoder.embedImages(batch.map((p) => p.image!));
      batch.forEach((p, j) => imageVectors.set(p, vectors[j]!));
    }
    const texts: { p: Prepared; index: number; text: string }[] = [];
    for (const p of items) p.segments.forEach((s, index) => s.kind !== 'image' && s.text && texts.push({ p, index, text: s.text }));
    const textVectors = new Map<Prepared, Map<number, Float32Array>>();
    for (let i = 0; i < texts.length; i += TEXT_BATCH) {
      const batch = texts.slice(i, i + TEXT_BATCH);
      this.progress.working(batch[0]!.p.c.file.relPath);
      const vectors = await this.encoder.embedTexts(batch.map((t) => t.text));
      batch.forEach((t, j) => {
        const m = textVectors.get(t.p) ?? new Map<number, Float32Array>();
        m.set(t.index, vectors[j]!);
        textVectors.set(t.p, m);
      });
    }

    const changed: number[] = [];
    const removed: number[] = [];
    const tally = { removed: 0, unchanged: 0, moved: 0, failed: 0, added: 0, reembedded: 0, changed: 0 };
    await this.write(() => {
      // Counted afresh on each try: a write refused by a full disk is rolled back whole and tried again.
      changed.length = 0;
      removed.length = 0;
      for (const key of Object.keys(tally) as (keyof typeof tally)[]) tally[key] = 0;
      for (const p of prepared) {
        const { file, rootId } = p.c;
        this.store.queue.remove(rootId, file.relPath); // done, in the same transaction as its item
        // The link rule refused it at read time: no item may exist for it, and a person can see why. [Note: symlinks]
        if (p.type === 'skip') {
          const id = p.c.known?.id;
          if (id !== undefined) {
            this.store.items.remove(id);
            removed.push(id);
            tally.removed++;
          }
          this.store.skipped.update(rootId, [file.relPath], [{ relPath: file.relPath, reason: p.reason }]);
          continue;
        }
        // Deleted before it was read, or since (a live change handled in between): it must not come back as an
        // item, and the item of its earlier version goes with it.
        if (p.type === 'gone' || (p.type !== 'failed' && !existsSync(absolutePath(p.c.rootPath, file.relPath)))) {
          const id = p.type === 'move' ? p.from.id : p.c.known?.id; // a move's old path is gone already
          if (id !== undefined) {
            this.store.items.remove(id);
            removed.push(id);
            tally.removed++;
          }
          continue;
        }
        if (p.type === 'touch') {
          this.store.items.touch(p.id, p.size, file.mtime);
          tally.unchanged++;
          continue;
        }
        if (p.type === 'move') {
          const oldName = basename(p.from.relPath, extname(p.from.relPath));
          const row = this.store.items.get(p.from.id);
          const titleFromName = row !== undefined && row.title === oldName;
          this.store.items.move(p.from.id, {
            rootId,
            relPath: file.relPath,
            size: p.size,
            mtime: file.mtime,
            title: titleFromName ? basename(file.relPath, extname(file.relPath)) : null,
          });
          // A time that came from the old name (or was only the mtime) is read again from the new one. [Note: item-times]
          if (row !== undefined && followsName(row.time_source)) {
            const time = chooseTime(null, file.relPath, file.mtime);
            if (time.takenAt !== row.taken_at || time.timeSource !== row.time_source || time.timeDay !== (row.time_day === 1)) {
              this.store.items.setTime(p.from.id, time);
              this.store.spaces.setTakenAt(p.from.id, time.takenAt);
            }
          }
          this.store.segments.reindexWords(p.from.id);
          tally.moved++;
          changed.push(p.from.id);
          continue;
        }
        if (p.type === 'failed') {
          const id = this.store.items.upsertFailed(
            { rootId, relPath: file.relPath, kind: file.kind, size: file.size, mtime: file.mtime, hash: p.hash },
            p.reason,
            file.relPath.slice(file.relPath.lastIndexOf('/') + 1),
          );
          this.store.segments.replace(id, this.spaceId, []);
          tally.failed++;
          changed.push(id);
          continue;
        }
        const id = this.store.items.upsertIndexed(
          { rootId, relPath: file.relPath, kind: file.kind, size: p.size, mtime: file.mtime, hash: p.hash },
          p.facts,
        );
        // The same version already indexed for another model keeps its shared image segment and gets its own
        // text segments in this space; a new version replaces every segment of every space. [Note: spaces]
        const sameVersion = p.c.known !== undefined && p.c.known.status === 'indexed' && p.c.known.hash === p.hash;
        let segmentIds: (number | undefined)[];
        if (sameVersion) {
          const imageId = this.store.segments.imageSegment(id);
          const textIds = this.store.segments.replaceInSpace(id, this.spaceId, p.segments);
          let t = 0;
          segmentIds = p.segments.map((seg) => (isShared(seg.kind) ? imageId : textIds[t++]));
        } else {
          segmentIds = this.store.segments.replace(id, this.spaceId, p.segments);
        }
        const vectors = segmentIds.flatMap((segmentId, i) => {
          const vector = p.segments[i]!.kind === 'image' ? imageVectors.get(p) : textVectors.get(p)?.get(i);
          return vector && segmentId !== undefined ? [{ segmentId, itemId: id, kind: file.kind, takenAt: p.facts.takenAt, vector }] : [];
        });
        this.store.spaces.insertVectors(this.spaceId, vectors);
        this.store.spaces.markEmbedded(id, this.spaceId, p.hash);
        if (!p.c.known) tally.added++;
        else if (sameVersion) tally.reembedded++;
        else tally.changed++;
        changed.push(id);
      }
    }, stopped);
    for (const key of Object.keys(tally) as (keyof typeof tally)[]) summary[key] += tally[key];
    for (const p of prepared) this.progress.finished(p.type !== 'failed');
    this.onProgress();
    if (changed.length || removed.length) this.onItemsChanged(changed, removed);
  }
}
