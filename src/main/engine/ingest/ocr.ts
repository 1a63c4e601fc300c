// Text printed in photos. [Note: ocr]
// OCR is its own, lower-priority step: after an index run has embedded every new photo, photos whose current
// version has not been read yet go through PaddleOCR in a worker thread, one at a time. What it reads becomes
// `ocr` segments: searchable by words (FTS5) and embedded in the joint space like a note. The text is kept on
// the item with the content hash it was read at, so OCR runs once per version of a photo, survives a change of
// model, and resumes after a restart. A root can turn it off.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TroveError, isErrorCode } from '../../../shared/errors.js';
import type { OcrLine, OcrRequest, OcrResponse, OcrWorkerInit } from './ocr-worker.js';

/**
 * The longest side a photo is read at. [Note: ocr-memory] PaddleOCR's own default for its detector (limit_side_len
 * 960). The detector's activations grow with the area: measured on the build machine (bench/ocr.ts), reading a
 * photo takes the OCR worker +110 MB above its loaded 64 MB at 640 px, +185 MB at 960 px and +450 MB at 1600 px.
 * Signs and documents are still read at 960 px.
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

function entryUrl(): string {
  const js = new URL('./ocr-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js.href : new URL('./ocr-worker.ts', import.meta.url).href;
}

export class OcrRunner {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: (r: OcrResponse) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly options: { threads: number; maxSide?: number }) {}

  private start(): Worker {
    const init: OcrWorkerInit = { entry: entryUrl(), threads: this.options.threads, maxSide: this.options.maxSide ?? OCR_MAX_SIDE };
    const worker = new Worker(new URL('../models/worker-bootstrap.mjs', import.meta.url), { workerData: { ...init, background: true } }); // [Note: responsive]
    worker.on('message', (r: OcrResponse) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
      if (this.pending.size === 0) worker.unref();
    });
    const failAll = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.worker = null;
    };
    worker.on('error', (e) => failAll(new TroveError('INTERNAL', `OCR worker failed: ${e.message}`)));
    worker.on('exit', (code) => code !== 0 && failAll(new TroveError('INTERNAL', `OCR worker exited with code ${code}`)));
    return worker;
  }

  /** The lines of text in an image file. */
  async read(path: string): Promise<OcrLine[]> {
    this.worker ??= this.start();
    const worker = this.worker;
    const id = this.nextId++;
    const response = await new Promise<OcrResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, path } satisfies OcrRequest);
    });
    if (!response.ok) throw new TroveError(isErrorCode(response.error.code) ? response.error.code : 'INTERNAL', response.error.message);
    return response.lines;
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}
