// What the preload exposes, built from the contract and nothing else. [Note: electron-shell]
// Every operation of OPERATION_NAMES becomes a function through createClient over `ipcRenderer.invoke`; every
// event of EVENT_NAMES can be listened to. Kept apart from preload.ts (which only hands these to contextBridge)
// so a test can build them with a fake ipcRenderer.
import { EVENT_NAMES, OPERATION_NAMES, type EventName, type TroveApi } from '../../shared/api.js';
import { IPC, mediaUrl, type BridgeError, type TroveBridge, type TroveShell } from '../../shared/bridge.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { createClient } from '../../shared/dispatch.js';
import { TroveError, toErrorInfo } from '../../shared/errors.js';
import { unwrap, type Result } from '../../shared/result.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function decodeResult(text: unknown): Result<unknown> {
  if (typeof text !== 'string') return { ok: false, error: { code: 'INTERNAL', message: 'the main process answered something that is not a result' } };
  return decodeJson(text) as Result<unknown>;
}

/**
 * An Error loses every field but its message when it crosses contextBridge (electron/electron#25596), so the
 * page would never see a failure's code. A failed call rejects with a plain BridgeError object instead, which
 * crosses whole; `fromBridge` (src/shared/bridge.ts) turns it back into a TroveError on the page's side.
 */
function plainRejections<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      const info = toErrorInfo(error);
      throw { name: 'TroveError', code: info.code, message: info.message } satisfies BridgeError;
    }
  };
}

export function createBridge(ipc: IpcRendererLike): TroveBridge {
  const client = createClient(async (op, req) => decodeResult(await ipc.invoke(IPC.call, op, encodeJson(req))));
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>(EVENT_NAMES.map((name) => [name, new Set()]));
  ipc.on(IPC.event, (_event, name, payload) => {
    const set = typeof name === 'string' ? listeners.get(name as EventName) : undefined;
    if (!set || typeof payload !== 'string') return;
    const value = decodeJson(payload);
    for (const listener of [...set]) listener(value);
  });

  const bridge: Record<string, unknown> = {};
  for (const op of OPERATION_NAMES) bridge[op] = plainRejections((client as Record<string, (req: unknown) => Promise<unknown>>)[op]!);
  bridge.on = (event: unknown, listener: unknown) => {
    const set = typeof event === 'string' ? listeners.get(event as EventName) : undefined;
    if (!set) throw new TroveError('INVALID_ARGUMENT', `unknown event: ${String(event).slice(0, 80)}`);
    if (typeof listener !== 'function') throw new TroveError('INVALID_ARGUMENT', 'a listener must be a function');
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  };
  bridge.mediaUrl = (id: number, variant: Parameters<typeof mediaUrl>[1], version?: string | null) => mediaUrl(id, variant, version);
  return bridge as unknown as TroveBridge & TroveApi;
}

function checkId(id: unknown): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new TroveError('INVALID_ARGUMENT', 'an item id is a positive whole number');
  return id;
}

export function createShellBridge(ipc: IpcRendererLike): TroveShell {
  const call = async (channel: string, ...args: unknown[]) => unwrap(decodeResult(await ipc.invoke(channel, ...args)));
  return {
    pickFolder: plainRejections(async () => (await call(IPC.pickFolder)) as string | null),
    showInFolder: plainRejections(async (id: number) => void (await call(IPC.showInFolder, checkId(id)))),
    openItem: plainRejections(async (id: number) => void (await call(IPC.openItem, checkId(id)))),
  };
}
