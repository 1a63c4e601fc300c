// The Encoder the engine uses: decoding and tokenising here, inference in worker threads. [Note: inference-worker]
// Two workers: one runs the indexer's batches (image and text towers, a thread per core), the other only the text
// tower for queries (one thread), so a search typed while a thousand photos index is answered at once instead of
// after the batch in flight. Image decoding stays on this thread's side: sharp works on libuv's pool, so the next
// batch decodes while the worker infers this one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TroveError, isErrorCode } from '../../../shared/errors.js';
import { PackEncoder, type EncoderOptions, type PreparedImage } from './encoder.js';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './inference-worker.js';
import { loadPack, type ModelPack } from './pack.js';
import { defaultThreads } from './session.js';

function entryUrl(): string {
  const js = new URL('./inference-worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js.href : new URL('./inference-worker.ts', import.meta.url).href;
}

class InferenceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  readonly ready: Promise<string>;

  constructor(packDir: string, options: EncoderOptions, background = false) {
    const init: WorkerInit & { background: boolean } = { entry: entryUrl(), packDir, options, background };
    this.worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: init });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => this.pending.set(0, { resolve: (r) => (r.ok ? resolve(r.provider ?? 'cpu') : reject(toError(r))), reject }));
    this.worker.on('message', (r: WorkerResponse) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      p?.resolve(r);
    });
    const failAll = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (e) => failAll(new TroveError('INTERNAL', `inference worker failed: ${e.message}`)));
    this.worker.on('exit', (code) => code !== 0 && failAll(new TroveError('INTERNAL', `inference worker exited with code ${code}`)));
  }

  async request(req: Omit<Extract<WorkerRequest, { op: 'images' }>, 'id'> | Omit<Extract<WorkerRequest, { op: 'texts' }>, 'id'>, transfer: ArrayBuffer[] = []): Promise<Float32Array> {
    await this.ready;
    const id = this.nextId++;
    const response = await new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // keep the process alive while work is in flight
      this.worker.postMessage({ ...req, id }, transfer);
    }).finally(() => this.pending.size === 0 && this.worker.unref());
    if (!response.ok) throw toError(response);
    return response.vectors;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.worker.terminate();
  }
}

function toError(r: WorkerResponse): TroveError {
  if (r.ok) return new TroveError('INTERNAL', 'not an error');
  return new TroveError(isErrorCode(r.error.code) ? r.error.code : 'INTERNAL', r.error.message);
}

function split(flat: Float32Array, count: number, dims: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
}

export class WorkerEncoder extends PackEncoder {
  private queryWorker: InferenceWorker | null;

  private constructor(
    pack: ModelPack,
    private readonly indexWorker: InferenceWorker,
    queryWorker: InferenceWorker | null,
    private readonly queryOptions: EncoderOptions | null,
    provider: string,
    maxInputPixels: number,
  ) {
    super(pack, provider, maxInputPixels);
    this.queryWorker = queryWorker;
  }

  static async open(dir: string, options: EncoderOptions = {}): Promise<WorkerEncoder> {
    const pack = await loadPack(dir, options.verification ?? 'size');
    const base = { ...options, verification: 'size' as const };
    const indexWorker = new InferenceWorker(pack.dir, { ...base, threads: options.threads ?? defaultThreads() }, true); // below queries [Note: responsive]
    const queryOptions = pack.manifest.towers.text ? { ...base, threads: 1, towers: ['text' as const] } : null;
    const queryWorker = queryOptions && options.queryWorker !== 'first-query' ? new InferenceWorker(pack.dir, queryOptions) : null;
    try {
      const [provider] = await Promise.all([indexWorker.ready, queryWorker?.ready]);
      return new WorkerEncoder(pack, indexWorker, queryWorker, queryOptions, provider, options.maxInputPixels ?? 200_000_000);
    } catch (error) {
      await Promise.all([indexWorker.close(), queryWorker?.close()]);
      throw error;
    }
  }

  async embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    // Copies, not the originals, travel: a caller may still hold its PreparedImage.
    const pixels = images.map((img) => img.pixels.slice());
    const flat = await this.indexWorker.request({ op: 'images', pixels }, pixels.map((p) => p.buffer as ArrayBuffer));
    this.stats.images += images.length;
    return split(flat, images.length, this.space.dimensions);
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const flat = await this.indexWorker.request({ op: 'texts', texts: [...texts] });
    this.stats.texts += texts.length;
    return split(flat, texts.length, this.space.dimensions);
  }

  async embedQueries(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    if (!this.queryOptions) throw this.missing('text');
    this.queryWorker ??= new InferenceWorker(this.packDir, this.queryOptions);
    const flat = await this.queryWorker.request({ op: 'texts', texts: [...texts] });
    return split(flat, texts.length, this.space.dimensions);
  }

  async close(): Promise<void> {
    await Promise.all([this.indexWorker.close(), this.queryWorker?.close()]);
  }
}
