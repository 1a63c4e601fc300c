// Model packs. [Note: model-packs]
// A pack is a folder in the Hugging Face ONNX export layout (config.json, preprocessor_config.json,
// tokenizer.json, tokenizer_config.json, onnx/*.onnx), plus Trove's manifest `trove-pack.json` that pins the
// identity of the embedding space (id, revision, dimensions), names the tower files and lists every file with its
// size and sha256. Downloaded packs and the test fixtures have a manifest; a plain Hugging Face export without one
// still loads (`--model <dir>`): its identity is inferred from config.json and the files found.
// Two tasks share the format: 'embedding' packs (image and text towers into one space; the default) and 'speech'
// packs (a Whisper export: encoder and decoder towers, see [Note: whisper]).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TroveError } from '../../../shared/errors.js';
import type { ModelVariant } from '../../../shared/types.js';
import { parseImageProcessor, type ImageProcessorConfig } from './preprocess.js';

export const MANIFEST_FILE = 'trove-pack.json';

export interface PackFile {
  readonly path: string; // relative, '/'-separated
  readonly size: number;
  readonly sha256: string;
}

export const VARIANTS = ['fp32', 'int8', 'fp16'] as const satisfies readonly ModelVariant[];
export type Variant = ModelVariant;

/** What a pack does: embed images and texts into a joint space, or turn speech into text (Whisper). */
export type PackTask = 'embedding' | 'speech';
export const TOWER_KINDS = ['image', 'text', 'encoder', 'decoder'] as const;
export type TowerKind = (typeof TOWER_KINDS)[number];
/** The towers a pack of each task has: both for speech, at least one for embedding. */
const TASK_TOWERS: Record<PackTask, readonly TowerKind[]> = { embedding: ['image', 'text'], speech: ['encoder', 'decoder'] };

export interface TowerSpec {
  readonly file: string; // the full-precision graph
  readonly output?: string; // the output to read; default: the first whose name ends in `_embeds`, else the first
  /** Other precisions the source publishes (catalogue entries): int8 is used on the CPU, fp16 on a GPU. */
  readonly variants?: Partial<Record<Exclude<Variant, 'fp32'>, string>>;
  /** Text towers: pad every text to the context length (SigLIP was trained so) or only to the batch's longest. */
  readonly padding?: 'longest' | 'max_length';
}

export interface PackManifest {
  readonly format: 1;
  readonly id: string;
  readonly revision: string;
  readonly title: string;
  readonly licence: string;
  /** The languages a person can search in (or speak), in words for the model chooser; absent when unknown. */
  readonly languages?: string;
  /** The same as ISO 639 codes ('mul': many), for choosing a pack for a person's languages. [Note: first-run] */
  readonly languageCodes?: readonly string[];
  /** Absent: 'embedding' (every pack before speech packs existed). */
  readonly task?: PackTask;
  /** Embedding packs: the space's dimensions. Speech packs: the model's width (d_model), for information. */
  readonly dimensions: number;
  /** Embedding packs: the text tower's context in tokens. Speech packs: the decoder's (448 for Whisper). */
  readonly contextLength: number;
  readonly towers: { readonly [K in TowerKind]?: TowerSpec };
  readonly files: readonly PackFile[];
  readonly source?: { readonly repo: string; readonly revision: string };
  readonly variant?: Variant; // which precision an installed pack holds
}

/** A file of a catalogue entry: size and sha256 are null until the entry is pinned (scripts/pin-models.ts). */
export interface CatalogueFile {
  readonly path: string;
  readonly size: number | null;
  readonly sha256: string | null;
}

/** An entry of the model catalogue (models/*.json): a manifest whose files may not be pinned yet. */
export type CatalogueEntry = Omit<PackManifest, 'files' | 'source'> & {
  readonly files: readonly CatalogueFile[];
  readonly source: { readonly repo: string; readonly revision: string };
  readonly pinned: boolean;
};

