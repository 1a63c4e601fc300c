// The search: what is typed and filtered, the answer shown, and where the results were scrolled to, kept while
// an item is open so "back" returns to the same place. Typing is debounced (150 ms) and only the newest answer
// is shown (lib/timing.ts). [Note: ui-search]
import type { SearchRequest } from '../../shared/api.js';
import type { Hit, ItemKind } from '../../shared/types.js';
import { kindsOf, laneRequest, withKind, type Filters } from '../lib/filters.js';
import type { Route, SearchRoute } from '../lib/route.js';
import { debounce, latestOnly } from '../lib/timing.js';
import { conn } from './app.svelte.js';
import { go, router } from './router.svelte.js';

/** The first answer asks for this many; scrolling near the end asks for the most the contract allows. */
export const FIRST_LIMIT = 200;
export const MAX_LIMIT = 1000;
export const TYPING_MS = 150;

export const search = $state({
  filters: { q: '', kinds: [], from: null, to: null } as Filters,
  /** The answer on screen and the request it answers (as a key), or none yet. */
  hits: [] as readonly Hit[],
  /** How many of the hits are close matches, and what the engine said about the answer (no close match…). */
  close: 0,
  notice: null as string | null,
  key: null as string | null,
  limit: FIRST_LIMIT,
  tookMs: 0,
  loading: false,
  error: null as string | null,
  warnings: [] as readonly string[],
  /** Where the results were scrolled to and which was selected, per answer key. */
  scrollTop: 0,
  selected: null as { lane: 'grid' | 'cards'; index: number } | null,
  expanded: false,
  /**
   * A photo to search by, dropped on the search bar: a result's photo (by id) or a file from the computer (its bytes,
   * scaled down first). Kept while it is there; not in the address (a file's bytes have no address).
   */
  image: null as SearchImage | null,
  /** Bumped when the search field hands the keyboard to the results (ArrowDown). */
  focusResults: 0,
});

export interface SearchImage {
  readonly ref: { readonly id: number } | { readonly bytes: Uint8Array<ArrayBuffer> };
  readonly name: string;
  readonly preview: string; // an image URL to show in the search bar
}

/** Notes and recordings are read one by one: a hundred is plenty, and keeps each answer quick. */
export const CARD_LIMIT = 100;

const ask = latestOnly((req: SearchRequest) => conn().api.search(req));

let imageSerial = 0;
const imageKeys = new WeakMap<SearchImage, number>();

function keyOf(filters: Filters): string {
  const image = search.image ? (imageKeys.get(search.image) ?? (imageKeys.set(search.image, ++imageSerial), imageSerial)) : null;
  return JSON.stringify([filters.q.trim(), [...filters.kinds].sort(), filters.from, filters.to, image]);
}

function routeOf(filters: Filters, limit: number | null = null): SearchRoute {
  return { page: 'search', q: filters.q, kinds: filters.kinds, from: filters.from, to: filters.to, limit };
}

/**
 * The filters of the search on its way (their key; null: none). Typing changes the address and then asks; the page
 * then sees a new address and must not ask the same again (every search was sent twice).
 */
let asking: string | null = null;

/** Runs the search for the current filters; `quiet` keeps the results on screen (a refresh, loading more). */
async function run(quiet = false): Promise<void> {
  const filters = search.filters;
  const key = keyOf(filters);
  const req = laneRequest(filters, search.limit, CARD_LIMIT, search.image?.ref ?? null);
  if (!req) {
    ask.invalidate(); // nothing to ask: an answer still on its way is for words no longer there
    search.hits = [];
    search.close = 0;
    search.notice = null;
    search.key = key;
    search.loading = false;
    search.error = null;
    search.warnings = [];
    return;
  }
  if (search.key !== key) {
    search.scrollTop = 0;
    search.selected = null;
    search.expanded = false;
  }
  if (!quiet) search.loading = true;
  asking = key;
  try {
    const answer = await ask(req);
    if (!answer.current) return;
    search.hits = answer.value.hits;
    search.close = answer.value.close;
    search.notice = answer.value.notice;
    search.tookMs = answer.value.tookMs;
    search.warnings = answer.value.query.warnings;
    search.key = key;
    search.error = null;
  } catch (error) {
    search.error = error instanceof Error ? error.message : String(error);
    search.key = key;
    search.hits = [];
  } finally {
    if (keyOf(search.filters) === key) search.loading = false;
    if (asking === key) asking = null;
  }
}


/** The route on screen when the search field last changed. */
let typedOn: Route | null = null;

const typed = debounce(() => {
  // Typing shows the results; but a page opened since the last key (a link clicked within the pause) stays.
  if (router.route === typedOn || router.route.page === 'search') go(routeOf(search.filters), { replace: router.route.page === 'search' });
  void run();
}, TYPING_MS);

/** The search field changed. */
export function setQuery(q: string): void {
  typedOn = router.route;
  search.filters = { ...search.filters, q };
  search.limit = FIRST_LIMIT;
  typed();
}

/** After a failure: ask again. */
export function retry(): void {
  void run();
}

/** Enter in the search field: no need to wait for the pause in typing. */
export function flushQuery(): void {
  typed.flush();
}

/** A photo dropped on the search bar (or taken away): searched at once, with the words typed. */
export function setImage(image: SearchImage | null): void {
  if (search.image?.preview.startsWith('blob:')) URL.revokeObjectURL(search.image.preview);
  search.image = image;
  search.limit = FIRST_LIMIT;
  typed.cancel();
  go(routeOf(search.filters), { replace: router.route.page === 'search' });
  void run();
}

/** A kind toggle or the date range changed: searched at once. */
export function setFilters(change: Partial<Pick<Filters, 'q' | 'kinds' | 'from' | 'to'>>): void {
  search.filters = { ...search.filters, ...change };
  search.limit = FIRST_LIMIT;
  typed.cancel();
  go(routeOf(search.filters), { replace: router.route.page === 'search' });
  void run();
}

/** A kind toggle: it writes `kind:…` into the query (or takes it out), so the field says what the toggles do. */
export function toggleKind(kind: ItemKind): void {
  const on = !kindsOf(search.filters).includes(kind);
  setFilters({ q: withKind(search.filters.q, kind, on), kinds: search.filters.kinds.filter((k) => k !== kind) });
}

/** The address changed (back, forward, a link): show its search, asking only if it is not the one on screen. */
export function applyRoute(route: SearchRoute): void {
  const filters: Filters = { q: route.q, kinds: route.kinds, from: route.from, to: route.to };
  const key = keyOf(filters);
  if (key === keyOf(search.filters) && (search.key === key || asking === key) && (route.limit === null || route.limit <= search.limit)) return;
  typed.cancel();
  search.filters = filters;
  search.limit = route.limit ?? FIRST_LIMIT;
  void run();
}

/** Near the end of the results: ask again for more (the first ones stay where they are). */
export function loadMore(): void {
  const photos = search.hits.filter((h) => h.item.kind === 'photo').length;
  if (search.loading || search.limit >= MAX_LIMIT || photos < search.limit) return;
  search.limit = MAX_LIMIT;
  void run(true);
}

/** Items changed on disk (indexing): the same search again, quietly, so new results appear in place. */
export const refresh = debounce(() => {
  if (search.key !== null && !search.loading) void run(true);
}, 1000);
