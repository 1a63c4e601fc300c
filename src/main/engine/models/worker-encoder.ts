// The Encoder the engine uses: decoding and tokenising here, inference in worker threads. [Note: inference-worker]
// Two workers: one runs the indexer's batches (image and text towers, a thread per core), the other only the text
// tower for queries (one thread), so a search typed while a thousand photos index is answered at once instead of
// after the batch in flight. Image decoding stays on this thread's side: sharp works on libuv's pool, so the next
// batch decodes while the worker infers this one.
import { BOOTSTRAP, entryUrl, WorkerRpc } from '../worker-rpc.js';
import { PackEncoder, type EncoderOptions, type PixelJob, type PreparedImage } from './encoder.js';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './inference-worker.js';
import { loadPack, type ModelPack } from './pack.js';
import { defaultThreads } from './session.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One inference worker (the indexing one or the query one), on the engine's one worker RPC. [Note: worker-rpc] */
class InferenceWorker {
  private readonly rpc: WorkerRpc<WorkerResponse>;
  readonly ready: Promise<string>;

  constructor(packDir: string, options: EncoderOptions, background = false) {
    const init: WorkerInit & { background: boolean } = { entry: entryUrl('inference-worker', import.meta.url), packDir, options, background };
    this.rpc = new WorkerRpc<WorkerResponse>({ url: BOOTSTRAP, worker: { workerData: init }, what: 'inference worker', readyReply: true });
    this.ready = this.rpc.open().then((r) => (r?.ok ? (r.provider ?? 'cpu') : 'cpu'));
    this.ready.catch(() => undefined);
  }

  async request(req: DistributiveOmit<Extract<WorkerRequest, { op: 'images' | 'texts' | 'pixels' }>, 'id'>, transfer: ArrayBuffer[] = []): Promise<Float32Array> {
    return (await this.rpc.request(req, transfer)).vectors;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.rpc.close();
  }
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

  /**
   * A decoded photo's resize runs in the indexing worker, below queries in the CPU's queue, not on the engine's
   * thread: there it was the longest piece between two turns of the event loop (up to 55 ms) under load.
   * [Note: responsive]
   */
  protected override async toPixels(job: PixelJob): Promise<Float32Array> {
    // A copy of just this photo's pixels, in memory of its own, so it is handed over, not copied again. Not
    // `job.raw.slice()`: sharp's output is a Buffer, whose slice is a view of sharp's own memory, which cannot be
    // handed over, so postMessage serialized all of it on this thread (12 MB: up to 57 ms under load, profiled).
    const raw = new Uint8Array(job.raw);
    return this.indexWorker.request({ op: 'pixels', job: { ...job, raw } }, [raw.buffer as ArrayBuffer]);
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

  /** Ends the indexing worker; the next image or text to embed starts it again (its RPC reopens). [Note: ocr-memory] */
  async rest(): Promise<void> {
    await this.indexWorker.close();
  }

  async close(): Promise<void> {
    await Promise.all([this.indexWorker.close(), this.queryWorker?.close()]);
  }
}
