// Browser mode's server (src/main/server/server.ts) under generated requests, sent as raw bytes over a socket so
// that nothing on the client side tidies them: random methods, paths (percent-encodings valid and broken,
// dot-segments, very long), Host, Authorization, Cookie, Origin and Range headers, and bodies. The server runs in
// this process with a stand-in for the contract and a static folder with secrets beside it. [Note: fuzzing]
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOperationName, OPERATION_NAMES } from '../../../src/shared/api.js';
import { decodeJson } from '../../../src/shared/codec.js';
import { TroveError } from '../../../src/shared/errors.js';
import { parseMediaPath } from '../../../src/shared/media.js';
import { parseRange, readCookie } from '../../../src/main/server/http.js';
import { serve, type RunningServer, type ServedApi } from '../../../src/main/server/server.js';
import { tempDir } from '../../helpers.js';
import { holds } from './fuzz.js';

const TOKEN = 'fuzz-token_0123456789abcdefghijklmnop';

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends `request` as it is and reads the answer to the end (an event stream: to its headers). Rejects after 5 s.
 * With `hangUpAfterMs`, the client stops sending after that long (a request cut short is then answered or dropped).
 */
function exchange(port: number, request: Buffer, hangUpAfterMs?: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (streaming: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const head = all.indexOf('\r\n\r\n');
      if (head < 0) return reject(new Error(`no answer (${all.length} bytes: ${JSON.stringify(all.toString('latin1').slice(0, 80))})`));
      const [statusLine = '', ...lines] = all.subarray(0, head).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const raw = all.subarray(head + 4);
      const body = streaming ? Buffer.alloc(0) : headers['transfer-encoding'] === 'chunked' ? dechunk(raw) : raw;
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error('the server did not answer within 5 s'));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const seen = Buffer.concat(chunks);
      const head = seen.indexOf('\r\n\r\n');
      if (head >= 0 && /\r\ncontent-type: text\/event-stream/i.test(seen.subarray(0, head).toString('latin1'))) finish(true);
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', () => finish(false)); // a reset after the answer (the server closes on a bad request)
    socket.write(request);
    if (hangUpAfterMs !== undefined) setTimeout(() => socket.end(), hangUpAfterMs);
  });
}

// ---- generated requests ----------------------------------------------------------------------------------------
// PORT and GOOD stand for this server's port and token, filled in when the request is sent.

const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('index.html', 'assets', 'app-abc123.js', 'favicon.ico', 'secret.txt', 'static', 'static-evil', '') },
  { weight: 3, arbitrary: fc.constantFrom('events', 'search', 'listRoots', 'status', 'constructor', '1', '2', '01', '9007199254740993', 'small', 'large', 'original', 'huge') },
  { weight: 3, arbitrary: fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', '..%2f..', '..%5c..', '...', '%2e%2e%2f', '..\\..', '%00', '%2fetc%2fpasswd') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '_'))) },
  { weight: 2, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%zz', '%ED%A0%80', '%C0%AF', '%2', '%%', '%FF', '%E0%A4', '%e2%82', 'a%') },
  { weight: 2, arbitrary: printable },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => 'a'.repeat(n)) },
);
const path = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('/', '/', '/api/', '/api/', '/media/', '/media/1/', '/assets/', '//', '/static/', 'http://127.0.0.1:PORT/') },
      { weight: 1, arbitrary: fc.constantFrom('*', '//[', '', '/api/%E0%A4%A') },
    ),
    fc.array(segment, { maxLength: 5 }),
    fc.option(fc.constantFrom('?token=GOOD', '?token=bad', '?v=1', '?token=GOOD&v=2', '?token=%zz', '#frag', '?'), { nil: '' }),
  )
  .map(([prefix, segments, query]) => prefix + segments.join('/') + query);

const header = (name: string, values: fc.Arbitrary<string>) => fc.option(values.map((v) => `${name}: ${v}\r\n`), { nil: '' });
const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 40 });

