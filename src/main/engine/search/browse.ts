// Browsing by time: the timeline's pages, and a search of filters only (`kind:photo after:2024-06`). [Note: timeline]
// Both list every matching item newest first; neither has a score, because nothing was asked of meaning.
import type { RequestOf } from '../../../shared/api.js';
import { parseQuery, type ParsedQuery } from '../../../shared/query.js';
import type { Hit, ItemKind, TimelinePage } from '../../../shared/types.js';
import type { Store } from '../store/index.js';
import { toSummary } from '../store/items.js';
import type { TimeFilter } from '../store/timeline.js';

export const DEFAULT_PAGE = 200;

function cursorOf(cursor: string | undefined): { takenAt: number; id: number } | null {
  if (!cursor) return null;
  const [t, id] = cursor.split(':').map(Number);
  return Number.isSafeInteger(t) && Number.isSafeInteger(id) ? { takenAt: t!, id: id! } : null;
}

export function timeFilter(query: ParsedQuery, kinds: readonly ItemKind[] | null): TimeFilter {
  return { kinds, after: query.after, before: query.before };
}

/** One page of the timeline; the months of the whole filtered library come with the first. */
export function timelinePage(store: Store, req: RequestOf<'timeline'>, kinds: readonly ItemKind[] | null): TimelinePage {
  const query = parseQuery(req.query ?? '');
  const filter = timeFilter(query, kinds);
  const limit = req.limit ?? DEFAULT_PAGE;
  const rows = store.timeline.page(filter, { below: cursorOf(req.cursor), from: req.from ?? null }, limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const first = req.cursor === undefined;
  return {
    items: page.map(toSummary),
    next: more && last ? `${last.taken_at}:${last.id}` : null,
    months: first ? store.timeline.months(filter) : null,
    total: store.timeline.count(filter),
  };
}

/** A search with filters and no words: every match newest first, each shown by its first segment. */
export function filterHits(store: Store, spaceId: number, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number): Hit[] {
  const rows = store.timeline.page(timeFilter(query, kinds), { below: null, from: null }, limit);
  return rows.flatMap((row) => {
    const first = store.segments.forItem(row.id, spaceId)[0];
    if (!first) return [];
    const { itemId: _itemId, ...segment } = first;
    return [{ item: toSummary(row), score: 0, match: { segment, score: 0, lexical: false } }];
  });
}