export interface ModelPack {
  readonly dir: string;
  readonly manifest: PackManifest;
  readonly image: ImageProcessorConfig | null;
  readonly tokenizer: { readonly json: object; readonly config: Record<string, unknown> } | null;
}

type Json = Record<string, unknown>;

function readJson(dir: string, file: string): Json {
  const path = join(dir, file);
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (error) {
    throw new TroveError('MODEL_INVALID', `model pack ${dir}: cannot read ${file}: ${(error as Error).message}`);
  }
}

function invalid(dir: string, why: string): TroveError {
  return new TroveError('MODEL_INVALID', `model pack ${dir}: ${why}`);
}

/** Checks a manifest's shape; returns it typed. */
export function parseManifest(json: Json, dir: string): PackManifest {
  const { files, ...rest } = parseManifestLoose(json, dir, false);
  return { ...rest, files: files as PackFile[] };
}

/** Checks a catalogue entry: like a manifest, plus a source, and files may be unpinned. */
export function parseCatalogueEntry(json: Json, where: string): CatalogueEntry {
  const m = parseManifestLoose(json, where, true);
  if (!m.source) throw invalid(where, 'a catalogue entry needs "source": { "repo", "revision" }');
  const pinned = m.files.every((f) => f.size !== null && f.sha256 !== null);
  return { ...m, source: m.source, pinned };
}

function parseManifestLoose(json: Json, dir: string, allowUnpinned: boolean): Omit<PackManifest, 'files'> & { files: CatalogueFile[] } {
  const str = (k: string) => {
    const v = json[k];
    if (typeof v !== 'string' || v === '') throw invalid(dir, `${MANIFEST_FILE}: "${k}" must be a non-empty string`);
    return v;
  };
  const int = (k: string) => {
    const v = json[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw invalid(dir, `${MANIFEST_FILE}: "${k}" must be a positive integer`);
    return v;
  };
  if (json.format !== 1) throw invalid(dir, `${MANIFEST_FILE}: unsupported format ${String(json.format)} (this Trove reads format 1)`);
  const files = json.files;
  if (!Array.isArray(files)) throw invalid(dir, `${MANIFEST_FILE}: "files" must be a list`);
  const parsedFiles = files.map((f: unknown): CatalogueFile => {
    const o = f as Json;
    const unpinned = allowUnpinned && o?.size === null && o?.sha256 === null;
    if (typeof o?.path !== 'string' || (!unpinned && (typeof o.size !== 'number' || typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)))) {
      throw invalid(dir, `${MANIFEST_FILE}: every file needs path, size and a sha256 in hex`);
    }
    if (o.path.split('/').some((p) => p === '..' || p === '' || p === '.') || o.path.startsWith('/') || o.path.includes('\\')) {
      throw invalid(dir, `${MANIFEST_FILE}: file path ${o.path} leaves the pack`);
    }
    return unpinned ? { path: o.path, size: null, sha256: null } : { path: o.path, size: o.size as number, sha256: o.sha256 as string };
  });
  const towersJson = (json.towers ?? {}) as Json;
  if (json.task !== undefined && json.task !== 'embedding' && json.task !== 'speech') {
    throw invalid(dir, `${MANIFEST_FILE}: unknown task ${JSON.stringify(json.task)} (this Trove knows "embedding" and "speech")`);
  }
  const task: PackTask = json.task === 'speech' ? 'speech' : 'embedding';
  const tower = (k: TowerKind): TowerSpec | undefined => {
    const t = towersJson[k] as Json | undefined;
    if (t === undefined) return undefined;
    if (typeof t.file !== 'string') throw invalid(dir, `${MANIFEST_FILE}: towers.${k}.file must be a path`);
    const variants: Partial<Record<'int8' | 'fp16', string>> = {};
    for (const v of ['int8', 'fp16'] as const) {
      const file = (t.variants as Json | undefined)?.[v];
      if (typeof file === 'string') variants[v] = file;
    }
    if (t.padding !== undefined && t.padding !== 'longest' && t.padding !== 'max_length') {
      throw invalid(dir, `${MANIFEST_FILE}: towers.${k}.padding must be "longest" or "max_length"`);
    }
    return {
      file: t.file,
      ...(typeof t.output === 'string' ? { output: t.output } : {}),
      ...(Object.keys(variants).length ? { variants } : {}),
      ...(t.padding === 'longest' || t.padding === 'max_length' ? { padding: t.padding } : {}),
    };
  };
  const towers: { [K in TowerKind]?: TowerSpec } = {};
  for (const k of TASK_TOWERS[task]) {
    const t = tower(k);
    if (t) towers[k] = t;
  }
  if (task === 'embedding' && !towers.image && !towers.text) throw invalid(dir, `${MANIFEST_FILE}: no image or text tower`);
  if (task === 'speech' && (!towers.encoder || !towers.decoder)) throw invalid(dir, `${MANIFEST_FILE}: a speech pack needs an encoder and a decoder tower`);
  const source = json.source as Json | undefined;
  return {
    format: 1,
    id: str('id'),
    revision: str('revision'),
    title: typeof json.title === 'string' ? json.title : str('id'),
    licence: str('licence'),
    ...(typeof json.languages === 'string' && json.languages.trim() ? { languages: json.languages.trim() } : {}),
    ...(Array.isArray(json.languageCodes) && json.languageCodes.length && json.languageCodes.every((c) => typeof c === 'string' && /^([a-z]{2,3})$/.test(c))
      ? { languageCodes: json.languageCodes as string[] }
      : {}),
    ...(task === 'speech' ? { task } : {}),
    dimensions: int('dimensions'),
    contextLength: int('contextLength'),
    towers,
    files: parsedFiles,
    ...(source && typeof source.repo === 'string' && typeof source.revision === 'string'
      ? { source: { repo: source.repo, revision: source.revision } }
      : {}),
    ...(typeof json.variant === 'string' && (VARIANTS as readonly string[]).includes(json.variant) ? { variant: json.variant as Variant } : {}),
  };
}

