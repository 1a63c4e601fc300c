// A file server on 127.0.0.1 for download tests: Range requests, and faults on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Close the connection after sending this many body bytes (once per listed request number, 1-based). */
  dropAfter?: { bytes: number; onRequests: number[] };
  /** Flip a byte of the body on these request numbers. */
  corruptOnRequests?: number[];
  /** Answer 200 with the whole file even when a Range is asked. */
  ignoreRange?: boolean;
  /** Answer this status on these request numbers. */
  statusOnRequests?: { status: number; onRequests: number[] };
}

export interface Served {
  readonly body: Buffer;
  readonly fault?: Fault;
  readonly headers?: Record<string, string>;
  /** Send the body in pieces of this many bytes with a pause between them, so progress can be watched. */
  readonly trickle?: { bytes: number; pauseMs: number };
}

export interface TestServer {
  readonly url: string;
  readonly requests: { path: string; range: string | undefined }[];
  files: Map<string, Served>;
  close(): Promise<void>;
}

export async function startServer(files: Record<string, Served> = {}): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const state = { files: new Map(Object.entries(files)) };
  const counts = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const served = state.files.get(path);
    if (!served) {
      res.writeHead(404, 'Not Found').end('not found');
      return;
    }
    const f = served.fault ?? {};
    if (f.statusOnRequests?.onRequests.includes(n)) {
      res.writeHead(f.statusOnRequests.status).end();
      return;
    }
    let body = served.body;
    if (f.corruptOnRequests?.includes(n)) {
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !f.ignoreRange) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { ...served.headers, 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { ...served.headers, 'content-length': body.length });
    }
    const slice = body.subarray(start);
    if (f.dropAfter?.onRequests.includes(n)) {
      res.write(slice.subarray(0, f.dropAfter.bytes), () => res.destroy());
      return;
    }
    if (served.trickle) {
      const { bytes, pauseMs } = served.trickle;
      const send = (at: number) => {
        if (res.destroyed) return;
        if (at + bytes >= slice.length) return void res.end(slice.subarray(at));
        res.write(slice.subarray(at, at + bytes));
        setTimeout(() => send(at + bytes), pauseMs);
      };
      send(0);
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get files() {
      return state.files;
    },
    set files(v) {
      state.files = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
