// Starts an inference worker. Worker threads do not inherit the TypeScript loader of the thread that made them,
// so when the entry is a .ts source (a checkout, tests) tsx is registered first; a built .js entry runs as is.
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';

// Indexing work (embedding a backfill, OCR, transcription) yields the CPU to what a person waits for (a query's text
// tower, the engine's thread). On Linux a thread's nice value is its own, and the threads ONNX Runtime starts from
// here inherit it; elsewhere setPriority(0) would lower the whole process, so it is left alone. [Note: responsive]
if (workerData?.background === true && process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // not allowed here: it runs at the normal priority
  }
}

const entry = workerData?.entry;
if (typeof entry !== 'string') throw new Error('inference worker started without an entry');
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
