// The Encoder: images and texts into one joint space. [Note: encoder]
// Backed by a model pack's ONNX towers. Outputs are L2-normalised, so cosine distance is what the store compares.
// Image decoding (sharp, on libuv's thread pool) is separate from inference, so the indexer can decode the next
// batch while this one runs.
import * as ort from 'onnxruntime-node';
import { TroveError } from '../../../shared/errors.js';
import { loadPack, type ModelPack, type Verification } from './pack.js';
import { inputSize, planDecode, planResize, toPixelValues, type ImageProcessorConfig, type ResizePlan } from './preprocess.js';
import { perceptualHash } from '../duplicates/phash.js';
import { openImage } from './image-input.js';
import { inTurn, Slots } from '../turns.js';
import { resizeRgb } from './resize.js';
import { openSession, type Device } from './session.js';
import { TextTokenizer } from './tokenizer.js';

/** One image decoded and preprocessed into the tower's input layout (CHW float). */
export interface PreparedImage {
  readonly pixels: Float32Array;
  readonly width: number; // of the original, upright
  readonly height: number;
  readonly format: string | null; // jpeg, png, webp, …
  readonly exif: Buffer | undefined; // the raw EXIF block, for the extractor
  readonly phash?: string | null; // the perceptual hash of the whole photo, for near-duplicates [Note: duplicates]
}

export interface SpaceKey {
  readonly modelId: string;
  readonly revision: string;
  readonly dimensions: number;
}

export interface Encoder {
  readonly space: SpaceKey;
  readonly packDir: string;
  readonly provider: string;
  readonly contextLength: number;
  readonly canEmbedImages: boolean;
  readonly canEmbedTexts: boolean;
  /** Encoder inputs actually run since start, for status and tests. */
  readonly stats: { images: number; texts: number };
  /** `name` (the file's name) tells formats that share a container apart, such as a camera RAW from a TIFF. */
  prepareImage(input: Buffer | string, name?: string): Promise<PreparedImage>;
  embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]>;
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
  /** Texts typed as queries: never queued behind indexing work (see [Note: inference-worker]). */
  embedQueries(texts: readonly string[]): Promise<Float32Array[]>;
  countTokens(text: string): number;
  /**
   * Lets the indexing side's memory go until it is next asked for work, which starts it again (a worker encoder's
   * indexing worker; nothing for one in this thread). The OCR step reads photos meanwhile. [Note: ocr-memory]
   */
  rest?(): Promise<void>;
  close(): Promise<void>;
}

export interface EncoderOptions {
  readonly device?: Device;
  readonly threads?: number;
  readonly verification?: Verification;
  /** Largest image, in pixels, that will be decoded (a PNG claiming 50,000 × 50,000 is refused). */
  readonly maxInputPixels?: number;
  /** Which towers to open (default both): a query-only encoder needs just the text tower. */
  readonly towers?: readonly ('image' | 'text')[];
  /**
   * When the query worker starts: with the encoder (the app, browser mode: the first search is answered at once) or
   * on the first query (`trove index`, which asks none: ~60 MB less). Default 'now'.
   */
  readonly queryWorker?: 'now' | 'first-query';
}

export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

function splitRows(data: Float32Array, rows: number, dims: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) out.push(normalise(data.slice(r * dims, (r + 1) * dims)));
  return out;
}

function pickOutput(session: ort.InferenceSession, wanted: string | undefined): string {
  if (wanted) {
    if (!session.outputNames.includes(wanted)) throw new TroveError('MODEL_INVALID', `the model has no output ${wanted}`);
    return wanted;
  }
  // CLIP exports name the projected embedding `*_embeds`; SigLIP's pooled embedding is `pooler_output`.
  return session.outputNames.find((n) => n.endsWith('_embeds')) ?? session.outputNames.find((n) => n === 'pooler_output') ?? session.outputNames[0]!;
}

/**
 * Decodes an image upright (EXIF orientation applied) and preprocesses it for the tower. The resize is Pillow's,
 * bit for bit (`resize.ts`), from the whole image or, for a large photo, from an intermediate that sharp decodes
 * with shrink-on-load (`planDecode`). [Note: preprocess]
 */
/** Decoded pixels (RGB, 8 bits) and where they are to be resized and cropped: the job `toPixels` does. */
export interface PixelJob {
  readonly raw: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly plan: ResizePlan;
}

