// Which client the page talks through: the Electron preload's `window.trove` (IPC) when it is there, else browser
// mode's HTTP client. The UI is written once against the contract and gets one of these injected.
// [Note: ui-transports]
import type { TroveApi, TroveEvents } from '../../shared/api.js';
import { fromBridge, fromShellBridge, type TroveShell, type TroveWindow } from '../../shared/bridge.js';
import type { MediaVariant } from '../../shared/media.js';
import { httpApi, httpMediaUrl } from './http.js';
import { takeToken } from './token.js';

export type MediaUrl = (id: number, variant: MediaVariant, version?: string | null) => string;

export interface Connection {
  readonly api: TroveApi & TroveEvents;
  readonly mediaUrl: MediaUrl;
  readonly mode: 'desktop' | 'browser';
  /** Desktop-only abilities (native folder picker, show in folder); null in browser mode. */
  readonly shell: TroveShell | null;
  /** Browser mode: whether the server can be reached, as it changes (the desktop app's engine never goes away). */
  readonly onReachable: ((listener: (up: boolean) => void) => () => void) | null;
}

export function connect(win: Window & TroveWindow): Connection {
  if (win.trove) {
    const bridge = fromBridge(win.trove);
    return {
      api: bridge,
      mediaUrl: (id, variant, version) => bridge.mediaUrl(id, variant, version),
      mode: 'desktop',
      shell: win.troveShell ? fromShellBridge(win.troveShell) : null,
      onReachable: null,
    };
  }
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null; // storage blocked: the cookie still carries the token
  }
  const { token, cleanHref } = takeToken(win.location.href, storage);
  if (cleanHref) win.history.replaceState(win.history.state, '', cleanHref);
  const base = win.location.origin;
  const api = httpApi({
    base,
    token,
    fetch: (url, init) => win.fetch(url, init),
    eventSource: (url) => new EventSource(url),
  });
  return { api, mediaUrl: httpMediaUrl(base), mode: 'browser', shell: null, onReachable: api.onReachable };
}
