// Starts an inference worker. Worker threads do not inherit the TypeScript loader of the thread that made them,
// so when the entry is a .ts source (a checkout, tests) tsx is registered first; a built .js entry runs as is.
import { workerData } from 'node:worker_threads';

const entry = workerData?.entry;
if (typeof entry !== 'string') throw new Error('inference worker started without an entry');
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
