// Browser mode: the API contract over local HTTP, and its events as a server-sent event stream. [Note: browser-mode]
// Bound to 127.0.0.1 only; every API request needs the per-launch token (`Authorization: Bearer <token>`, or
// `?token=` for EventSource, which cannot set headers); the Host header must name this server, so a web page
// elsewhere cannot reach it through DNS rebinding. Requests run through the one generic dispatcher of
// src/shared/dispatch.ts and answer its Result, bytes encoded by src/shared/codec.ts.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { EVENT_NAMES, isOperationName, type TroveApi, type TroveEvents } from '../../shared/api.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { dispatch } from '../../shared/dispatch.js';
import { TroveError } from '../../shared/errors.js';
import { fail } from '../../shared/result.js';

export interface ServeOptions {
  readonly port?: number; // 0 or absent: any free port
  readonly token?: string; // absent: a new random one
  readonly staticDir?: string; // the built renderer, when there is one
  readonly maxBodyBytes?: number;
}

export interface RunningServer {
  readonly url: string; // with the token, ready to open
  readonly origin: string;
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

export async function serve(api: TroveApi & TroveEvents, options: ServeOptions = {}): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const streams = new Set<ServerResponse>();
  let port = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const host = req.headers.host ?? '';
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        send(res, 403, encodeJson(fail(new TroveError('FORBIDDEN', 'this server answers only on 127.0.0.1'))));
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
        if (!sameToken(bearer, token)) {
          send(res, 401, encodeJson(fail(new TroveError('FORBIDDEN', 'a valid token is needed (it is in the address trove serve printed)'))));
          return;
        }
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
      serveStatic(url.pathname, res);
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
    res.write(': connected\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    const dir = options.staticDir;
    if (!dir || !existsSync(dir)) {
      send(res, 404, 'The Trove interface is not built in this checkout; the API answers at /api/<operation>.', 'text/plain; charset=utf-8');
      return;
    }
    const root = resolve(dir);
    const file = resolve(join(root, normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '') || 'index.html'));
    const target = file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
    if (!existsSync(target)) {
      send(res, 404, 'not found', 'text/plain; charset=utf-8');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
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
    token,
    async close() {
      for (const off of unsubscribe) off();
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
