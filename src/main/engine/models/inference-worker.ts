// The inference worker: runs a pack's ONNX towers off the thread that serves queries and decodes images.
// [Note: inference-worker] InferenceSession.run blocks the thread it runs on (measured: an event loop gets no
// turn during a run), so the engine keeps inference here. Requests are answered in order; vectors travel back
// as one transferred Float32Array per request.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo, TroveError } from '../../../shared/errors.js';
import { OnnxEncoder, pixelValues, type EncoderOptions, type PixelJob } from './encoder.js';

export interface WorkerInit {
  readonly entry: string;
  readonly packDir: string;
  readonly options: EncoderOptions;
}

export type WorkerRequest =
  | { readonly id: number; readonly op: 'images'; readonly pixels: Float32Array[] }
  | { readonly id: number; readonly op: 'pixels'; readonly job: PixelJob }
  | { readonly id: number; readonly op: 'texts'; readonly texts: string[] }
  | { readonly id: number; readonly op: 'close' };

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly vectors: Float32Array; readonly count: number; readonly provider?: string }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string } };

const port = parentPort;
if (!port) throw new Error('inference-worker.ts must run in a worker thread');
const init = workerData as WorkerInit;

function flatten(vectors: Float32Array[]): Float32Array {
  const dims = vectors[0]?.length ?? 0;
  const out = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => out.set(v, i * dims));
  return out;
}

const ready = OnnxEncoder.open(init.packDir, init.options);
ready.then(
  (encoder) => port.postMessage({ id: 0, ok: true, vectors: new Float32Array(0), count: 0, provider: encoder.provider } satisfies WorkerResponse),
  (error: unknown) => port.postMessage({ id: 0, ok: false, error: toErrorInfo(error) } satisfies WorkerResponse),
);

port.on('message', (req: WorkerRequest) => {
  void (async () => {
    try {
      const encoder = await ready;
      if (req.op === 'close') {
        await encoder.close();
        port.postMessage({ id: req.id, ok: true, vectors: new Float32Array(0), count: 0 } satisfies WorkerResponse);
        port.close();
        return;
      }
      if (req.op === 'pixels') {
        // The Pillow-exact resize of a decoded photo, here rather than on the engine's thread. [Note: responsive]
        if (!encoder.imageConfig) throw new TroveError('MODEL_MISMATCH', 'this pack has no image tower');
        const pixels = pixelValues(req.job, encoder.imageConfig);
        port.postMessage({ id: req.id, ok: true, vectors: pixels, count: 1 } satisfies WorkerResponse, [pixels.buffer as ArrayBuffer]);
        return;
      }
      const vectors =
        req.op === 'images'
          ? await encoder.embedImages(req.pixels.map((pixels) => ({ pixels, width: 0, height: 0, format: null, exif: undefined })))
          : await encoder.embedTexts(req.texts);
      const flat = flatten(vectors);
      port.postMessage({ id: req.id, ok: true, vectors: flat, count: vectors.length } satisfies WorkerResponse, [flat.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies WorkerResponse);
    }
  })();
});
