// Browser mode: the API contract over local HTTP, and its events as a server-sent event stream. [Note: browser-mode]
// Bound to 127.0.0.1 only; every API and media request needs the library's token (identity.ts) (`Authorization: Bearer <token>`,
// `?token=`, or the HttpOnly cookie set when the page is first opened with `?token=`, since <img> and <audio> cannot
// send headers); the Host header must name this server, so a web page elsewhere cannot reach it through DNS
// rebinding. Requests run through the one generic dispatcher of src/shared/dispatch.ts and answer its Result, bytes
// encoded by src/shared/codec.ts. `/media/<id>/<variant>` (src/shared/media.ts) streams thumbnails and originals of
// indexed items, as the Engine's `mediaFile` allows. [Note: media]
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { EVENT_NAMES, isOperationName, type TroveApi, type TroveEvents } from '../../shared/api.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { dispatch } from '../../shared/dispatch.js';
import { TroveError } from '../../shared/errors.js';
import { parseMediaPath, type MediaVariant } from '../../shared/media.js';
import { fail } from '../../shared/result.js';
import { cookieName, parseRange, readCookie, requestTarget, tokenCookie } from './http.js';

/**
 * What the server serves: the contract, and optionally the files behind media URLs (the Engine has it; a bare
 * contract implementation answers media requests with 404).
 */
export type ServedApi = TroveApi &
  TroveEvents & {
    mediaFile?: (id: number, variant: MediaVariant) => Promise<{ readonly file: string; readonly mime: string }>;
  };

