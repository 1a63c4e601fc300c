// The two schemes the window loads from, both served by `protocol.handle`. [Note: electron-shell] [Note: media]
// - `trove://app/…`: the built renderer (dist/renderer) and nothing else, with the app's CSP as a header. The page
//   never comes from file://, so its origin is its own and the CSP's 'self' means exactly the app.
// - `trove-media://library/media/<id>/<variant>`: a thumbnail or original, which the engine's `mediaFile` allows
//   only for indexed items inside present, watched folders; byte ranges so <audio> can seek. Anything else: 404.
// The handlers take a web Request and answer a web Response, so they run under plain Node in the tests.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { APP_HOST, APP_SCHEME, MEDIA_HOST, MEDIA_SCHEME } from '../../shared/bridge.js';
import { TroveError } from '../../shared/errors.js';
import { parseMediaPath, type MediaVariant } from '../../shared/media.js';
import { parseRange } from '../server/http.js';
import { APP_CSP } from './security.js';

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
export const PRIVILEGED_SCHEMES = [
  // standard: real origins and relative URLs; secure: treated like https (no mixed-content downgrades).
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type Handler = (request: Request) => Promise<Response>;

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });
}

function body(file: string, start: number, end: number): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(file, { start, end })) as unknown as ReadableStream<Uint8Array>;
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const st = await stat(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/**
 * The app's pages from `rootDir` (the built renderer). A path with no file extension that names no file is a
 * route of the single-page app and gets index.html; a missing file, or any path that leads outside `rootDir`, 404.
 */
export function appHandler(rootDir: string, csp: string = APP_CSP): Handler {
  const root = resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
    let url: URL;
    let path: string;
    try {
      url = new URL(request.url);
      path = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || path.includes('\0')) return notFound();
    let file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(root + sep)) return notFound();
    let size = await fileSize(file);
    if (size === null && extname(path) === '') {
      file = resolve(root, 'index.html');
      size = await fileSize(file);
    }
    if (size === null) return notFound();
    const headers = {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(size),
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      // Vite names built assets by their content, so they may be kept; the page itself is read every time.
      'cache-control': file.startsWith(resolve(root, 'assets') + sep) ? 'private, max-age=31536000, immutable' : 'no-cache',
    };
    return new Response(request.method === 'HEAD' || size === 0 ? null : body(file, 0, size - 1), { status: 200, headers });
  };
}

/** The engine's answer to "which file is behind this media URL" (EngineLink.mediaFile). */
export type MediaLookup = (id: number, variant: MediaVariant) => Promise<{ readonly file: string; readonly mime: string }>;

export function mediaHandler(lookup: MediaLookup): Handler {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    const target = url.protocol === `${MEDIA_SCHEME}:` && url.host === MEDIA_HOST ? parseMediaPath(url.pathname) : null;
    if (!target) return notFound();
    let found: { readonly file: string; readonly mime: string };
    try {
      found = await lookup(target.id, target.variant);
    } catch (error) {
      // Unknown, not indexed, outside its folder: all the same to the page. Anything else is a bug worth a 500.
      if (error instanceof TroveError && error.code !== 'INTERNAL') return notFound();
      return new Response('the media could not be read', { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const size = await fileSize(found.file);
    if (size === null) return notFound();
    const headers: Record<string, string> = {
      'content-type': found.mime,
      'accept-ranges': 'bytes',
      'cache-control': url.searchParams.has('v') ? 'private, max-age=31536000, immutable' : 'private, no-cache',
      'x-content-type-options': 'nosniff',
      // An original opened on its own (a note, a PDF) must not run anything.
      'content-security-policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    };
    const range = parseRange(request.headers.get('range') ?? undefined, size);
    if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    headers['content-length'] = String(Math.max(0, end - start + 1));
    if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const stream = request.method === 'HEAD' || size === 0 ? null : body(found.file, start, end);
    return new Response(stream, { status: range.kind === 'partial' ? 206 : 200, headers });
  };
}
