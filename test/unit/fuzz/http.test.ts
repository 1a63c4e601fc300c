// Properties of browser mode's request parsing: the request's address, byte ranges and the token cookie
// (src/main/server/http.ts), and media paths (src/shared/media.ts). The server as a whole: server.test.ts here.
// [Note: fuzzing]
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMediaVariant, MEDIA_VARIANTS, mediaPath, parseMediaPath } from '../../../src/shared/media.js';
import { cookieName, parseRange, readCookie, requestTarget, tokenCookie, type RangeAnswer } from '../../../src/main/server/http.js';
import { holds } from './fuzz.js';

const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: max });
const sizes = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 2 ** 32 }), fc.maxSafeNat());

/** RFC 9110 §14.1.2 for one `first-last` range, in exact integers (BigInt), however long the digits. */
function rangeOracle(first: string, last: string, size: number): RangeAnswer {
  const whole = { kind: 'whole' } as const;
  const unsatisfiable = { kind: 'unsatisfiable' } as const;
  const n = BigInt(size);
  if (first === '' && last === '') return whole; // "bytes=-" is no range
  if (first === '') {
    const suffix = BigInt(last);
    if (suffix === 0n || n === 0n) return unsatisfiable;
    return { kind: 'partial', start: Number(suffix >= n ? 0n : n - suffix), end: size - 1 };
  }
  const start = BigInt(first);
  if (last !== '' && BigInt(last) < start) return whole; // an invalid range is ignored
  if (start >= n) return unsatisfiable;
  const end = last === '' || BigInt(last) >= n ? n - 1n : BigInt(last);
  return { kind: 'partial', start: Number(start), end: Number(end) };
}

/** A first and last position: arbitrary digits, or numbers near each other (also past 2^53, where doubles round). */
const positions = fc.oneof(
  fc.tuple(digits(25), digits(25)),
  fc
    .tuple(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n }), fc.bigInt({ min: 2n ** 53n - 4n, max: 2n ** 53n + 4n })), fc.integer({ min: -3, max: 3 }))
    .map(([a, delta]) => [String(a), String(a + BigInt(delta) < 0n ? 0n : a + BigInt(delta))] as [string, string]),
);

const spaces = fc.constantFrom('', ' ', '  ', '\t');

/** Cookie names and values as RFC 6265 allows them (no separators, no whitespace, no `;`). */
const cookieToken = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.!#$%&*+^`|~'), minLength: 1, maxLength: 10 });
const cookieValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.!#$%&*+^`|~=/:?@[]'), maxLength: 12 });

describe('byte ranges', () => {
  it('never throws, and a partial range lies inside the file', async () => {
    await holds(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.constantFrom(...'bytes=-0123456789 ,\t'), maxLength: 30 })), sizes, (header, size) => {
        const r = parseRange(header, size);
        if (r.kind !== 'partial') return;
        expect(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end)).toBe(true);
        expect(0 <= r.start && r.start <= r.end && r.end < size).toBe(true);
      }),
      { runs: 3000 },
    );
  });

  it('answers a single range as RFC 9110 says, in exact arithmetic', async () => {
    await holds(
      fc.property(positions, sizes, fc.constantFrom('bytes', 'Bytes', 'BYTES'), spaces, spaces, ([first, last], size, unit, a, b) => {
        expect(parseRange(`${a}${unit}${b}=${a}${first}${b}-${a}${last}${b}`, size)).toEqual(rangeOracle(first, last, size));
      }),
      { runs: 4000 },
    );
  });
});

