// The API contract: every operation and event that the front doors (Electron IPC, browser mode over HTTP, the CLI)
// use, written once. Clients, the IPC binding and the HTTP server are all derived from these types.
// Adding an operation = one line in `Operations` + its name in OPERATION_NAMES + the Engine method.
import type * as v from 'valibot';
import type { ParsedQuery } from './query.js';
import type { ItemRefSchema, RequestSchemas, RequestType } from './schemas.js';
import type {
  Settings,
  Diagnostics,
  Hit,
  IndexProgress,
  IndexStatus,
  IndexSummary,
  ItemDetail,
  ItemSummary,
  InstalledModel,
  InstallGuide,
  FolderCompletion,
  ModelListing,
  ModelProgress,
  Root,
  SkippedPath,
  SpaceInfo,
  Thumbnail,
  TimelinePage,
  DuplicatesResponse,
  PlacesMap,
  LinkedItem,
  CollectionSummary,
  CollectionDetail,
  ItemKind,
} from './types.js';

/**
 * Free text, optionally with filters in the query language (`kind:photo`, `after:2024-05`, `-word`, `2:word`, see
 * query.ts), kinds, limit; `image`: a photo (indexed, or an image file on this computer) to search by, alone or with
 * the text; `lanes`: several result lists answered at once (photos, notes and recordings), the query embedded once.
 */
export type SearchRequest = RequestType<'search'>;

/** One result list of a search with lanes: which kinds, and how many of `hits` (in order) are its, close ones first. */
export interface SearchLane {
  readonly kinds: readonly ItemKind[];
  readonly count: number;
  readonly close: number;
}

export interface SearchResponse {
  /** Close matches first, then the rest ("more"); with lanes, each lane's hits in turn. */
  readonly hits: readonly Hit[];
  /** How many hits are close matches ([Note: relevance]). */
  readonly close: number;
  /** The lanes asked for, in order (one lane, every kind asked, when none were). */
  readonly lanes: readonly SearchLane[];
  /** Said to a person about the answer: no close match, a query that means nothing to the model. */
  readonly notice: string | null;
  readonly query: ParsedQuery;
  /** The space that answered; null when nothing is indexed yet (then `notice` says so). */
  readonly space: SpaceInfo | null;
  readonly tookMs: number;
  /** 'meaning': ranked by meaning and words; 'filters': a query of filters only, every match newest first (no score). */
  readonly mode: 'meaning' | 'filters';
}

/** An item is named by id or by absolute path. */
export type ItemRef = v.InferOutput<typeof ItemRefSchema>;

/** An item, and which kinds to return (default: every kind other than the item's own). */
export type RelatedRequest = RequestType<'related'>;

export interface RelatedResponse {
  readonly item: ItemSummary;
  readonly hits: readonly Hit[];
  readonly tookMs: number;
}

/**
 * Every operation: its request (the type of its schema in schemas.ts, which the dispatcher checks before the
 * implementation runs) and its response.
 */
