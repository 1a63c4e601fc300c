// The one way the engine talks to its worker threads: inference, OCR, speech, PDFs, the search reader.
// [Note: worker-rpc] A request is a message with a number; the worker answers `{ id, ok: true, … }` or
// `{ id, ok: false, error: { code, message } }`, which becomes a TroveError here. The worker is started on first use
// (and again after it died: a crash in one PDF or photo costs that request, not the next); it keeps the process alive
// only while a request is in flight; it can say it is ready (reply 0, after loading a model); and it can go after a
// while idle, its memory with it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { isErrorCode, TroveError } from '../../shared/errors.js';

/** What every reply carries. */
export interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface WorkerRpcOptions {
  /** The worker's file, and how it is started. */
  readonly url: URL;
  readonly worker?: WorkerOptions;
  /** A person's name for it, in errors ("the speech worker exited"). */
  readonly what: string;
  /** The worker answers id 0 once it is ready (a model loaded); requests wait for it. */
  readonly readyReply?: boolean;
  /** Terminated after this long without a request (default: kept). */
  readonly idleMs?: number;
  /** Why it failed, for a person, from the worker's error (an out-of-memory end, say). */
  readonly describe?: (error: Error & { code?: string }) => string;
}

type Waiting<R> = { resolve: (r: R) => void; reject: (e: Error) => void };

export class WorkerRpc<R extends Reply> {
  private worker: Worker | null = null;
  private ready: Promise<R> | null = null;
  private readonly pending = new Map<number, Waiting<R>>();
  private nextId = 1;
  private idle: NodeJS.Timeout | null = null;

  constructor(private readonly options: WorkerRpcOptions) {}

  private start(): Worker {
    const worker = new Worker(this.options.url, this.options.worker);
    worker.unref();
    worker.on('message', (r: R) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
      this.settle(worker);
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) {
        this.worker = null;
        this.ready = null;
      }
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e: Error & { code?: string }) => failAll(new TroveError('INTERNAL', this.options.describe?.(e) ?? `the ${this.options.what} failed: ${e.message}`)));
    worker.on('exit', (code) => failAll(new TroveError('INTERNAL', `the ${this.options.what} stopped (exit code ${code})`)));
    if (this.options.readyReply) {
      this.ready = new Promise<R>((resolve, reject) => {
        this.pending.set(0, { resolve, reject });
        worker.ref();
      }).then((r) => {
        if (!r.ok) throw toError(r);
        return r;
      });
      this.ready.catch(() => undefined);
    }
    return worker;
  }

  /** Nothing in flight: the process may exit, and an idle worker goes after a while. */
  private settle(worker: Worker): void {
    if (this.pending.size > 0 || this.worker !== worker) return;
    worker.unref();
    if (this.options.idleMs !== undefined) {
      if (this.idle) clearTimeout(this.idle);
      this.idle = setTimeout(() => {
        if (this.pending.size === 0 && this.worker === worker) void this.close();
      }, this.options.idleMs);
      this.idle.unref();
    }
  }

  /** Starts the worker if needed and waits until it is ready; its ready reply (or null without one). */
  async open(): Promise<R | null> {
    this.worker ??= this.start();
    return this.ready ? await this.ready : null;
  }

  /** Sends a request and answers the worker's reply; a failed reply is thrown as a TroveError. */
  async request(message: object, transfer: readonly ArrayBuffer[] = []): Promise<Extract<R, { ok: true }>> {
    if (this.idle) clearTimeout(this.idle);
    const worker = (this.worker ??= this.start());
    if (this.ready) await this.ready;
    const id = this.nextId++;
    const reply = await new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // keep the process alive while the request is in flight
      worker.postMessage({ ...message, id }, transfer as ArrayBuffer[]);
    });
    if (!reply.ok) throw toError(reply);
    return reply as Extract<R, { ok: true }>;
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    await worker?.terminate();
  }
}

function toError(r: Reply): TroveError {
  return new TroveError(r.error && isErrorCode(r.error.code) ? r.error.code : 'INTERNAL', r.error?.message ?? 'the worker failed');
}

/** The URL of a worker entry beside `base`: its built .js when there is one (the app), else the .ts (a checkout). */
export function entryUrl(name: string, base: string): string {
  const js = new URL(`./${name}.js`, base);
  return existsSync(fileURLToPath(js)) ? js.href : new URL(`./${name}.ts`, base).href;
}

/** The bootstrap that starts a TypeScript worker entry (registering tsx in a checkout). */
export const BOOTSTRAP = new URL('./models/worker-bootstrap.mjs', import.meta.url);
