// The speech worker: a Whisper pack's features, encoder and decoder off the engine's thread. [Note: whisper]
// Windows are transcribed one at a time, in the order they arrive; samples travel in as transferred buffers.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../../../shared/errors.js';
import { WhisperModel, type SpeechRequest, type SpeechResponse, type SpeechWorkerInit } from './whisper.js';

const port = parentPort;
if (!port) throw new Error('whisper-worker.ts must run in a worker thread');
const init = workerData as SpeechWorkerInit;

const ready = WhisperModel.open(init.packDir, init.options);
ready.then(
  (model) => port.postMessage({ id: 0, ok: true, model: model.id, provider: model.provider } satisfies SpeechResponse),
  (error: unknown) => port.postMessage({ id: 0, ok: false, error: toErrorInfo(error) } satisfies SpeechResponse),
);

let queue: Promise<unknown> = Promise.resolve();

port.on('message', (req: SpeechRequest) => {
  queue = queue.then(async () => {
    try {
      const model = await ready;
      if (req.op === 'close') {
        await model.close();
        port.postMessage({ id: req.id, ok: true } satisfies SpeechResponse);
        port.close();
        return;
      }
      const result = await model.transcribe(req.pcm, req.offset, req.isLast);
      port.postMessage({ id: req.id, ok: true, result } satisfies SpeechResponse);
    } catch (error) {
      port.postMessage({ id: req.id, ok: false, error: toErrorInfo(error) } satisfies SpeechResponse);
    }
  });
});
