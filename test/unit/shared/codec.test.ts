import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, fromBase64, toBase64 } from '../../../src/shared/codec.js';

describe('codec', () => {
  it('writes base64 as Node does, for every padding length', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100, 257]) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) & 255);
      expect(toBase64(bytes), String(len)).toBe(Buffer.from(bytes).toString('base64'));
      expect(Array.from(fromBase64(toBase64(bytes)))).toEqual(Array.from(bytes));
    }
  });

  it('carries Uint8Array values through JSON and leaves everything else alone', () => {
    const value = { thumb: { mime: 'image/webp', data: new Uint8Array([1, 2, 250]) }, list: [1, 'a', null], nested: { $bytes: 'x', other: 1 } };
    const back = decodeJson(encodeJson(value)) as typeof value;
    expect(back.thumb.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.thumb.data)).toEqual([1, 2, 250]);
    expect(back.list).toEqual([1, 'a', null]);
    expect(back.nested).toEqual({ $bytes: 'x', other: 1 });
  });

  it('reads deeply nested JSON, bytes at the bottom too (the reviver overflowed the stack; found by test/unit/fuzz/codec.test.ts)', () => {
    const depth = 50_000;
    const back = decodeJson(`${'['.repeat(depth)}{"$bytes":"AQL6"}${']'.repeat(depth)}`);
    let inner: unknown = back;
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    expect(inner).toEqual(new Uint8Array([1, 2, 250]));
    expect(() => decodeJson('{"a":'.repeat(depth))).toThrow(SyntaxError);
  });

  it('keeps a "__proto__" key an own property, bytes or not, as JSON.parse does', () => {
    const back = decodeJson('{"__proto__":{"$bytes":"AQ=="},"x":{"__proto__":{"polluted":true}}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual(new Uint8Array([1]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
