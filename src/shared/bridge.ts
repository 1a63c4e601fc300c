// What the Electron preload puts on the page, and the names both sides of the IPC use. [Note: electron-shell]
// The renderer types `window.trove` / `window.troveShell` with these; the preload (src/main/preload) builds them
// from the contract in api.ts, and the main process (src/main/app) answers the channels named here.
import { OPERATION_NAMES, type TroveApi, type TroveEvents } from './api.js';
import { isErrorCode, TroveError, type ErrorCode } from './errors.js';
import { mediaPath, type MediaVariant } from './media.js';

/** `window.trove`: the whole API contract over IPC, its events, and where the page loads an item's media. */
export type TroveBridge = TroveApi &
  TroveEvents & {
    /** A `trove-media:` URL for an item's thumbnail or original file (see media.ts); `version` busts caches. */
    mediaUrl(id: number, variant: MediaVariant, version?: string | null): string;
  };

/**
 * `window.troveShell`: the few things only the desktop can do. The main process looks an item's path up in the
 * library itself; the page never hands it a path.
 */
export interface TroveShell {
  /** The native folder picker; null when the person cancels. */
  pickFolder(): Promise<string | null>;
  /** Reveals the item's file in the system file manager. */
  showInFolder(id: number): Promise<void>;
  /** Opens the item's file with its default application. */
  openItem(id: number): Promise<void>;
}

/**
 * What a failed call on `window.trove` or `window.troveShell` rejects with. An Error keeps only its message when it
 * crosses Electron's contextBridge (electron/electron#25596), so the preload rejects with this plain object, which
 * crosses whole; `fromBridge` makes it a TroveError again.
 */
export interface BridgeError {
  readonly name: 'TroveError';
  readonly code: ErrorCode;
  readonly message: string;
}

/** A rejection from the bridge as a TroveError (anything else is passed through as it is). */
export function reviveBridgeError(error: unknown): unknown {
  if (error && typeof error === 'object' && !(error instanceof TroveError)) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (isErrorCode(code)) return new TroveError(code, typeof message === 'string' ? message : code);
  }
  return error;
}

/**
 * The renderer's side of the bridge: `window.trove` with failures thrown as TroveErrors, as every other client
 * of the contract throws them. Use this rather than `window.trove` itself.
 */
export function fromBridge(bridge: TroveBridge): TroveBridge {
  const api: Record<string, unknown> = {
    on: bridge.on.bind(bridge),
    mediaUrl: bridge.mediaUrl.bind(bridge),
  };
  for (const op of OPERATION_NAMES) {
    const call = bridge[op] as (req: unknown) => Promise<unknown>;
    api[op] = async (req: unknown) => {
      try {
        return await call(req);
      } catch (error) {
        throw reviveBridgeError(error);
      }
    };
  }
  return api as unknown as TroveBridge;
}

/** The same for `window.troveShell`. */
export function fromShellBridge(shell: TroveShell): TroveShell {
  const revive =
    <A extends unknown[], T>(fn: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw reviveBridgeError(error);
      }
    };
  return {
    pickFolder: revive(() => shell.pickFolder()),
    showInFolder: revive((id: number) => shell.showInFolder(id)),
    openItem: revive((id: number) => shell.openItem(id)),
  };
}

/** For the renderer: `window as TroveWindow`; both are absent in browser mode. */
export interface TroveWindow {
  readonly trove?: TroveBridge;
  readonly troveShell?: TroveShell;
}

/** IPC channel names. Requests and results cross as JSON text (codec.ts), so bytes survive as they do over HTTP. */
export const IPC = {
  /** invoke(op, requestJson) → resultJson: one operation of the contract. */
  call: 'trove:call',
  /** send(name, payloadJson): an event of the contract, main → page. */
  event: 'trove:event',
  pickFolder: 'trove-shell:pickFolder',
  showInFolder: 'trove-shell:showInFolder',
  openItem: 'trove-shell:openItem',
} as const;

/** The app's own pages: `trove://app/…`, served from the built renderer only. */
export const APP_SCHEME = 'trove';
export const APP_HOST = 'app';
/** Thumbnails and originals: `trove-media://library/media/<id>/<variant>`. */
export const MEDIA_SCHEME = 'trove-media';
export const MEDIA_HOST = 'library';

export function mediaUrl(id: number, variant: MediaVariant, version?: string | null): string {
  return `${MEDIA_SCHEME}://${MEDIA_HOST}${mediaPath(id, variant, version)}`;
}
