// PaddleOCR PP-OCRv4 inference on ONNX Runtime: detection, then recognition of each text box. [Note: ocr-pipeline]
// The I/O edge of OCR (sharp for resizing, ONNX Runtime for the two models); everything computed in between is in
// ocr-detect.ts, ocr-geometry.ts and ocr-recognise.ts. Runs in the OCR worker (ocr-worker.ts).
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { openImage, type OpenedImage } from '../models/image-input.js';
import { detectionSize, planarBgr, textBoxes, type Region2d } from './ocr-detect.js';
import type { Quad } from './ocr-geometry.js';
import {
  LINE_HEIGHT,
  LINE_MAX_WIDTH,
  LINE_OVERLAP,
  LINE_STEP,
  bestPath,
  cropBox,
  decodePath,
  joinLines,
  joinPaths,
  overlappingSpans,
  parseDictionary,
  type BestPath,
  type OcrLine,
  type Rgba,
} from './ocr-recognise.js';

export interface OcrModelPaths {
  readonly detection: string;
  readonly recognition: string;
  readonly dictionary: string;
}

/**
 * Session options for both models: the CPU, the threads given, ONNX Runtime's arena on and its memory patterns off.
 * [Note: ocr-memory] Every photo and every line has its own input size, so a memory pattern (planned per shape)
 * would be planned anew each time and kept. The arena is kept on: without it each activation is a malloc of a few
 * MB, and glibc, once the first such block is freed, serves the rest from its heap and seldom gives them back —
 * measured in a worker thread over six 12 MP photos at 960 px, peak +353 MB without the arena, +243 MB with it.
 */
export function ocrSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, enableCpuMemArena: true, enableMemPattern: false };
}

/** An upright image as `openImage` gives it (a sharp pipeline). */
export type ImagePipeline = ReturnType<OpenedImage['pipeline']>;

async function raw(image: ImagePipeline): Promise<Rgba> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** Pixels resized by sharp, through the one opener of images [Note: image-formats] (raw pixels in, raw out). */
async function resized(image: Rgba, options: Parameters<ImagePipeline['resize']>[0]): Promise<Rgba> {
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const opened = await openImage(pixels, { raw: { width: image.width, height: image.height, channels: 4 } });
  return raw(opened.pipeline().resize(options));
}

/**
 * What the detector found in one image: each text box cut out of the page (straightened, at the page's scale), for
 * the recogniser to read later. [Note: ocr-phases]
 */
export interface Found {
  readonly crops: readonly { readonly crop: Rgba; readonly box: Quad }[];
  /** The bytes its crops hold. */
  readonly bytes: number;
}

export type OcrModel = 'detector' | 'recogniser';

export class PaddleOcr {
  private readonly sessions: Record<OcrModel, ort.InferenceSession | null> = { detector: null, recogniser: null };

  private constructor(
    private readonly paths: OcrModelPaths,
    private readonly options: ort.InferenceSession.SessionOptions,
    private readonly dictionary: readonly string[],
  ) {}

  /**
   * The pipeline with the models named loaded (the others load when first needed; a `find` or `readFound` then
   * holds only the one it uses).
   */
  static async open(paths: OcrModelPaths, threads: number, load: readonly OcrModel[] = ['detector', 'recogniser']): Promise<PaddleOcr> {
    const ocr = new PaddleOcr(paths, ocrSessionOptions(threads), parseDictionary(await readFile(paths.dictionary, 'utf8')));
    for (const model of load) await ocr.session(model);
    return ocr;
  }

  /**
   * The lines of text in an image: an upright sharp pipeline, already as small as it should be read (the caller
   * resizes), transparency flattened. Both models stay loaded.
   */
  async read(image: ImagePipeline): Promise<OcrLine[]> {
    return this.recogniseAll(await this.detectAll(image));
  }

  /**
   * The detection half of `read`, with the recogniser's session released first. [Note: ocr-phases] A batch of
   * photos is read as `find` for each, then `readFound` for each, so the two models and their arenas are never held
   * at once; the page is dropped once its boxes are cut out.
   */
  async find(image: ImagePipeline): Promise<Found> {
    await this.release('recogniser');
    return this.detectAll(image);
  }

  /** The recognition half of `read`, with the detector's session released first. [Note: ocr-phases] */
  async readFound(found: Found): Promise<OcrLine[]> {
    await this.release('detector');
    return this.recogniseAll(found);
  }

  /** The models whose sessions are open now. */
  loaded(): OcrModel[] {
    return (['detector', 'recogniser'] as const).filter((m) => this.sessions[m] !== null);
  }

