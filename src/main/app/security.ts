// Who may talk to the main process, where the window may go, and what its pages may ask for. [Note: electron-shell]
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

/** A navigation as `will-frame-navigate` reports it (Electron ≥ 25): in any frame of the page, the main one included. */
export interface FrameNavigation {
  readonly url: string;
  readonly isMainFrame: boolean;
  preventDefault(): void;
}

/**
 * The navigation rule of `onNavigate` for every frame: no frame leaves the app's pages. `will-navigate` sees only
 * the main frame; `will-frame-navigate` also sees iframes, which the CSP's `frame-src 'none'` should already keep
 * off the page — this is the second lock. The main frame is treated exactly as by `onNavigate` (Electron emits
 * `will-navigate` first and skips `will-frame-navigate` once it is prevented, so a link opens the browser once).
 * A subframe's navigation away is only stopped: Trove makes no frames, so nothing in one may choose what the
 * default browser opens.
 */
export function onFrameNavigate(shell: ExternalOpener): (details: FrameNavigation) => void {
  const navigate = onNavigate(shell);
  return (details) => {
    if (details.isMainFrame) return navigate(details, details.url);
    if (!isAppUrl(details.url)) details.preventDefault();
  };
}

/** `window.open` and target=_blank never make a window: http(s) goes to the default browser, the rest nowhere. */
export function onWindowOpen(shell: ExternalOpener): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (isExternalHttp(url)) void shell.openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  };
}

/**
 * The web permissions an app page may have. [Note: permissions]
 * Chromium asks the session twice: a permission *check* (`setPermissionCheckHandler`: synchronous, made by
 * `navigator.permissions.query`, by the device APIs before they list anything, and by most APIs before they
 * request) and a permission *request* (`setPermissionRequestHandler`: the prompt a browser would show). Electron
 * answers yes to both when no handler is set, so Trove sets both, and both ask `permissionAllowed`, so they cannot
 * disagree. The UI uses no permission-gated API (no camera, microphone, notifications, geolocation, devices,
 * Fullscreen API, clipboard reads): copy and paste go through the Edit menu's roles (`webContents.copy()`, no
 * permission) and full screen through the View menu's (the window's own, not the page's). The one permission
 * kept is `clipboard-sanitized-write` (the async clipboard's writeText/write): write only, sanitised, and what
 * Chromium grants any focused page without asking — so the same UI behaves alike in the app and in browser mode.
 * `fullscreen` is no longer granted: nothing on the page asks for it, and a page that can take the whole screen
 * can draw a fake system dialog. Everything else, and anything asked by a frame that is not an app page's main
 * frame, is refused.
 */
export const PAGE_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Who asks for a permission: the page of the web contents, and the frame that asks. */
export interface PermissionAsker {
  /** The web contents' URL, or null where Chromium names no web contents (a check for a service worker). */
  readonly pageUrl: string | null;
  /** The asking frame's URL or origin. */
  readonly frameUrl: string;
  readonly isMainFrame: boolean;
}

/** Whether a permission is allowed: one of PAGE_PERMISSIONS, asked by the main frame of an app page. [Note: permissions] */
export function permissionAllowed(permission: string, asker: PermissionAsker): boolean {
  return PAGE_PERMISSIONS.has(permission) && asker.isMainFrame && asker.pageUrl !== null && isAppUrl(asker.pageUrl) && isAppUrl(asker.frameUrl);
}

/** The part of a web contents the permission handlers read. */
export interface PermissionContents {
  getURL(): string;
}

/** `session.setPermissionRequestHandler`: grants what `permissionAllowed` allows, refuses the rest. */
export function onPermissionRequest(
  contents: PermissionContents,
  permission: string,
  grant: (granted: boolean) => void,
  details: { readonly requestingUrl: string; readonly isMainFrame: boolean },
): void {
  grant(permissionAllowed(permission, { pageUrl: contents.getURL(), frameUrl: details.requestingUrl, isMainFrame: details.isMainFrame }));
}

/** `session.setPermissionCheckHandler`: the same answer, given synchronously, for the origin that asks. */
export function onPermissionCheck(
  contents: PermissionContents | null,
  permission: string,
  requestingOrigin: string,
  details: { readonly isMainFrame: boolean },
): boolean {
  return permissionAllowed(permission, { pageUrl: contents?.getURL() ?? null, frameUrl: requestingOrigin, isMainFrame: details.isMainFrame });
}