export interface Operations {
  addRoot: { req: RequestType<'addRoot'>; res: Root };
  updateRoot: { req: RequestType<'updateRoot'>; res: Root };
  removeRoot: { req: RequestType<'removeRoot'>; res: { readonly removedItems: number } };
  listRoots: { req: RequestType<'listRoots'>; res: readonly Root[] };
  indexNow: { req: RequestType<'indexNow'>; res: IndexSummary };
  pauseIndexing: { req: RequestType<'pauseIndexing'>; res: IndexProgress };
  resumeIndexing: { req: RequestType<'resumeIndexing'>; res: IndexProgress };
  status: { req: RequestType<'status'>; res: IndexStatus };
  /** Files that could not be indexed, each with its reason (`error`), ordered by path; limit default 1000. */
  listErrors: { req: RequestType<'listErrors'>; res: readonly ItemSummary[] };
  /** Paths inside watched folders that Trove did not follow (links that lead outside), each with its reason. */
  listSkipped: { req: RequestType<'listSkipped'>; res: readonly SkippedPath[] };
  search: { req: SearchRequest; res: SearchResponse };
  related: { req: RelatedRequest; res: RelatedResponse };
  getItem: { req: ItemRef; res: ItemDetail };
  thumbnail: { req: RequestType<'thumbnail'>; res: Thumbnail };
  listModels: { req: RequestType<'listModels'>; res: readonly ModelListing[] };
  downloadModel: { req: RequestType<'downloadModel'>; res: InstalledModel };
  verifyModel: { req: RequestType<'verifyModel'>; res: InstalledModel };
  removeModel: { req: RequestType<'removeModel'>; res: { readonly removed: boolean } };
  /** How to install a catalogue pack by hand where it cannot be downloaded: its files' addresses and the folder for them. */
  installGuide: { req: RequestType<'installGuide'>; res: InstallGuide };
  /** The folders that continue a typed path (browser mode's folder field; nothing typed: the usual folders). */
  completeFolder: { req: RequestType<'completeFolder'>; res: FolderCompletion };
  doctor: { req: RequestType<'doctor'>; res: Diagnostics };
  getSettings: { req: RequestType<'getSettings'>; res: Settings };
  /** Everything by time, newest first, page by page, optionally filtered (`kind:photo after:2024-06`). */
  timeline: { req: RequestType<'timeline'>; res: TimelinePage };
  /** The items linked to one (other kinds, and notes to notes), strongest first, each with its evidence. */
  links: { req: RequestType<'links'>; res: readonly LinkedItem[] };
  /** Confirms or rejects the link between two items (null: forget what was said); kept across re-indexing. */
  setLinkVerdict: { req: RequestType<'setLinkVerdict'>; res: LinkedItem | null };
  /** Collections, pinned first, then newest first; hidden ones only when asked. */
  listCollections: { req: RequestType<'listCollections'>; res: { readonly collections: readonly CollectionSummary[]; readonly total: number } };
  getCollection: { req: RequestType<'getCollection'>; res: CollectionDetail };
  /** The collections an item is in. */
  collectionsOf: { req: RequestType<'collectionsOf'>; res: readonly CollectionSummary[] };
  /** Rename (title null: back to Trove's title), pin, hide. */
  updateCollection: { req: RequestType<'updateCollection'>; res: CollectionSummary };
  /** Merges into the first id; the others are removed and never made again. */
  mergeCollections: { req: RequestType<'mergeCollections'>; res: CollectionDetail };
  /** Splits before the member `at` (in time order): it and those after it make a new collection. */
  splitCollection: { req: RequestType<'splitCollection'>; res: readonly CollectionDetail[] };
  /** Takes items out of a collection; they are not put back by a later run. */
  removeFromCollection: { req: RequestType<'removeFromCollection'>; res: CollectionDetail };
  /** Removes a collection; the same event is never made again. Its items stay in the library. */
  deleteCollection: { req: RequestType<'deleteCollection'>; res: { readonly removed: boolean } };
  /** Groups of near-identical photos (bursts, edits, resized copies, copies) with the one to keep. [Note: duplicates] */
  duplicates: { req: RequestType<'duplicates'>; res: DuplicatesResponse };
  /** Photos with a position, gathered into cells of `cell` degrees for a map. [Note: places] */
  placesMap: { req: RequestType<'placesMap'>; res: PlacesMap };
  /** A new model takes effect for new work; its space builds at the next index run while the old one answers. */
  updateSettings: { req: RequestType<'updateSettings'>; res: Settings };
}

// Compile-time check that every operation has a request schema and every schema an operation.
type Unschemed = Exclude<keyof Operations, keyof RequestSchemas> | Exclude<keyof RequestSchemas, keyof Operations>;
const everyOperationSchemed: [Unschemed] extends [never] ? true : Unschemed = true;
void everyOperationSchemed;

export type OperationName = keyof Operations;
export type RequestOf<K extends OperationName> = Operations[K]['req'];
export type ResponseOf<K extends OperationName> = Operations[K]['res'];

/** The runtime list of operations, for dispatchers that must refuse anything else. */
export const OPERATION_NAMES = [
  'addRoot',
  'updateRoot',
  'removeRoot',
  'listRoots',
  'indexNow',
  'pauseIndexing',
  'resumeIndexing',
  'status',
  'listErrors',
  'listSkipped',
  'search',
  'related',
  'getItem',
  'thumbnail',
  'listModels',
  'downloadModel',
  'verifyModel',
  'removeModel',
  'installGuide',
  'completeFolder',
  'doctor',
  'getSettings',
  'updateSettings',
  'timeline',
  'links',
  'setLinkVerdict',
  'listCollections',
  'getCollection',
  'collectionsOf',
  'updateCollection',
  'mergeCollections',
  'splitCollection',
  'removeFromCollection',
  'deleteCollection',
  'duplicates',
  'placesMap',
] as const satisfies readonly OperationName[];

// Compile-time check that OPERATION_NAMES lists every operation of the contract.
type Unlisted = Exclude<OperationName, (typeof OPERATION_NAMES)[number]>;
const everyOperationListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyOperationListed;

export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && (OPERATION_NAMES as readonly string[]).includes(value);
}

/** The API as a set of async functions: what the Engine implements and what every client offers. */
export type TroveApi = { [K in OperationName]: (req: RequestOf<K>) => Promise<ResponseOf<K>> };

export interface Events {
  progress: IndexProgress;
  itemsChanged: { readonly changed: readonly number[]; readonly removed: readonly number[] };
  rootsChanged: readonly Root[];
  modelProgress: ModelProgress;
  /** Collections made, changed or removed (by a run or by a person's edit). */
  collectionsChanged: { readonly changed: readonly number[]; readonly removed: readonly number[] };
}

export type EventName = keyof Events;
export const EVENT_NAMES = ['progress', 'itemsChanged', 'rootsChanged', 'modelProgress', 'collectionsChanged'] as const satisfies readonly EventName[];
type UnlistedEvent = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const everyEventListed: [UnlistedEvent] extends [never] ? true : UnlistedEvent = true;
void everyEventListed;

export type Listener<E extends EventName> = (payload: Events[E]) => void;

export interface TroveEvents {
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}
