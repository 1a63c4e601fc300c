// Every request of the API contract, validated by one schema per operation, declared once. [Note: requests]
// The dispatcher (dispatch.ts) parses each request against its schema before the implementation sees it, so every
// front door (HTTP, IPC, the CLI in process) refuses the same things with the same INVALID_ARGUMENT message, and the
// engine holds no checks of its own. The request types of api.ts are inferred from these schemas.
//
// Each schema also bounds what a request can cost before any work starts (rule 11): a query is at most
// MAX_QUERY_CHARS characters and MAX_QUERY_TERMS words (a 900 KB query of distinct words kept the server at 100% CPU
// for minutes), a page at most MAX_LIMIT results, lists and names have lengths a person would never exceed.
import * as v from 'valibot';
import { parseQuery, tokenize } from './query.js';
import { ITEM_KINDS } from './types.js';

/** Longest query accepted, in characters: a long paragraph; the text tower reads far less (77 tokens for CLIP). */
export const MAX_QUERY_CHARS = 2000;
/** Most words and quoted phrases in one query. */
export const MAX_QUERY_TERMS = 64;
/** Most results one request can ask for. */
export const MAX_LIMIT = 1000;
/** Longest path accepted (Linux allows 4096 bytes). */
export const MAX_PATH_CHARS = 4096;
/** Most ignore patterns per folder, and the longest pattern. */
export const MAX_IGNORE_PATTERNS = 256;
export const MAX_PATTERN_CHARS = 512;

