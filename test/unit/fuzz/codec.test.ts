// Properties of the JSON codec that carries bytes across HTTP and IPC (src/shared/codec.ts). [Note: fuzzing]
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, fromBase64, toBase64 } from '../../../src/shared/codec.js';
import { holds } from './fuzz.js';

/** `{ "$bytes": string }` is the codec's own shape: a value of that shape comes back as bytes, by design. */
const bytesShaped = (o: Record<string, unknown>) => Object.keys(o).length === 1 && typeof o.$bytes === 'string';

const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), // JSON has no -0, NaN, ∞
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
);

/** JSON-like values with Uint8Array anywhere, keys included that mean something to JavaScript. */
const { value } = fc.letrec<{ value: unknown; list: unknown[]; record: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('record')),
  list: fc.array(tie('value'), { maxLength: 5 }),
  record: fc
    .dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('$bytes', '__proto__', 'constructor', 'toString')), tie('value'), {
      maxKeys: 5,
      noNullPrototype: true,
    })
    .filter((o) => !bytesShaped(o)),
}));

/** Text that is JSON, nearly JSON, deeply nested JSON, or anything at all. */
const jsonish = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '$bytes', '"$bytes":', '1', 'e', '-', 'null', ' ', '\\', 'u', '\ud800'), maxLength: 60 }),
  fc.json({ maxDepth: 4 }),
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.string({ maxLength: 3 })).map(([j, at, s]) => j.slice(0, at % (j.length + 1)) + s + j.slice(at % (j.length + 1))),
  fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"$bytes":"AA=="},', ']']), fc.boolean()).map(
    ([depth, [open, close], closed]) => open.repeat(depth) + (open === '{"a":' ? '1' : '') + (closed ? close.repeat(depth) : ''),
  ),
);

describe('codec properties', () => {
  it('writes base64 as Node does and reads it back', async () => {
    await holds(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(bytes);
        // Whitespace and line breaks (MIME's 76-column lines) are skipped.
        expect(fromBase64(text.replace(/.{1,7}/g, '$&\r\n '))).toEqual(bytes);
      }),
      { runs: 2000 },
    );
  });

  it('reads any string as base64 without throwing, at most three bytes per four characters', async () => {
    await holds(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const bytes = fromBase64(text);
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect(bytes.length).toBeLessThanOrEqual(Math.ceil((text.length * 3) / 4));
      }),
      { runs: 2000 },
    );
  });

  it('gives back any JSON-like value with bytes inside', async () => {
    await holds(
      fc.property(value, (v) => {
        expect(decodeJson(encodeJson(v))).toEqual(v);
      }),
      { runs: 1500 },
    );
  });

  it('reads any text without throwing anything but a SyntaxError', async () => {
    await holds(
      fc.property(jsonish, (text) => {
        let threw: unknown = null;
        try {
          decodeJson(text);
        } catch (error) {
          threw = error;
        }
        if (threw !== null) expect(threw).toBeInstanceOf(SyntaxError);
        // What JSON.parse accepts, decodeJson accepts.
        let parsed = true;
        try {
          JSON.parse(text);
        } catch {
          parsed = false;
        }
        expect(threw === null).toBe(parsed);
      }),
      { runs: 1500, limitMs: 2_500 },
    );
  });
});