const IMAGE_TOWER_NAMES = ['onnx/vision_model.onnx', 'vision_model.onnx', 'onnx/image_model.onnx'];
const TEXT_TOWER_NAMES = ['onnx/text_model.onnx', 'text_model.onnx'];

// A Whisper export's graphs, by precision: transformers.js names them <graph>{,_quantized,_fp16}.onnx.
const SPEECH_PRECISIONS = ['', '_quantized', '_fp16'];

/** The encoder and decoder of a plain Whisper export: one precision for both, full precision first. */
function inferSpeechTowers(dir: string): { encoder: string; decoder: string } | null {
  for (const suffix of SPEECH_PRECISIONS) {
    for (const folder of ['onnx/', '']) {
      const encoder = `${folder}encoder_model${suffix}.onnx`;
      // The merged decoder (with its KV cache) when there is one; the plain decoder re-reads the whole sequence.
      const decoder = [`${folder}decoder_model_merged${suffix}.onnx`, `${folder}decoder_model${suffix}.onnx`].find((f) => existsSync(join(dir, f)));
      if (decoder && existsSync(join(dir, encoder))) return { encoder, decoder };
    }
  }
  return null;
}

/** Identity of a local pack without pinned checksums: derived from what is there, so a changed export is a new one. */
function fingerprint(dir: string, files: readonly string[]): string {
  const present = files.filter((f) => existsSync(join(dir, f)));
  const hash = createHash('sha256');
  for (const f of present) hash.update(`${f}:${statSync(join(dir, f)).size}\n`);
  hash.update(readFileSync(join(dir, 'config.json')));
  return `local-${hash.digest('hex').slice(0, 12)}`;
}

