// The main process's side of the engine's utility process: request ids, results, events, restarts. [Note: electron-shell]
// The engine runs in its own process so that indexing (SQLite writes, decoding, the inference workers it starts)
// never stalls the window or the main process. This class knows the process only through HostProcess, so a test
// can put a Node child (child_process.fork) where the app puts Electron's utilityProcess.
import type { OperationName } from '../../shared/api.js';
import { decodeJson } from '../../shared/codec.js';
import { TroveError } from '../../shared/errors.js';
import type { MediaVariant } from '../../shared/media.js';
import { unwrap, type Result } from '../../shared/result.js';
import { isFromHost, type ToHost } from './host-protocol.js';

export interface HostProcess {
  postMessage(message: ToHost): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface LinkOptions {
  /** Events of the contract, payload still as JSON text (relayed to the page as it is). */
  readonly onEvent?: (name: string, payloadJson: string) => void;
  /** The engine cannot open its library (the message is for a person); no restart is tried. */
  readonly onFatal?: (error: TroveError) => void;
  /** The engine process keeps dying: after `maxRestarts` in `restartWindowMs`, the link gives up. */
  readonly onGone?: (error: TroveError) => void;
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
}

type Request = ToHost extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

export class EngineLink {
  private proc: HostProcess | null = null;
  private ready: Promise<void> = Promise.resolve();
  private settleReady: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly pending = new Map<number, { resolve: (json: string) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private restarts: number[] = [];
  private stopping: Promise<void> | null = null;
  private failure: TroveError | null = null;

  constructor(
    private readonly spawn: () => HostProcess,
    private readonly options: LinkOptions = {},
  ) {
    this.start();
  }

  /** Resolves once the engine has opened its library. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private start(): void {
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined); // callers see the failure through their own calls
    const proc = this.spawn();
    this.proc = proc;
    proc.onMessage((message) => {
      if (this.proc !== proc || !isFromHost(message)) return;
      switch (message.t) {
        case 'ready':
          this.settleReady?.resolve();
          return;
        case 'fatal': {
          const code = message.error.code;
          this.failure = new TroveError(code === 'DB_TOO_NEW' || code === 'DB_CORRUPT' ? code : 'INTERNAL', message.error.message);
          this.settleReady?.reject(this.failure);
          this.options.onFatal?.(this.failure);
          return;
        }
        case 'result': {
          const p = this.pending.get(message.id);
          this.pending.delete(message.id);
          p?.resolve(message.result);
          return;
        }
        case 'event':
          this.options.onEvent?.(message.name, message.payload);
          return;
      }
    });
    proc.onExit((code) => {
      if (this.proc !== proc) return;
      this.proc = null;
      const error = this.failure ?? new TroveError('INTERNAL', `the engine stopped unexpectedly (exit code ${code})`);
      this.settleReady?.reject(error);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      if (this.stopping || this.failure) return;
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < (this.options.restartWindowMs ?? 60_000));
      if (this.restarts.length >= (this.options.maxRestarts ?? 3)) {
        this.failure = new TroveError('INTERNAL', `the engine stopped ${this.restarts.length + 1} times in a row (last exit code ${code}); restart Trove`);
        this.options.onGone?.(this.failure);
        return;
      }
      this.restarts.push(now);
      this.start();
    });
  }

  private async request(message: Request): Promise<string> {
    if (this.failure) throw this.failure;
    if (this.stopping) throw new TroveError('INTERNAL', 'Trove is closing');
    await this.ready;
    const proc = this.proc;
    if (!proc) throw this.failure ?? new TroveError('INTERNAL', 'the engine is not running');
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      proc.postMessage({ ...message, id } as ToHost);
    });
  }

  /** One operation of the contract: JSON text in, the Result as JSON text out. */
  call(op: OperationName, requestJson: string): Promise<string> {
    return this.request({ t: 'call', op, req: requestJson });
  }

  /** The file behind a media URL; throws the engine's TroveError (NOT_FOUND, FORBIDDEN…) when there is none. */
  async mediaFile(item: number, variant: MediaVariant): Promise<{ file: string; mime: string }> {
    return unwrap(decodeJson(await this.request({ t: 'media', item, variant })) as Result<{ file: string; mime: string }>);
  }

  /** The absolute path of any item the library knows. */
  async itemPath(item: number): Promise<string> {
    return unwrap(decodeJson(await this.request({ t: 'path', item })) as Result<string>);
  }

  /** Asks the engine to close (finishing the write in flight) and waits for it; kills it after `timeoutMs`. */
  stop(timeoutMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      const proc = this.proc;
      if (!proc) return;
      const exited = new Promise<void>((resolve) => proc.onExit(() => resolve()));
      proc.postMessage({ t: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      if ((await Promise.race([exited, late])) === 'late') {
        proc.kill();
        await exited;
      }
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}