  /** Both sessions released (the next call opens what it needs). */
  async close(): Promise<void> {
    await this.release('detector');
    await this.release('recogniser');
  }

  private async detectAll(image: ImagePipeline): Promise<Found> {
    const page = await this.page(image);
    const boxes = await this.detect(page);
    const crops = boxes.map((box) => ({ crop: cropBox(page, box), box }));
    return { crops, bytes: crops.reduce((n, c) => n + c.crop.data.byteLength, 0) };
  }

  private async recogniseAll(found: Found): Promise<OcrLine[]> {
    const pieces: (OcrLine & { box: Quad })[] = [];
    // One line at a time: its resized copy and tensors are the only memory it takes. [Note: ocr-memory]
    for (const { crop, box } of found.crops) pieces.push({ ...(await this.recognise(crop)), box });
    return joinLines(pieces);
  }

  private async session(model: OcrModel): Promise<ort.InferenceSession> {
    this.sessions[model] ??= await ort.InferenceSession.create(model === 'detector' ? this.paths.detection : this.paths.recognition, this.options);
    return this.sessions[model];
  }

  private async release(model: OcrModel): Promise<void> {
    const session = this.sessions[model];
    this.sessions[model] = null;
    await session?.release();
  }

  /**
   * The image at the detector's size: sides rounded up to multiples of 32, the picture scaled to fit inside and
   * centred on black (sharp's `contain`), as RGBA: with an alpha channel, as the reference implementation
   * resized it, sharp takes the same path and gives the same pixels.
   */
  private async page(image: ImagePipeline): Promise<Rgba> {
    const rgba = await raw(image.ensureAlpha(1));
    return resized(rgba, { ...detectionSize(rgba.width, rgba.height), fit: 'contain' });
  }

  /**
   * The text boxes of the page, detected whole. [Note: ocr-memory] Not in tiles, though a 960 × 960 page takes the
   * detector ~145 MB and 512 px tiles ~70: PP-OCRv4's detector weighs its channels by whole-image averages
   * (squeeze-and-excitation), so tiles' probability maps differ everywhere, not only near seams, and read other
   * text (on the build machine's photos 79% of the words kept; BENCHMARKS.md, "Bounding the OCR models' inputs").
   */
  private async detect(page: Rgba): Promise<Quad[]> {
    const input = new ort.Tensor('float32', planarBgr(page.data, page.width, page.height, 4), [1, 3, page.height, page.width]);
    const output = await this.run(await this.session('detector'), input);
    return textBoxes(output.data as Float32Array, page.width, page.height);
  }

  /**
   * A line read from its crop: resized to 48 px high, and when wider than LINE_MAX_WIDTH, read in overlapping
   * pieces whose best paths are joined where both read a gap (`joinPaths`), so the recogniser's memory is bounded
   * whatever the line. [Note: ocr-memory]
   */
  private async recognise(crop: Rgba): Promise<OcrLine> {
    const line = await resized(crop, { height: LINE_HEIGHT });
    if (line.width <= LINE_MAX_WIDTH) return decodePath(await this.path(line, { x: 0, y: 0, width: line.width, height: line.height }), this.dictionary);
    // Pieces start at whole steps, so their steps fall on the same places of the line.
    const spans = overlappingSpans(Math.ceil(line.width / LINE_STEP) * LINE_STEP, LINE_MAX_WIDTH, LINE_OVERLAP, LINE_STEP);
    const pieces: { start: number; path: BestPath }[] = [];
    for (const span of spans) {
      const width = Math.min(span.size, line.width - span.start);
      pieces.push({ start: span.start / LINE_STEP, path: await this.path(line, { x: span.start, y: 0, width, height: line.height }) });
    }
    return decodePath(joinPaths(pieces), this.dictionary);
  }

  private async path(line: Rgba, region: Region2d): Promise<BestPath> {
    const input = new ort.Tensor('float32', planarBgr(line.data, line.width, line.height, 4, region), [1, 3, region.height, region.width]);
    const output = await this.run(await this.session('recogniser'), input);
    const [, steps, classes] = output.dims as [number, number, number];
    return bestPath(output.data as Float32Array, steps, classes);
  }

  private async run(session: ort.InferenceSession, input: ort.Tensor): Promise<ort.Tensor> {
    const outputs = await session.run({ [session.inputNames[0]!]: input });
    input.dispose();
    return outputs[session.outputNames[0]!]!;
  }
}