/** A manifest for a plain Hugging Face export that has none. */
export function inferManifest(dir: string): PackManifest {
  const config = readJson(dir, 'config.json');
  const speech = inferSpeechTowers(dir);
  if (config.model_type === 'whisper' || (speech && !IMAGE_TOWER_NAMES.some((f) => existsSync(join(dir, f))))) {
    if (!speech) throw invalid(dir, 'no trove-pack.json and no onnx/encoder_model.onnx with onnx/decoder_model_merged.onnx or onnx/decoder_model.onnx');
    const positive = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
    const files = [speech.encoder, speech.decoder, 'config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'];
    return {
      format: 1,
      id: basename(resolve(dir)),
      revision: fingerprint(dir, files),
      title: basename(resolve(dir)),
      licence: 'unknown',
      task: 'speech',
      dimensions: positive(config.d_model) ?? 1,
      contextLength: positive(config.max_target_positions) ?? 448,
      towers: { encoder: { file: speech.encoder }, decoder: { file: speech.decoder } },
      files: [],
    };
  }
  const textConfig = (config.text_config ?? {}) as Json;
  const image = IMAGE_TOWER_NAMES.find((f) => existsSync(join(dir, f)));
  const text = TEXT_TOWER_NAMES.find((f) => existsSync(join(dir, f)));
  if (!image && !text) throw invalid(dir, 'no trove-pack.json and no onnx/vision_model.onnx or onnx/text_model.onnx');
  const dimensions = [config.projection_dim, textConfig.projection_size, textConfig.hidden_size].find(
    (v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0,
  );
  if (dimensions === undefined) throw invalid(dir, 'config.json does not say the embedding size (projection_dim)');
  const contextLength = [textConfig.max_position_embeddings].find((v): v is number => typeof v === 'number') ?? 77;
  const files = [image, text, 'config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'].filter((f): f is string => f !== undefined);
  return {
    format: 1,
    id: basename(resolve(dir)),
    revision: fingerprint(dir, files),
    title: basename(resolve(dir)),
    licence: 'unknown',
    dimensions,
    contextLength,
    towers: { ...(image ? { image: { file: image } } : {}), ...(text ? { text: { file: text } } : {}) },
    files: [],
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type Verification = 'size' | 'full';

/** Every listed file is there with its size; with 'full', its sha256 matches too. */
export async function verifyPack(dir: string, manifest: PackManifest, level: Verification): Promise<void> {
  for (const f of manifest.files) {
    const path = join(dir, ...f.path.split('/'));
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw invalid(dir, `${f.path} is missing`);
    }
    if (size !== f.size) throw invalid(dir, `${f.path} has ${size} bytes, expected ${f.size} (incomplete or replaced)`);
    if (level === 'full' && (await sha256File(path)) !== f.sha256) throw invalid(dir, `${f.path} does not match its sha256 (corrupted)`);
  }
}

/** Loads a pack's manifest and settings (not its ONNX sessions). */
export async function loadPack(dir: string, verification: Verification = 'size'): Promise<ModelPack> {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new TroveError('MODEL_NOT_FOUND', `no model pack at ${abs}`);
  }
  const manifest = existsSync(join(abs, MANIFEST_FILE)) ? parseManifest(readJson(abs, MANIFEST_FILE), abs) : inferManifest(abs);
  await verifyPack(abs, manifest, verification);
  for (const t of Object.values(manifest.towers)) {
    if (t && !existsSync(join(abs, t.file))) throw invalid(abs, `${t.file} is missing`);
  }
  const image = manifest.towers.image ? parseImageProcessorOrThrow(abs) : null;
  const tokenizer = manifest.towers.text || manifest.task === 'speech'
    ? { json: readJson(abs, 'tokenizer.json'), config: existsSync(join(abs, 'tokenizer_config.json')) ? readJson(abs, 'tokenizer_config.json') : {} }
    : null;
  return { dir: abs, manifest, image, tokenizer };
}

/** One of a pack's JSON files (config.json, generation_config.json, …); a clear MODEL_INVALID when unreadable. */
export function readPackJson(dir: string, file: string): Record<string, unknown> {
  return readJson(dir, file);
}

function parseImageProcessorOrThrow(dir: string): ImageProcessorConfig {
  try {
    return parseImageProcessor(readJson(dir, 'preprocessor_config.json'));
  } catch (error) {
    if (error instanceof TroveError) throw error;
    throw invalid(dir, (error as Error).message);
  }
}