const request = fc.record({
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,8}$/) },
  ),
  path,
  host: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('Host: 127.0.0.1:PORT\r\n', 'Host: localhost:PORT\r\n') },
    { weight: 1, arbitrary: header('Host', fc.constantFrom('evil.example', '127.0.0.1', 'localhost', 'LOCALHOST:PORT', '127.0.0.1:PORT.evil.example', '[::1]:PORT', '')) },
  ),
  authorization: header('Authorization', fc.oneof(fc.constantFrom('Bearer GOOD', 'Bearer bad', 'bearer GOOD', 'Bearer  GOOD', 'Bearer GOODx', 'Basic R09PRA=='), latin1)),
  cookie: header('Cookie', fc.oneof(fc.constantFrom('trove-PORT=GOOD', 'trove-PORT=bad', 'a=1; trove-PORT=GOOD', 'trove-1=GOOD', 'trove-PORT="GOOD"'), latin1)),
  origin: header('Origin', fc.constantFrom('http://127.0.0.1:PORT', 'http://localhost:PORT', 'http://evil.example', 'null')),
  range: header('Range', fc.oneof(fc.stringMatching(/^bytes=\d{0,4}-\d{0,4}$/), fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=999-', 'bytes=1000-', 'bytes=0-1,5-6', 'items=0-1'), latin1)),
  body: fc.oneof(fc.constant(''), fc.constantFrom('{}', '{"query":"red"}', '[]', 'null', '{"$bytes":"AA=="}', '{'), latin1, fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n))),
});
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

