// JSON across a byte-less boundary (HTTP, the event stream): Uint8Array values (thumbnails) travel as
// { "$bytes": "<base64>" } and come back as Uint8Array. Pure, so the server and every client share it.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += ALPHABET[a >> 2]! + ALPHABET[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : ALPHABET[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : ALPHABET[c & 63]!;
  }
  return out;
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let n = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const v = [0, 1, 2, 3].map((k) => ALPHABET.indexOf(clean[i + k] ?? 'A'));
    const bits = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    const have = Math.min(4, clean.length - i);
    if (have > 1) out[n++] = (bits >> 16) & 255;
    if (have > 2) out[n++] = (bits >> 8) & 255;
    if (have > 3) out[n++] = bits & 255;
  }
  return out.subarray(0, n);
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: toBase64(v) } : v));
}

const isBytes = (v: unknown): v is { $bytes: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $bytes?: unknown }).$bytes === 'string' && Object.keys(v).length === 1;

/**
 * JSON text back to a value, `{ "$bytes": … }` objects to Uint8Array. Throws a SyntaxError, and nothing else, when
 * the text is not JSON. The bytes are found by a walk with a stack of its own rather than JSON.parse's reviver,
 * which recurses: a few thousand nested brackets overflowed the call stack (a RangeError; found by
 * test/unit/fuzz/codec.test.ts). [Note: fuzzing]
 */
export function decodeJson(text: string): unknown {
  const root: unknown = JSON.parse(text);
  if (isBytes(root)) return fromBase64(root.$bytes);
  const stack: object[] = typeof root === 'object' && root !== null ? [root] : [];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const key of Object.keys(node)) {
      const v: unknown = (node as Record<string, unknown>)[key];
      // Defined, not assigned: a key named "__proto__" is an own property here, as JSON.parse made it.
      if (isBytes(v)) Object.defineProperty(node, key, { value: fromBase64(v.$bytes), writable: true, enumerable: true, configurable: true });
      else if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return root;
}
