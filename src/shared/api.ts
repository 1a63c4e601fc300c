// The API contract: every operation and event that the front doors (Electron IPC, browser mode over HTTP, the CLI)
// use, written once. Clients, the IPC binding and the HTTP server are all derived from these types.
// Adding an operation = one line in `Operations` + its name in OPERATION_NAMES + the Engine method.
import type { ParsedQuery } from './query.js';
import type {
  Settings,
  Diagnostics,
  Hit,
  IndexProgress,
  IndexStatus,
  IndexSummary,
  ItemDetail,
  ItemKind,
  ItemSummary,
  InstalledModel,
  ModelListing,
  ModelProgress,
  ModelVariant,
  Root,
  SkippedPath,
  SpaceInfo,
  Thumbnail,
} from './types.js';

export interface SearchRequest {
  /** Free text, optionally with filters in the query language (`kind:photo`, `after:2024-05`); see query.ts. */
  readonly query: string;
  readonly kinds?: readonly ItemKind[];
  readonly limit?: number; // default 20, at most 1000
}

export interface SearchResponse {
  readonly hits: readonly Hit[];
  readonly query: ParsedQuery;
  readonly space: SpaceInfo;
  readonly tookMs: number;
}

/** An item is named by id or by absolute path. */
export type ItemRef = { readonly id: number } | { readonly path: string };

export type RelatedRequest = ItemRef & {
  /** Which kinds to return; default: every kind other than the item's own. */
  readonly kinds?: readonly ItemKind[];
  readonly limit?: number;
};

export interface RelatedResponse {
  readonly item: ItemSummary;
  readonly hits: readonly Hit[];
  readonly tookMs: number;
}

export interface Operations {
  addRoot: { req: { readonly path: string; readonly ignore?: readonly string[]; readonly ocr?: boolean }; res: Root };
  updateRoot: { req: { readonly id: number; readonly ignore?: readonly string[]; readonly ocr?: boolean }; res: Root };
  removeRoot: { req: { readonly id: number }; res: { readonly removedItems: number } };
  listRoots: { req: Record<string, never>; res: readonly Root[] };
  indexNow: { req: { readonly rootIds?: readonly number[] }; res: IndexSummary };
  pauseIndexing: { req: Record<string, never>; res: IndexProgress };
  resumeIndexing: { req: Record<string, never>; res: IndexProgress };
  status: { req: Record<string, never>; res: IndexStatus };
  /** Files that could not be indexed, each with its reason (`error`), ordered by path; limit default 1000. */
  listErrors: { req: { readonly limit?: number }; res: readonly ItemSummary[] };
  /** Paths inside watched folders that Trove did not follow (links that lead outside), each with its reason. */
  listSkipped: { req: { readonly limit?: number }; res: readonly SkippedPath[] };
  search: { req: SearchRequest; res: SearchResponse };
  related: { req: RelatedRequest; res: RelatedResponse };
  getItem: { req: ItemRef; res: ItemDetail };
  thumbnail: { req: ItemRef & { readonly size: 'small' | 'large' }; res: Thumbnail };
  listModels: { req: Record<string, never>; res: readonly ModelListing[] };
  downloadModel: { req: { readonly id: string; readonly variant?: ModelVariant }; res: InstalledModel };
  verifyModel: { req: { readonly id: string }; res: InstalledModel };
  removeModel: { req: { readonly id: string }; res: { readonly removed: boolean } };
  doctor: { req: Record<string, never>; res: Diagnostics };
  getSettings: { req: Record<string, never>; res: Settings };
  /** A new model takes effect for new work; its space builds at the next index run while the old one answers. */
  updateSettings: { req: Partial<Settings>; res: Settings };
}

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
  'doctor',
  'getSettings',
  'updateSettings',
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
}

export type EventName = keyof Events;
export const EVENT_NAMES = ['progress', 'itemsChanged', 'rootsChanged', 'modelProgress'] as const satisfies readonly EventName[];
type UnlistedEvent = Exclude<EventName, (typeof EVENT_NAMES)[number]>;
const everyEventListed: [UnlistedEvent] extends [never] ? true : UnlistedEvent = true;
void everyEventListed;

export type Listener<E extends EventName> = (payload: Events[E]) => void;

export interface TroveEvents {
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}
