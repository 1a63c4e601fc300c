// Who may talk to the main process, and where the window may go. [Note: electron-shell]
// The page is the app's own (`trove://app/…`, served from the built renderer); nothing else is ever loaded in the
// window, links to the web open in the default browser, and every IPC call is checked against the main window's
// top frame before it reaches the engine.
import { APP_HOST, APP_SCHEME, MEDIA_SCHEME } from '../../shared/bridge.js';

/** The app's start page. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The Content-Security-Policy of the app's pages, sent as a header by the `trove:` protocol (the renderer's
 * <meta> tag is only a fallback and may be stricter, never looser). Scripts only from the app itself; images,
 * sound and note text also from `trove-media:`; no inline styles or scripts (Svelte's style directives set CSSOM
 * properties, which CSP allows; the e2e suite checks the page raises no CSP violation).
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  `img-src 'self' data: blob: ${MEDIA_SCHEME}:`,
  `media-src 'self' blob: ${MEDIA_SCHEME}:`,
  "font-src 'self' data:",
  `connect-src 'self' ${MEDIA_SCHEME}:`,
  "manifest-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether a URL is one of the app's own pages. Compared by scheme and host: Node's URL gives `origin` "null" for
 * schemes it does not know, so an origin comparison would let nothing (or, carelessly, everything) through.
 */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** Links the default browser may open: http and https only (never file:, javascript:, custom schemes). */
export function isExternalHttp(url: string): boolean {
  const u = parse(url);
  return u !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
}

/** What an IPC event tells about its sender (the parts of IpcMainInvokeEvent this check reads). */
export interface SenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/**
 * A check for IPC senders: the call must come from the main window's web contents, from its top frame (no
 * iframe), showing an app page. `mainContentsId` answers the id of the main window's web contents, or null
 * while there is none.
 */
export function trustedSender(mainContentsId: () => number | null): (event: SenderInfo) => boolean {
  return (event) => {
    const id = mainContentsId();
    const frame = event.senderFrame;
    return id !== null && event.sender.id === id && frame !== null && frame.parent === null && isAppUrl(frame.url);
  };
}

/** The part of Electron's shell the navigation guard uses. */
export interface ExternalOpener {
  openExternal(url: string): Promise<void>;
}

/**
 * What to do with a navigation the page starts (a link, `location =`): stay if it is an app page, otherwise stop
 * it, and hand http(s) links to the default browser.
 */
export function onNavigate(shell: ExternalOpener): (event: { preventDefault(): void }, url: string) => void {
  return (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isExternalHttp(url)) void shell.openExternal(url).catch(() => undefined);
  };
}

/** `window.open` and target=_blank never make a window: http(s) goes to the default browser, the rest nowhere. */
export function onWindowOpen(shell: ExternalOpener): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (isExternalHttp(url)) void shell.openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  };
}
