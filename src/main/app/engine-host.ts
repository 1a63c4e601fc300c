// The entry of the engine's utility process: opens the library and serves it to the main process.
// [Note: electron-shell] Under Electron it talks over `process.parentPort`; under plain Node (a child started with
// child_process.fork, as the tests do) over the child's IPC channel. Options, for tests and debugging only:
// --data-dir <dir> (default: the library folder, as the CLI's), --model <pack>, --no-ocr, --no-watch.
import { parseArgs } from 'node:util';
import { toErrorInfo } from '../../shared/errors.js';
import { Engine } from '../engine/index.js';
import { defaultDataDir } from '../engine/paths.js';
import { keepLive, serveEngine, type ParentLink } from './host.js';

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function parentLink(): ParentLink {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) return { send: (m) => port.postMessage(m), onMessage: (l) => port.on('message', (e) => l(e.data)) };
  const send = process.send?.bind(process);
  if (send) return { send: (m) => void send(m), onMessage: (l) => process.on('message', l) };
  throw new Error('engine-host runs as a utility process (or a forked child): it has no parent to talk to');
}

const link = parentLink();
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { 'data-dir': { type: 'string' }, model: { type: 'string' }, 'no-ocr': { type: 'boolean' }, 'no-watch': { type: 'boolean' } },
  strict: false,
  allowPositionals: true,
});
const option = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
const log = (error: Error) => process.stderr.write(`trove engine: ${error.message}\n`);

function open(): Engine | null {
  try {
    const model = option('model');
    return Engine.open({ dataDir: option('data-dir') ?? defaultDataDir(), ...(model ? { model } : {}), ...(values['no-ocr'] ? { ocr: false } : {}) });
  } catch (error) {
    link.send({ t: 'fatal', error: toErrorInfo(error) });
    // Give the message time to leave before the process ends.
    setTimeout(() => process.exit(1), 200);
    return null;
  }
}

const engine = open();
if (engine) {
  const live = values['no-watch'] ? null : keepLive(engine, log);
  let stopping = false;
  serveEngine(engine, link, {
    async onStop() {
      if (stopping) return;
      stopping = true;
      await live?.close().catch(log);
      await engine.close().catch(log);
      process.exit(0);
    },
  });
  link.send({ t: 'ready' });
}