describe('browser mode server under generated requests', () => {
  const tmp = tempDir('fuzz-server');
  const staticDir = join(tmp.dir, 'static');
  const media = join(tmp.dir, 'media.bin');
  const STATIC: Record<string, string> = {
    'index.html': '<!doctype html><title>Trove</title>',
    'assets/app-abc123.js': 'console.log("app")',
    'favicon.ico': 'icon',
  };
  const SECRETS = ['SECRET beside the static folder', 'SECRET in a sibling that shares its name'];
  const mediaBytes = randomBytes(1000);
  let server: RunningServer;
  let port = 0;
  const answered = { byHandler: 0, byParser: 0 };

  beforeAll(async () => {
    for (const [name, text] of Object.entries(STATIC)) {
      mkdirSync(join(staticDir, name, '..'), { recursive: true });
      writeFileSync(join(staticDir, name), text);
    }
    writeFileSync(join(tmp.dir, 'secret.txt'), SECRETS[0]!);
    mkdirSync(join(tmp.dir, 'static-evil'));
    writeFileSync(join(tmp.dir, 'static-evil', 'secret.txt'), SECRETS[1]!);
    writeFileSync(media, mediaBytes);
    const api: Record<string, unknown> = {};
    for (const op of OPERATION_NAMES) api[op] = async () => ({ fine: true });
    api.on = () => () => undefined;
    api.mediaFile = async (id: number) => {
      if (id !== 1) throw new TroveError('NOT_FOUND', 'no such item');
      return { file: media, mime: 'audio/wav' };
    };
    server = await serve(api as unknown as ServedApi, { token: TOKEN, staticDir, maxBodyBytes: 16 * 1024 });
    port = Number(new URL(server.origin).port);
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  const fill = (text: string) => text.replaceAll('PORT', String(port)).replaceAll('GOOD', TOKEN);

  const bodyOf = (r: Request) => (r.method !== 'GET' && r.method !== 'HEAD' ? r.body : '');

  function render(r: Request): Buffer {
    const body = bodyOf(r);
    const head = `${r.method} ${fill(r.path)} HTTP/1.1\r\n${fill(r.host + r.authorization + r.cookie + r.origin + r.range)}`;
    return Buffer.from(`${head}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\n\r\n${body}`, 'latin1');
  }

  /** Whether a path's percent-encodings are broken, judged by bytes and UTF-8 rather than by decodeURIComponent. */
  function brokenPercent(path: string): boolean {
    if (/%(?![0-9a-fA-F]{2})/.test(path)) return true;
    for (const run of path.match(/(?:%[0-9a-fA-F]{2})+/g) ?? []) {
      const bytes = Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16));
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return true;
      }
    }
    return false;
  }

  /** What the server must answer: the status, the error code of a JSON failure, what the body must be. */
  interface Rule {
    readonly status: number;
    readonly code?: string;
    readonly body?: Buffer | 'a UI file' | 'an event stream';
  }

  /** The rules of [Note: browser-mode], written out for one request. */
  function rule(r: Request): Rule {
    const value = (line: string) => fill(line).replace(/^[\w-]+: |\r\n$/g, '');
    const target = fill(r.path);
    const host = value(r.host);
    if (!r.host || (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)) return { status: 403, code: 'FORBIDDEN' };
    let url: URL | null;
    try {
      url = new URL(target, 'http://127.0.0.1');
    } catch {
      url = null;
    }
    if (!url || brokenPercent(target.replace(/[?#][\s\S]*$/, ''))) return { status: 400, code: 'INVALID_ARGUMENT' };
    const isApi = url.pathname.startsWith('/api/');
    const isMedia = url.pathname.startsWith('/media/');
    if (!isApi && !isMedia) return { status: 200, ...(r.method === 'HEAD' ? {} : { body: 'a UI file' as const }) };
    // The Authorization header when it says Bearer, else ?token=; or the cookie.
    const bearer = /^Bearer (.+)$/.exec(r.authorization ? value(r.authorization) : '')?.[1] ?? url.searchParams.get('token');
    const cookie = readCookie(r.cookie ? value(r.cookie) : undefined, `trove-${port}`);
    if (bearer !== TOKEN && cookie !== TOKEN) return { status: 401, code: 'UNAUTHORIZED' };
    const changes = r.method !== 'GET' && r.method !== 'HEAD';
    if (bearer !== TOKEN && changes && value(r.origin) !== `http://${host}`) return { status: 403, code: 'FORBIDDEN' };
    if (isMedia) {
      if (changes) return { status: 405, code: 'INVALID_ARGUMENT' };
      if (parseMediaPath(url.pathname)?.id !== 1) return { status: 404, code: 'NOT_FOUND' };
      const range = parseRange(r.range ? value(r.range) : undefined, mediaBytes.length);
      if (range.kind === 'unsatisfiable') return { status: 416 };
      const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, mediaBytes.length - 1];
      return { status: range.kind === 'partial' ? 206 : 200, body: r.method === 'HEAD' ? Buffer.alloc(0) : mediaBytes.subarray(start, end + 1) };
    }
    const op = url.pathname.slice('/api/'.length);
    if (op === 'events' && r.method === 'GET') return { status: 200, body: 'an event stream' };
    if (r.method !== 'POST') return { status: 405, code: 'INVALID_ARGUMENT' };
    try {
      decodeJson(Buffer.from(bodyOf(r), 'latin1').toString('utf8') || '{}');
    } catch {
      return { status: 400, code: 'INVALID_ARGUMENT' };
    }
    return isOperationName(op) ? { status: 200 } : { status: 404 };
  }

  it('answers every request by the rules, never with a 500, and serves nothing outside the static folder', async () => {
    await holds(
      fc.asyncProperty(request, async (r) => {
        const reply = await exchange(port, render(r));
        expect(reply.status).not.toBe(500);
        for (const secret of SECRETS) expect(reply.body.toString('latin1')).not.toContain(secret);
        if (!reply.headers['content-type']) {
          // Node's own parser refused the request line or headers before the server saw it (400, 414, 431).
          answered.byParser++;
          if (process.env.FUZZ_DEBUG) console.log('PARSER', reply.status, JSON.stringify(render(r).toString('latin1').slice(0, 200)));
          expect([400, 414, 431]).toContain(reply.status);
          return;
        }
        answered.byHandler++;
        const want = rule(r);
        expect(reply.status).toBe(want.status);
        if (want.code && r.method !== 'HEAD') expect((decodeJson(reply.body.toString('utf8')) as { error?: { code?: string } }).error?.code).toBe(want.code);
        if (want.body === 'an event stream') expect(reply.headers['content-type']).toBe('text/event-stream');
        else if (want.body === 'a UI file') expect(Object.values(STATIC)).toContain(reply.body.toString('utf8'));
        else if (want.body) expect(reply.body.equals(want.body)).toBe(true);
      }),
      { runs: 1000, limitMs: 4_000, caseMs: 6_000 },
    );
    // The rules above were judged on most requests, not skipped past by the parser.
    expect(answered.byHandler).toBeGreaterThan(answered.byParser);
  });

  it('survives arbitrary bytes on the socket, and still answers afterwards', async () => {
    const garbage = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.tuple(request, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([r, at, bytes]) => {
        const b = render(r);
        const cut = at % b.length;
        return Buffer.concat([b.subarray(0, cut), bytes, b.subarray(cut)]);
      }),
    );
    await holds(
      fc.asyncProperty(garbage, async (bytes) => {
        const reply = await exchange(port, bytes, 100).catch(() => null); // a request cut short may end unanswered
        if (reply) expect(reply.status).not.toBe(500);
      }),
      { runs: 300, limitMs: 2_500, caseMs: 7_000 },
    );
    const page = await exchange(port, Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe(readFileSync(join(staticDir, 'index.html'), 'utf8'));
  });
});