/** The tower's input for a decoded photo: Pillow's resize, then rescale and normalise. Pure, 10–45 ms. */
export function pixelValues(job: PixelJob, cfg: ImageProcessorConfig): Float32Array {
  const { plan } = job;
  return toPixelValues(resizeRgb(job.raw, job.width, job.height, plan.width, plan.height, cfg.kernel, plan.crop), plan.crop.width, plan.crop.height, cfg);
}

export async function prepareImage(
  input: Buffer | string,
  cfg: ImageProcessorConfig,
  maxInputPixels: number,
  name?: string,
  // Where the resize runs: here, one photo per turn of the event loop (never a group's at once) unless an encoder
  // gives it to a worker. [Note: responsive]
  toPixels: (job: PixelJob) => Promise<Float32Array> = (job) => inTurn(() => pixelValues(job, cfg)),
): Promise<PreparedImage> {
  const options = { failOn: 'error' as const, limitInputPixels: maxInputPixels, sequentialRead: true };
  const opened = await openImage(input, options, name);
  const { meta, width, height } = opened;
  const plan = planResize(width, height, cfg);
  const decode = planDecode(width, height, plan);
  let image = opened.pipeline();
  if (decode.width !== width || decode.height !== height) {
    image = image.resize(decode.width, decode.height, { fit: 'fill', kernel: 'cubic' });
  }
  const { data, info } = await image
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  const [pixels, phash] = await Promise.all([toPixels({ raw: data, width: info.width, height: info.height, plan }), perceptualHash(data, info.width, info.height)]);
  return { pixels, width, height, format: meta.format ?? null, exif: meta.exif, phash };
}

/**
 * What every encoder of a pack shares: its identity, its preprocessing and its tokenizer. Subclasses decide where
 * inference runs (this thread: OnnxEncoder; worker threads: WorkerEncoder).
 */
export abstract class PackEncoder implements Encoder {
  readonly stats = { images: 0, texts: 0 };
  protected readonly tokenizer: TextTokenizer | null;

  protected constructor(
    protected readonly pack: ModelPack,
    readonly provider: string,
    private readonly maxInputPixels: number,
  ) {
    const text = pack.manifest.towers.text;
    this.tokenizer = pack.tokenizer
      ? new TextTokenizer(pack.tokenizer.json, pack.tokenizer.config, pack.manifest.contextLength, text?.padding ?? 'longest')
      : null;
  }

  abstract embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]>;
  abstract embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
  abstract embedQueries(texts: readonly string[]): Promise<Float32Array[]>;
  abstract close(): Promise<void>;

  /** The pack's image preprocessing, null without an image tower. */
  get imageConfig(): ImageProcessorConfig | null {
    return this.pack.image;
  }

  get space(): SpaceKey {
    const m = this.pack.manifest;
    return { modelId: m.id, revision: m.revision, dimensions: m.dimensions };
  }

  get packDir(): string {
    return this.pack.dir;
  }

  get contextLength(): number {
    return this.pack.manifest.contextLength;
  }

  get canEmbedImages(): boolean {
    return this.pack.manifest.towers.image !== undefined;
  }

  get canEmbedTexts(): boolean {
    return this.pack.manifest.towers.text !== undefined;
  }

  protected missing(tower: 'image' | 'text'): TroveError {
    return new TroveError('MODEL_MISMATCH', `${this.pack.manifest.id} has no ${tower} tower`);
  }

  prepareImage(input: Buffer | string, name?: string): Promise<PreparedImage> {
    const cfg = this.pack.image;
    if (!cfg) throw this.missing('image');
    // Four at a time (libuv decodes four at once anyway): a decoded photo holds up to 7.5 MB until it is resized,
    // and a group's sixteen waiting together held ~100 MB more. [Note: bounded-chunking]
    return this.preparing.run(() => prepareImage(input, cfg, this.maxInputPixels, name, (job) => this.toPixels(job, cfg)));
  }

  private readonly preparing = new Slots(4);

  /** The resize and normalisation of a decoded photo: on this thread, a photo per turn; workers may take it. */
  protected toPixels(job: PixelJob, cfg: ImageProcessorConfig): Promise<Float32Array> {
    return inTurn(() => pixelValues(job, cfg));
  }

  countTokens(text: string): number {
    if (!this.tokenizer) throw this.missing('text');
    return this.tokenizer.count(text);
  }
}

export class OnnxEncoder extends PackEncoder {
  private readonly imageInput: { width: number; height: number } | null;

