// Small pure pieces of browser mode's HTTP: the request's address, byte ranges (so an <audio> element can seek in a
// recording) and the token cookie (an <img> cannot send an Authorization header). [Note: browser-mode]

/** A request's address: the parsed URL and its path, percent-decoded. */
export interface RequestTarget {
  readonly url: URL;
  readonly path: string;
}

/**
 * The address a request names (`req.url`), or null when it cannot be read: a malformed percent-encoding anywhere in
 * its path (`/%E0%A4%A`, `/%zz`, an encoded lone surrogate), even in a segment that `..` would remove, or a target
 * that is no URL at all (`//[`). Either is the client's mistake, a 400, never a 500. [Note: fuzzing]
 */
export function requestTarget(raw: string | undefined): RequestTarget | null {
  const target = raw || '/';
  const query = target.search(/[?#]/);
  try {
    decodeURIComponent(query < 0 ? target : target.slice(0, query));
    const url = new URL(target, 'http://127.0.0.1');
    return { url, path: decodeURIComponent(url.pathname) };
  } catch {
    return null;
  }
}

export type RangeAnswer =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number } // inclusive, as in Content-Range
  | { readonly kind: 'unsatisfiable' };

/**
 * One `Range: bytes=…` request against a file of `size` bytes (RFC 9110 §14). A server may ignore a Range it does
 * not want to honour, so anything malformed, another unit, or several ranges at once get the whole file; only a
 * well-formed range that lies wholly past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'whole' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  // Compared exactly: past 2^53 Number() rounds, and 9007199254740993-9007199254740992 (an invalid range, to be
  // ignored) looked like a range starting past the end, a 416. Found by test/unit/fuzz/http.test.ts.
  if (last !== '' && BigInt(last) < BigInt(first)) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** Per port, so two `trove serve` on one machine (cookies ignore the port) never overwrite each other's token. */
export function cookieName(port: number): string {
  return `trove-${port}`;
}

/**
 * The Set-Cookie value that carries the launch token to later requests of this page (images, audio, the event
 * stream): HttpOnly, so no script reads it, and SameSite=Strict, so no other site's page sends it. No Max-Age: it
 * ends with the browser session, and a new launch has a new token anyway.
 */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
