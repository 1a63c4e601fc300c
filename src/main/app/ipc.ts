// The IPC binding: the page's calls, checked, then forwarded to the engine's utility process. [Note: electron-shell]
// Requests and answers cross as JSON text (src/shared/codec.ts), so the main process relays them without parsing
// them: it checks the sender and the operation name, and that is all it does with a call.
import { isOperationName, type OperationName } from '../../shared/api.js';
import { encodeJson } from '../../shared/codec.js';
import { TroveError } from '../../shared/errors.js';
import { fail, ok } from '../../shared/result.js';
import type { SenderInfo } from './security.js';

/** The largest request the page may send (a search, a list of ignore patterns: never near this). */
export const MAX_REQUEST_CHARS = 1024 * 1024;

/** Runs one operation in the engine: the request as JSON text in, the Result as JSON text out. */
export type Forward = (op: OperationName, requestJson: string) => Promise<string>;

export interface CallOptions {
  readonly isTrusted: (event: SenderInfo) => boolean;
  readonly forward: Forward;
}

const refuse = (code: 'FORBIDDEN' | 'UNKNOWN_OPERATION' | 'INVALID_ARGUMENT', message: string) => encodeJson(fail(new TroveError(code, message)));

/** The handler of `ipcMain.handle(IPC.call, …)`: (event, op, requestJson) → resultJson; it never throws. */
export function callHandler(options: CallOptions): (event: SenderInfo, op: unknown, req: unknown) => Promise<string> {
  return async (event, op, req) => {
    if (!options.isTrusted(event)) return refuse('FORBIDDEN', 'this page may not call Trove');
    if (!isOperationName(op)) return refuse('UNKNOWN_OPERATION', `unknown operation: ${String(op).slice(0, 80)}`);
    if (req === undefined) req = '{}';
    if (typeof req !== 'string') return refuse('INVALID_ARGUMENT', 'the request must be JSON text');
    if (req.length > MAX_REQUEST_CHARS) return refuse('INVALID_ARGUMENT', `the request is longer than ${MAX_REQUEST_CHARS} characters`);
    try {
      return await options.forward(op, req);
    } catch (error) {
      return encodeJson(fail(error));
    }
  };
}

/** What the desktop-only calls of `window.troveShell` need from the engine and from Electron. */
export interface ShellOptions {
  readonly isTrusted: (event: SenderInfo) => boolean;
  /** The native folder picker; null when cancelled. */
  readonly pickFolder: () => Promise<string | null>;
  /** The path of any item the library knows (for "Show in folder"). */
  readonly itemPath: (id: number) => Promise<string>;
  /** The file of an indexed item inside a present, watched folder (for "Open with default app"). */
  readonly openableFile: (id: number) => Promise<string>;
  readonly showItemInFolder: (path: string) => void;
  /** Electron's shell.openPath: resolves to an error message, or '' when it worked. */
  readonly openPath: (path: string) => Promise<string>;
}

function itemId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new TroveError('INVALID_ARGUMENT', 'an item id is a positive whole number');
  return value;
}

/**
 * The handlers of the `troveShell` channels, by channel name. Each answers a Result as JSON text. An item is
 * named by id only: its path comes from the library, never from the page, so a compromised page can reveal or
 * open nothing but the items Trove itself indexed.
 */
export function shellHandlers(options: ShellOptions): Record<'pickFolder' | 'showInFolder' | 'openItem', (event: SenderInfo, ...args: unknown[]) => Promise<string>> {
  const guarded =
    (fn: (...args: unknown[]) => Promise<unknown>) =>
    async (event: SenderInfo, ...args: unknown[]): Promise<string> => {
      if (!options.isTrusted(event)) return refuse('FORBIDDEN', 'this page may not use the desktop shell');
      try {
        return encodeJson(ok((await fn(...args)) ?? null));
      } catch (error) {
        return encodeJson(fail(error));
      }
    };
  return {
    pickFolder: guarded(() => options.pickFolder()),
    showInFolder: guarded(async (id) => {
      options.showItemInFolder(await options.itemPath(itemId(id)));
    }),
    openItem: guarded(async (id) => {
      const problem = await options.openPath(await options.openableFile(itemId(id)));
      if (problem) throw new TroveError('NOT_FOUND', `the file could not be opened: ${problem}`);
    }),
  };
}