  private constructor(
    pack: ModelPack,
    private readonly imageSession: ort.InferenceSession | null,
    private readonly textSession: ort.InferenceSession | null,
    provider: string,
    maxInputPixels: number,
  ) {
    super(pack, provider, maxInputPixels);
    this.imageInput = pack.image ? inputSize(pack.image) : null;
  }

  static async open(dir: string, options: EncoderOptions = {}): Promise<OnnxEncoder> {
    const pack = await loadPack(dir, options.verification ?? 'size');
    if (pack.manifest.task === 'speech') {
      throw new TroveError('MODEL_MISMATCH', `${pack.manifest.id} is a speech pack (Whisper): it transcribes audio and has no image or text tower`);
    }
    const sessionOptions = {
      ...(options.device ? { device: options.device } : {}),
      ...(options.threads ? { intraOpThreads: options.threads } : {}),
    };
    const wanted = new Set(options.towers ?? ['image', 'text']);
    const image = wanted.has('image') ? pack.manifest.towers.image : undefined;
    const text = wanted.has('text') ? pack.manifest.towers.text : undefined;
    const imageSession = image ? await openSession(`${pack.dir}/${image.file}`, sessionOptions) : null;
    const textSession = text ? await openSession(`${pack.dir}/${text.file}`, sessionOptions) : null;
    const provider = imageSession?.provider ?? textSession?.provider ?? 'cpu';
    return new OnnxEncoder(pack, imageSession?.session ?? null, textSession?.session ?? null, provider, options.maxInputPixels ?? 200_000_000);
  }

  override get canEmbedImages(): boolean {
    return this.imageSession !== null;
  }

  override get canEmbedTexts(): boolean {
    return this.textSession !== null;
  }

  async embedImages(images: readonly PreparedImage[]): Promise<Float32Array[]> {
    if (images.length === 0) return [];
    if (!this.imageSession || !this.imageInput) throw this.missing('image');
    const { width, height } = this.imageInput;
    const per = 3 * width * height;
    const batch = new Float32Array(per * images.length);
    images.forEach((img, i) => {
      if (img.pixels.length !== per) throw new Error(`prepared image has ${img.pixels.length} values, expected ${per}`);
      batch.set(img.pixels, i * per);
    });
    const inputName = this.imageSession.inputNames[0]!;
    const output = pickOutput(this.imageSession, this.pack.manifest.towers.image?.output);
    const result = await this.imageSession.run(
      { [inputName]: new ort.Tensor('float32', batch, [images.length, 3, height, width]) },
      [output],
    );
    this.stats.images += images.length;
    return splitRows(this.checkOutput(result[output]), images.length, this.space.dimensions);
  }

  async embedTexts(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    if (!this.textSession || !this.tokenizer) throw this.missing('text');
    const tokens = this.tokenizer.encodeBatch(texts);
    const shape = [tokens.batch, tokens.length];
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.textSession.inputNames) {
      if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', tokens.ids, shape);
      else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', tokens.mask, shape);
      else if (name === 'position_ids') {
        const pos = new BigInt64Array(tokens.batch * tokens.length);
        for (let i = 0; i < pos.length; i++) pos[i] = BigInt(i % tokens.length);
        feeds[name] = new ort.Tensor('int64', pos, shape);
      } else throw new TroveError('MODEL_INVALID', `the text tower wants an input Trove does not know: ${name}`);
    }
    const output = pickOutput(this.textSession, this.pack.manifest.towers.text?.output);
    const result = await this.textSession.run(feeds, [output]);
    this.stats.texts += texts.length;
    return splitRows(this.checkOutput(result[output]), texts.length, this.space.dimensions);
  }

  embedQueries(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embedTexts(texts);
  }

  private checkOutput(tensor: ort.Tensor | undefined): Float32Array {
    if (!tensor || tensor.type !== 'float32') throw new TroveError('MODEL_INVALID', 'the model did not return float32 embeddings');
    const dims = tensor.dims[tensor.dims.length - 1];
    if (dims !== this.space.dimensions) {
      throw new TroveError('MODEL_INVALID', `the model returns ${String(dims)}-dimensional embeddings, its manifest says ${this.space.dimensions}`);
    }
    return tensor.data as Float32Array;
  }

  async close(): Promise<void> {
    await this.imageSession?.release();
    await this.textSession?.release();
  }
}
