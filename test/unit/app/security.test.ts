// Who may call the main process, and where the window may go. [Note: electron-shell]
import { describe, expect, it, vi } from 'vitest';
import {
  APP_CSP,
  APP_URL,
  isAppUrl,
  isExternalHttp,
  onFrameNavigate,
  onNavigate,
  onPermissionCheck,
  onPermissionRequest,
  onWindowOpen,
  PAGE_PERMISSIONS,
  permissionAllowed,
  trustedSender,
  type SenderInfo,
} from '../../../src/main/app/security.js';

const MAIN = 7;
const event = (url: string | null, id = MAIN, parent: unknown = null): SenderInfo => ({
  sender: { id },
  senderFrame: url === null ? null : { url, parent },
});

describe('app pages', () => {
  it('are trove://app/ and nothing else', () => {
    expect(isAppUrl(APP_URL)).toBe(true);
    expect(isAppUrl('trove://app/library?x=1#y')).toBe(true);
    for (const url of [
      'trove://evil/index.html',
      'trove://app.evil/index.html',
      'trove://user:pw@app/index.html',
      'trove-media://library/media/1/small',
      'https://app/index.html',
      'file:///index.html',
      'http://127.0.0.1:5173/',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('open in the default browser only when they are http or https', () => {
    expect(isExternalHttp('https://example.org/a')).toBe(true);
    expect(isExternalHttp('http://example.org')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'trove://app/', 'smb://host/share', 'mailto:a@b.c', 'https:', 'nonsense']) {
      expect(isExternalHttp(url), url).toBe(false);
    }
  });
});

describe('the IPC sender check', () => {
  const check = trustedSender(() => MAIN);

  it('accepts the main window’s top frame on an app page', () => {
    expect(check(event('trove://app/index.html'))).toBe(true);
  });

  it('refuses other web contents, iframes, other pages, and destroyed frames', () => {
    expect(check(event('trove://app/index.html', MAIN + 1))).toBe(false);
    expect(check(event('trove://app/index.html', MAIN, { url: 'trove://app/' }))).toBe(false);
    expect(check(event('https://evil.example/'))).toBe(false);
    expect(check(event('file:///home/me/page.html'))).toBe(false);
    expect(check(event(null))).toBe(false);
  });

  it('refuses everything while there is no main window', () => {
    expect(trustedSender(() => null)(event('trove://app/index.html'))).toBe(false);
  });
});

describe('navigation and new windows', () => {
  it('lets the page move between app pages, stops everything else, hands web links to the browser', () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const guard = onNavigate(shell);
    const prevented = (url: string) => {
      const e = { preventDefault: vi.fn() };
      guard(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(prevented('trove://app/item/3')).toBe(false);
    expect(prevented('https://example.org/')).toBe(true);
    expect(prevented('file:///etc/passwd')).toBe(true);
    expect(prevented('javascript:alert(1)')).toBe(true);
    expect(shell.openExternal.mock.calls).toEqual([['https://example.org/']]);
  });

  it('holds every frame to the same rule: the main frame as will-navigate, a subframe stopped without a browser', () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const guard = onFrameNavigate(shell);
    const prevented = (url: string, isMainFrame: boolean) => {
      const details = { url, isMainFrame, preventDefault: vi.fn() };
      guard(details);
      return details.preventDefault.mock.calls.length > 0;
    };
    for (const isMainFrame of [true, false]) {
      expect(prevented('trove://app/item/3', isMainFrame)).toBe(false);
      expect(prevented('trove://evil/index.html', isMainFrame)).toBe(true);
      expect(prevented('trove-media://library/media/1/small', isMainFrame)).toBe(true);
      expect(prevented('file:///etc/passwd', isMainFrame)).toBe(true);
      expect(prevented('javascript:alert(1)', isMainFrame)).toBe(true);
      expect(prevented('about:blank', isMainFrame)).toBe(true);
    }
    expect(prevented('https://example.org/main', true)).toBe(true);
    expect(prevented('https://example.org/frame', false)).toBe(true);
    expect(shell.openExternal.mock.calls).toEqual([['https://example.org/main']]);
  });

  it('never opens a window', () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const open = onWindowOpen(shell);
    expect(open({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'trove://app/other' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///bin/sh' })).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls).toEqual([['https://example.org/']]);
  });
});

describe('permissions', () => {
  const page = { getURL: () => APP_URL };
  const main = { requestingUrl: APP_URL, isMainFrame: true };
  const request = (contents: { getURL(): string }, permission: string, details: { requestingUrl: string; isMainFrame: boolean } = main) => {
    let granted: boolean | null = null;
    onPermissionRequest(contents, permission, (ok) => (granted = ok), details);
    return granted;
  };
  const check = (contents: { getURL(): string } | null, permission: string, origin = 'trove://app/', isMainFrame = true) =>
    onPermissionCheck(contents, permission, origin, { isMainFrame });

  it('are none but writing to the clipboard', () => {
    expect([...PAGE_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
  });

  it('let the main frame of an app page write to the clipboard, asked or checked', () => {
    expect(request(page, 'clipboard-sanitized-write')).toBe(true);
    expect(check(page, 'clipboard-sanitized-write')).toBe(true);
    expect(check(page, 'clipboard-sanitized-write', 'trove://app')).toBe(true);
  });

  it('refuse everything else an app page might ask for, requests and checks alike', () => {
    for (const permission of [
      'fullscreen',
      'clipboard-read',
      'deprecated-sync-clipboard-read',
      'media',
      'display-capture',
      'geolocation',
      'notifications',
      'openExternal',
      'fileSystem',
      'hid',
      'serial',
      'usb',
      'midi',
      'midiSysex',
      'pointerLock',
      'keyboardLock',
      'idle-detection',
      'persistent-storage',
      'storage-access',
      'window-management',
      'unknown',
      'constructor',
      '',
    ]) {
      expect(request(page, permission), permission).toBe(false);
      expect(check(page, permission), permission).toBe(false);
    }
  });

  it('refuse pages that are not the app’s, frames that are not its main frame, and checks with no web contents', () => {
    const web = { getURL: () => 'https://evil.example/' };
    expect(request(web, 'clipboard-sanitized-write', { requestingUrl: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(request(page, 'clipboard-sanitized-write', { requestingUrl: 'https://evil.example/', isMainFrame: false })).toBe(false);
    expect(request(page, 'clipboard-sanitized-write', { requestingUrl: APP_URL, isMainFrame: false })).toBe(false);
    expect(check(web, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check(page, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check(page, 'clipboard-sanitized-write', 'null')).toBe(false);
    expect(check(page, 'clipboard-sanitized-write', 'trove://app/', false)).toBe(false);
    expect(check(null, 'clipboard-sanitized-write')).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', { pageUrl: 'file:///index.html', frameUrl: APP_URL, isMainFrame: true })).toBe(false);
  });
});

describe('the CSP', () => {
  const directives = new Map(APP_CSP.split(/;\s*/).map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

  it('runs only the app’s own scripts and loads media only from the media scheme', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toContain('trove-media:');
    expect(directives.get('media-src')).toContain('trove-media:');
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(APP_CSP).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
  });
});
