// The engine's side of the utility process: answers the main process's messages with the one generic dispatcher,
// and forwards every event of the contract. [Note: electron-shell]
// Plain Node, no Electron: engine-host.ts connects it to `process.parentPort` (or, under plain Node, to a forked
// child's IPC channel, which is how the tests run it).
import { EVENT_NAMES, isOperationName, type TroveApi, type TroveEvents } from '../../shared/api.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { dispatch } from '../../shared/dispatch.js';
import { TroveError } from '../../shared/errors.js';
import type { MediaVariant } from '../../shared/media.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { FromHost } from './host-protocol.js';

export { keepLive, type LiveEngine } from '../engine/live.js';

/** What the host needs of the Engine. */
export type HostedEngine = TroveApi &
  TroveEvents & {
    mediaFile(id: number, variant: MediaVariant): Promise<{ readonly file: string; readonly mime: string }>;
  };

/** A message channel to the main process. */
export interface ParentLink {
  send(message: FromHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface HostOptions {
  /** Called for a `stop` message: close the engine and exit. */
  readonly onStop?: () => void | Promise<void>;
}

function positiveId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new TroveError('INVALID_ARGUMENT', 'an item id is a positive whole number');
  return value;
}

async function answer(engine: HostedEngine, m: Record<string, unknown>): Promise<Result<unknown>> {
  switch (m.t) {
    case 'call': {
      if (!isOperationName(m.op)) return fail(new TroveError('UNKNOWN_OPERATION', `unknown operation: ${String(m.op).slice(0, 80)}`));
      let req: unknown;
      try {
        req = typeof m.req === 'string' ? decodeJson(m.req) : {};
      } catch {
        return fail(new TroveError('INVALID_ARGUMENT', 'the request is not JSON'));
      }
      return dispatch(engine, m.op, req);
    }
    case 'media':
      try {
        return ok(await engine.mediaFile(positiveId(m.item), m.variant as MediaVariant));
      } catch (error) {
        return fail(error);
      }
    case 'path':
      try {
        return ok((await engine.getItem({ id: positiveId(m.item) })).path);
      } catch (error) {
        return fail(error);
      }
    default:
      return fail(new TroveError('UNKNOWN_OPERATION', `unknown message: ${String(m.t).slice(0, 40)}`));
  }
}

/** Serves the engine on a link; returns a function that stops forwarding events. */
export function serveEngine(engine: HostedEngine, link: ParentLink, options: HostOptions = {}): () => void {
  const offs = EVENT_NAMES.map((name) => engine.on(name, (payload) => link.send({ t: 'event', name, payload: encodeJson(payload) })));
  link.onMessage((message) => {
    if (!message || typeof message !== 'object') return;
    const m = message as Record<string, unknown>;
    if (m.t === 'stop') {
      void options.onStop?.();
      return;
    }
    if (typeof m.id !== 'number') return;
    const id = m.id;
    void answer(engine, m)
      .catch((error: unknown) => fail(error))
      .then((result) => link.send({ t: 'result', id, result: encodeJson(result) }));
  });
  return () => offs.forEach((off) => off());
}