const Id = v.pipe(v.number('an id is a whole number'), v.safeInteger('an id is a whole number'), v.minValue(1, 'an id is a whole number from 1'));
const Limit = v.optional(v.pipe(v.number(), v.safeInteger(`limit must be a whole number from 1 to ${MAX_LIMIT}`), v.minValue(1, `limit must be a whole number from 1 to ${MAX_LIMIT}`), v.maxValue(MAX_LIMIT, `limit must be a whole number from 1 to ${MAX_LIMIT}`)));
const Kind = v.picklist(ITEM_KINDS, 'a kind is photo, note or audio');
const Kinds = v.optional(v.pipe(v.array(Kind, 'kinds must be a list'), v.maxLength(ITEM_KINDS.length * 2, 'too many kinds'), v.readonly()));
const Path = v.pipe(v.string('a path is text'), v.nonEmpty('the path is empty'), v.maxLength(MAX_PATH_CHARS, `a path is at most ${MAX_PATH_CHARS} characters`), v.check((p) => !p.includes('\0'), 'a path cannot hold a NUL character'));
const Pattern = v.pipe(v.string('an ignore pattern is text'), v.maxLength(MAX_PATTERN_CHARS, `an ignore pattern is at most ${MAX_PATTERN_CHARS} characters`));
const Ignore = v.optional(v.pipe(v.array(Pattern, 'ignore must be a list of glob patterns'), v.maxLength(MAX_IGNORE_PATTERNS, `at most ${MAX_IGNORE_PATTERNS} ignore patterns`), v.readonly()));
/** A pack in the catalogue or installed: a name, never a path (it names a folder under the models folder). */
const ModelId = v.pipe(v.string('a model id is text'), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a model id is letters, digits, dots, dashes and underscores (trove models list)'));
/** A model setting: a catalogue or installed id, or a pack folder. */
const ModelRef = v.nullable(v.pipe(v.string('a model is a pack id or folder'), v.trim(), v.nonEmpty('a model is a pack id or folder'), v.maxLength(MAX_PATH_CHARS)));
const Query = v.pipe(
  v.string('query must be text'),
  v.maxLength(MAX_QUERY_CHARS, (issue) => `the query is too long: at most ${MAX_QUERY_CHARS} characters (this one has ${String(issue.received).replace(/\D/g, '')})`),
  v.check((q) => tokenize(q).length <= MAX_QUERY_TERMS, `the query has too many words: at most ${MAX_QUERY_TERMS} words and quoted phrases`),
);
const Empty = v.object({});
const ref = <T extends v.ObjectEntries>(entries: T) =>
  v.union([v.object({ id: Id, ...entries }), v.object({ path: Path, ...entries })], 'name an item by id (a whole number) or by path');

export const ItemRefSchema = ref({});
/** Largest photo a request may carry to search by (the app sends a copy scaled to 512 px, ~100 KB). */
export const MAX_IMAGE_BYTES = 700_000;
const ImageBytes = v.pipe(
  v.instance(Uint8Array, 'bytes must be the bytes of an image'),
  v.check((b) => b.byteLength > 0 && b.byteLength <= MAX_IMAGE_BYTES, `a photo to search by is at most ${MAX_IMAGE_BYTES} bytes (scale it down)`),
);
/** Most result lists one search answers. */
export const MAX_LANES = 3;
const Lane = v.object({ kinds: Kinds, limit: Limit });
export const SearchRequestSchema = v.object({
  query: Query,
  kinds: Kinds,
  limit: Limit,
  image: v.optional(v.union([ref({}), v.object({ bytes: ImageBytes })], 'image names a photo by id or path, or carries its bytes')),
  lanes: v.optional(v.pipe(v.array(Lane, 'lanes must be a list'), v.minLength(1, 'name at least one lane'), v.maxLength(MAX_LANES, `at most ${MAX_LANES} lanes`), v.readonly())),
});
export const RelatedRequestSchema = ref({ kinds: Kinds, limit: Limit });

/** Longest collection title a person can give. */
export const MAX_TITLE_CHARS = 200;
const Title = v.pipe(v.string('a title is text'), v.trim(), v.maxLength(MAX_TITLE_CHARS, `a title is at most ${MAX_TITLE_CHARS} characters`));
const Ids = (min: number, what: string) =>
  v.pipe(v.array(Id, `${what} must be a list of ids`), v.minLength(min, `name at least ${min} ${what}`), v.maxLength(MAX_LIMIT, `at most ${MAX_LIMIT} ${what}`), v.readonly());
/** A filters-only query (`kind:photo after:2024-06`) for the timeline: free text has no place there. */
const Filters = v.pipe(
  Query,
  v.check((q) => parseQuery(q).text === '', 'the timeline takes filters only (kind:, after:, before:, date:); search for words'),
);
/** Where a timeline page starts: an opaque cursor from the page before. */
const Cursor = v.pipe(v.string('a cursor is text'), v.regex(/^-?\d{1,16}:\d{1,16}$/, 'the cursor is not one this library gave'));
const Time = v.pipe(v.number('a time is ms since the epoch'), v.safeInteger('a time is ms since the epoch'));

/** One schema per operation of the contract (api.ts checks at compile time that every operation has one). */
export const REQUESTS = {
  addRoot: v.object({ path: Path, ignore: Ignore, ocr: v.optional(v.boolean('ocr must be true or false')) }),
  updateRoot: v.object({ id: Id, ignore: Ignore, ocr: v.optional(v.boolean('ocr must be true or false')) }),
  removeRoot: v.object({ id: Id }),
  listRoots: Empty,
  indexNow: v.object({ rootIds: v.optional(v.pipe(v.array(Id, 'rootIds must be a list of ids'), v.maxLength(MAX_LIMIT), v.readonly())) }),
  pauseIndexing: Empty,
  resumeIndexing: Empty,
  status: Empty,
  listErrors: v.object({ limit: Limit }),
  listSkipped: v.object({ limit: Limit }),
  search: SearchRequestSchema,
  related: RelatedRequestSchema,
  getItem: ItemRefSchema,
  thumbnail: ref({ size: v.picklist(['small', 'large'], 'size must be small or large') }),
  listModels: v.object({
    /** The languages the person reads, most preferred first (BCP-47 tags: the browser's or the system's list). */
    languages: v.optional(v.pipe(v.array(v.pipe(v.string('a language is a BCP-47 tag'), v.maxLength(35, 'a language tag is at most 35 characters')), 'languages must be a list'), v.maxLength(16, 'at most 16 languages'), v.readonly())),
  }),
  downloadModel: v.object({ id: ModelId, variant: v.optional(v.picklist(['fp32', 'int8', 'fp16'], 'variant must be fp32, int8 or fp16')) }),
  verifyModel: v.object({ id: ModelId }),
  removeModel: v.object({ id: ModelId }),
  installGuide: v.object({ id: ModelId }),
  completeFolder: v.object({
    path: v.pipe(v.string('a path is text'), v.maxLength(MAX_PATH_CHARS, `a path is at most ${MAX_PATH_CHARS} characters`), v.check((p) => !p.includes('\0'), 'a path cannot hold a NUL character')),
  }),
  doctor: Empty,
  getSettings: Empty,
  timeline: v.object({ query: v.optional(Filters), kinds: Kinds, cursor: v.optional(Cursor), from: v.optional(Time), limit: Limit }),
  links: ref({ limit: Limit }),
  setLinkVerdict: v.object({ a: Id, b: Id, verdict: v.nullable(v.picklist(['confirmed', 'rejected'], 'verdict must be confirmed, rejected or null')) }),
  listCollections: v.object({ includeHidden: v.optional(v.boolean('includeHidden must be true or false')), limit: Limit, offset: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))) }),
  getCollection: v.object({ id: Id }),
  collectionsOf: ItemRefSchema,
  updateCollection: v.object({
    id: Id,
    title: v.optional(v.nullable(Title)),
    pinned: v.optional(v.boolean('pinned must be true or false')),
    hidden: v.optional(v.boolean('hidden must be true or false')),
  }),
  mergeCollections: v.object({ ids: Ids(2, 'collections') }),
  splitCollection: v.object({ id: Id, at: Id }),
  removeFromCollection: v.object({ id: Id, itemIds: Ids(1, 'items') }),
  deleteCollection: v.object({ id: Id }),
  duplicates: v.object({ limit: Limit }),
  placesMap: v.object({
    cell: v.pipe(v.number('cell must be a number of degrees'), v.minValue(0.001, 'cell must be from 0.001 to 90 degrees'), v.maxValue(90, 'cell must be from 0.001 to 90 degrees')),
  }),
  updateSettings: v.object({
    device: v.optional(v.picklist(['auto', 'cpu', 'gpu'], 'device must be auto, cpu or gpu')),
    model: v.optional(ModelRef),
    speechModel: v.optional(ModelRef),
  }),
} as const;

export type RequestSchemas = typeof REQUESTS;
/** What an operation accepts: the schema's type (arrays readonly). */
export type RequestType<K extends keyof RequestSchemas> = v.InferOutput<RequestSchemas[K]>;

/** The first issue of a failed parse as one line for a person, naming the field. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (!issue) return 'the request is not valid';
  const path = v.getDotPath(issue);
  // A union's own message is the clearest ("name an item by id … or by path"); its branches' issues are not.
  const message = issue.message.startsWith('Invalid ') && path ? `${path} is not valid` : issue.message;
  return path && !message.startsWith(path) && !/^(the |a |an )/i.test(message) ? `${path}: ${message}` : message;
}

/** Parses a request for an operation: the value the implementation gets, or the reason it is refused. */
export function parseRequest<K extends keyof RequestSchemas>(op: K, req: unknown): { ok: true; value: RequestType<K> } | { ok: false; message: string } {
  const r = v.safeParse(REQUESTS[op], req, { abortPipeEarly: true });
  return r.success ? { ok: true, value: r.output as RequestType<K> } : { ok: false, message: describeIssues(r.issues) };
}
