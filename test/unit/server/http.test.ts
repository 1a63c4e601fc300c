// Pure HTTP helpers of browser mode: byte ranges (audio seeking) and the token cookie.
import { describe, expect, it } from 'vitest';
import { cookieName, parseRange, readCookie, requestTarget, tokenCookie } from '../../../src/main/server/http.js';

describe('parseRange', () => {
  it('answers the whole file without a usable Range header', () => {
    for (const h of [undefined, '', 'items=0-10', 'bytes=', 'bytes=abc', 'bytes=5-2', 'bytes=0-10,20-30', 'bytes=--5']) {
      expect(parseRange(h, 100), String(h)).toEqual({ kind: 'whole' });
    }
  });

  it('answers closed, open-ended and suffix ranges, clamped to the file', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ kind: 'partial', start: 50, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(parseRange(' bytes = 3 - 4 ', 100)).toEqual({ kind: 'partial', start: 3, end: 4 });
  });

  it('refuses a range that starts past the end, an empty suffix, or any range of an empty file', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=200-300', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('parseRange past 2^53', () => {
  it('ignores a range whose last position is below its first, however long the numbers (found by test/unit/fuzz/http.test.ts)', () => {
    expect(parseRange('bytes=9007199254740993-9007199254740992', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=9627435428135900-9627435428135899', 0)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=9007199254740992-9007199254740993', 100)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('requestTarget', () => {
  it('reads the path, percent-decoded, with dot-segments resolved', () => {
    expect(requestTarget('/assets/a%20b.js?v=1')).toMatchObject({ path: '/assets/a b.js' });
    expect(requestTarget('/a/%2e%2e/b')?.path).toBe('/b');
    expect(requestTarget('/%E2%82%AC')?.path).toBe('/€');
    expect(requestTarget('/x?q=%zz')?.path).toBe('/x'); // the query is read leniently, by URLSearchParams
  });

  it('refuses a broken percent-encoding anywhere in the path, and an address that is no URL', () => {
    for (const raw of ['/%E0%A4%A', '/%', '/%zz', '/%ED%A0%80', '/%C0%AF', '/a/%zz/..', '//[', '//a:99999/', 'http://[/']) {
      expect(requestTarget(raw), raw).toBeNull();
    }
  });
});

describe('token cookie', () => {
  it('is named per port, HttpOnly and SameSite=Strict, for the whole site, for this session only', () => {
    expect(cookieName(5173)).toBe('trove-5173');
    const header = tokenCookie(5173, 'abc_DEF-123');
    expect(header).toBe('trove-5173=abc_DEF-123; Path=/; HttpOnly; SameSite=Strict');
  });

  it('reads one cookie among several, and nothing from a missing or malformed header', () => {
    expect(readCookie('a=1; trove-80=tok; b=2', 'trove-80')).toBe('tok');
    expect(readCookie('trove-800=other; trove-80=tok', 'trove-80')).toBe('tok');
    expect(readCookie('trove-800=other', 'trove-80')).toBeNull();
    expect(readCookie(undefined, 'trove-80')).toBeNull();
    expect(readCookie('trove-80', 'trove-80')).toBeNull();
  });
});