describe('the token cookie', () => {
  it('never throws on any header', async () => {
    await holds(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 10 }), (header, name) => {
        const v = readCookie(header, name);
        expect(v === null || typeof v === 'string').toBe(true);
      }),
      { runs: 2000 },
    );
  });

  it('reads the first cookie of a name among any others', async () => {
    await holds(
      fc.property(fc.array(fc.tuple(cookieToken, cookieValue), { maxLength: 6 }), cookieToken, fc.constantFrom(';', '; ', ' ;  '), (pairs, name, sep) => {
        const header = pairs.map(([n, v]) => `${n}=${v}`).join(sep);
        expect(readCookie(header, name)).toBe(pairs.find(([n]) => n === name)?.[1] ?? null);
      }),
      { runs: 2000 },
    );
  });

  it('hands back the launch token from the cookie the server set, per port', async () => {
    await holds(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')),
        fc.integer({ min: 1, max: 65535 }),
        fc.array(fc.tuple(cookieToken, cookieValue), { maxLength: 4 }),
        (token, port, others) => {
          fc.pre(!others.some(([n]) => n === cookieName(port)));
          const sent = tokenCookie(port, token).split(';')[0]!; // what a browser sends back: name=value
          const header = [...others.map(([n, v]) => `${n}=${v}`), sent].join('; ');
          expect(readCookie(header, cookieName(port))).toBe(token);
          expect(readCookie(header, cookieName(port === 65535 ? 1 : port + 1))).toBe(others.find(([n]) => n === cookieName(port === 65535 ? 1 : port + 1))?.[1] ?? null);
        },
      ),
      { runs: 1000 },
    );
  });
});

describe("the request's address", () => {
  /** Broken percent-encodings, judged by bytes and UTF-8 rather than by decodeURIComponent. */
  function brokenPercent(path: string): boolean {
    if (/%(?![0-9a-fA-F]{2})/.test(path)) return true;
    for (const run of path.match(/(?:%[0-9a-fA-F]{2})+/g) ?? []) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16)));
      } catch {
        return true;
      }
    }
    return false;
  }
  const target = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc
      .array(
        fc.oneof(
          fc.constantFrom('/', '%', '%2', '%zz', '%E0%A4%A', '%E0%A4%A4', '%ED%A0%80', '%F0%9F%98%80', '%C0%AF', '%2e', '..', '.', '?', '#', '[', '//', 'a', '%25'),
          fc.string({ unit: 'binary', maxLength: 4 }),
        ),
        { maxLength: 12 },
      )
      .map((parts) => `/${parts.join('')}`),
  );

  it('is null exactly when its path has a broken percent-encoding or it is no URL; else its path decodes', async () => {
    await holds(
      fc.property(target, (raw) => {
        const t = requestTarget(raw);
        let url = true;
        try {
          new URL(raw || '/', 'http://127.0.0.1');
        } catch {
          url = false;
        }
        expect(t === null).toBe(!url || brokenPercent((raw || '/').replace(/[?#][\s\S]*$/, '')));
        if (t) {
          expect(t.path.startsWith('/')).toBe(true);
          expect(t.path).toBe(decodeURIComponent(t.url.pathname));
        }
      }),
      { runs: 3000 },
    );
  });
});

describe('media paths', () => {
  it('never throws, and reads only the one path mediaPath writes for an item and variant', async () => {
    const pathish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom('/media/', '/media//', 'media/', '/MEDIA/', '/media/+', '/media/-', '/media/0'),
          fc.oneof(digits(20), fc.constantFrom('9007199254740991', '9007199254740992', '1e3', '0x10', ' 1')),
          fc.constantFrom('/', '//', '/./'),
          fc.oneof(fc.constantFrom(...MEDIA_VARIANTS, 'Small', 'huge', 'original/', 'large?v=1', '__proto__', 'constructor'), fc.string({ maxLength: 6 })),
        )
        .map((parts) => parts.join('')),
    );
    await holds(
      fc.property(pathish, (path) => {
        const m = parseMediaPath(path);
        if (!m) return;
        expect(Number.isSafeInteger(m.id) && m.id >= 1).toBe(true);
        expect(isMediaVariant(m.variant)).toBe(true);
        expect(mediaPath(m.id, m.variant)).toBe(path);
      }),
      { runs: 3000 },
    );
  });

  it('reads back every path it writes, the version riding in the query', async () => {
    await holds(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom(...MEDIA_VARIANTS),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 20 })),
        (id, variant, version) => {
          const url = new URL(mediaPath(id, variant, version), 'http://127.0.0.1');
          expect(parseMediaPath(url.pathname)).toEqual({ id, variant });
          expect(url.searchParams.get('v')).toBe(version ? version : null);
        },
      ),
      { runs: 2000 },
    );
  });
});