export interface ServeOptions {
  readonly port?: number; // 0 or absent: any free port
  readonly token?: string; // absent: a new random one
  readonly staticDir?: string; // the built renderer, when there is one
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly url: string; // with the token, ready to open
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** The HTTP status for an error code, where a front door asks for one (media requests). */
function statusOf(error: unknown): number {
  const code = error instanceof TroveError ? error.code : 'INTERNAL';
  if (code === 'NOT_FOUND') return 404;
  if (code === 'FORBIDDEN') return 403;
  if (code === 'INVALID_ARGUMENT') return 400;
  return 500;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TroveError('INVALID_ARGUMENT', `the request is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function serve(api: ServedApi, options: ServeOptions = {}): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const streams = new Set<ServerResponse>();
  let port = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        send(res, 403, encodeJson(fail(new TroveError('FORBIDDEN', 'this server answers only on 127.0.0.1'))));
        return;
      }
      const target = requestTarget(req.url);
      if (!target) {
        send(res, 400, encodeJson(fail(new TroveError('INVALID_ARGUMENT', "the request's address is malformed (a broken percent-encoding in its path, or no URL at all)"))));
        return;
      }
      const { url } = target;
      const media = url.pathname.startsWith('/media/');
      if (url.pathname.startsWith('/api/') || media) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
        const viaCookie = !sameToken(bearer, token) && sameToken(readCookie(req.headers.cookie, cookieName(port)), token);
        if (!sameToken(bearer, token) && !viaCookie) {
          send(res, 401, encodeJson(fail(new TroveError('UNAUTHORIZED', 'a valid token is needed (it is in the address trove serve printed)'))));
          return;
        }
        // The cookie rides along on any request to this site; a call that changes something must also come from
        // this server's own page (browsers send Origin on POST). SameSite=Strict already keeps other sites out.
        if (viaCookie && req.method !== 'GET' && req.method !== 'HEAD' && req.headers.origin !== `http://${host}`) {
          send(res, 403, encodeJson(fail(new TroveError('FORBIDDEN', 'this request did not come from the Trove page'))));
          return;
        }
        if (media) return serveMedia(req, res, url);
        const op = url.pathname.slice('/api/'.length);
        if (op === 'events' && req.method === 'GET') return openStream(res);
        if (req.method !== 'POST') {
          send(res, 405, encodeJson(fail(new TroveError('INVALID_ARGUMENT', 'operations are called with POST'))));
          return;
        }
        let body: unknown = {};
        try {
          const text = await readBody(req, options.maxBodyBytes ?? 1024 * 1024);
          body = text ? decodeJson(text) : {};
        } catch (error) {
          send(res, 400, encodeJson(fail(error instanceof TroveError ? error : new TroveError('INVALID_ARGUMENT', 'the body must be JSON'))));
          return;
        }
        const result = await dispatch(api, op, body);
        send(res, isOperationName(op) ? 200 : 404, encodeJson(result));
        return;
      }
      // Opening the page with the token in its address hands the token to a cookie, for <img>, <audio> and the
      // event stream; the page then drops the token from the address bar.
      if (sameToken(url.searchParams.get('token'), token)) res.setHeader('set-cookie', tokenCookie(port, token));
      serveStatic(target.path, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, encodeJson(fail(error)));
    });
  });

  const unsubscribe = EVENT_NAMES.map((event) =>
    api.on(event, (payload) => {
      const frame = `event: ${event}\ndata: ${encodeJson(payload)}\n\n`;
      for (const s of streams) s.write(frame);
    }),
  );

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A page whose server went away tries again every second (browsers wait ~3 s by default). [Note: browser-mode]
    res.write('retry: 1000\n: connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  /**
   * A thumbnail or original, streamed with its type. Byte ranges let <audio> seek; a `?v=` version (the item's
   * content) makes the answer cacheable for good, since a changed file gets another URL. [Note: media]
   */
  async function serveMedia(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const target = parseMediaPath(url.pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, encodeJson(fail(new TroveError('INVALID_ARGUMENT', 'media is fetched with GET'))));
      return;
    }
    if (!target || !api.mediaFile) {
      send(res, 404, encodeJson(fail(new TroveError('NOT_FOUND', 'no such media'))));
      return;
    }
    let found: { readonly file: string; readonly mime: string };
    let size: number;
    let mtime: number;
    try {
      found = await api.mediaFile(target.id, target.variant);
      const st = await stat(found.file);
      size = st.size;
      mtime = st.mtimeMs;
    } catch (error) {
      send(res, statusOf(error), encodeJson(fail(error)));
      return;
    }
    const etag = `"${size.toString(16)}-${Math.floor(mtime).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': found.mime,
      'accept-ranges': 'bytes',
      etag,
      'last-modified': new Date(mtime).toUTCString(),
      'cache-control': url.searchParams.has('v') ? 'private, max-age=31536000, immutable' : 'private, no-cache',
      'x-content-type-options': 'nosniff',
      // An original opened on its own (a PDF, a note) must not run anything.
      'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const range = parseRange(req.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    res.writeHead(range.kind === 'partial' ? 206 : 200, {
      ...headers,
      'content-length': String(Math.max(0, end - start + 1)),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    const stream = createReadStream(found.file, { start, end });
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  /** A file of the built UI; `path` is decoded (requestTarget), and whatever it says, nothing outside `dir` is served. */
  function serveStatic(path: string, res: ServerResponse): void {
    const dir = options.staticDir;
    if (!dir || !existsSync(dir)) {
      send(res, 404, 'The Trove interface is not built in this checkout; the API answers at /api/<operation>.', 'text/plain; charset=utf-8');
      return;
    }
    const root = resolve(dir);
    const file = resolve(join(root, normalize(path).replace(/^([/\\])+/, '') || 'index.html'));
    const target = file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
    if (!existsSync(target)) {
      send(res, 404, 'not found', 'text/plain; charset=utf-8');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      // Vite names built assets by their content: they may be kept; the page itself is asked for every time.
      'cache-control': /[\\/]assets[\\/]/.test(target) ? 'private, max-age=31536000, immutable' : 'no-store',
      'content-security-policy':
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    });
    createReadStream(target).pipe(res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      for (const off of unsubscribe) off();
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
