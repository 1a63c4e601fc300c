// Who may call the main process, and where the window may go. [Note: electron-shell]
import { describe, expect, it, vi } from 'vitest';
import { APP_CSP, APP_URL, isAppUrl, isExternalHttp, onNavigate, onWindowOpen, trustedSender, type SenderInfo } from '../../../src/main/app/security.js';

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

  it('never opens a window', () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const open = onWindowOpen(shell);
    expect(open({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(open({ url: 'trove://app/other' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///bin/sh' })).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls).toEqual([['https://example.org/']]);
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
