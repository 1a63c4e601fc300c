// What the Electron preload puts on the page, and the names both sides of the IPC use. [Note: electron-shell]
// The renderer types `window.trove` / `window.troveShell` with these; the preload (src/main/preload) builds them
// from the contract in api.ts, and the main process (src/main/app) answers the channels named here.
import type { TroveApi, TroveEvents } from './api.js';
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
