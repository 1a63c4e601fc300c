// Browsing by time: the timeline's pages, and a search of filters only (`kind:photo after:2024-06`). [Note: timeline]
// Both list every matching item newest first; neither has a score, because nothing was asked of meaning.
import type { RequestOf } from '../../../shared/api.js';
import { parseQuery, type ParsedQuery } from '../../../shared/query.js';
import { passage } from './words.js';
import type { Hit, ItemKind, TimelinePage } from '../../../shared/types.js';
import type { ItemRow } from '../store/items.js';
import type { Store } from '../store/index.js';
import { toSummary } from '../store/items.js';
import type { TimeFilter } from '../store/timeline.js';
import { scopeOf } from './scope.js';

export const DEFAULT_PAGE = 200;

function cursorOf(cursor: string | undefined): { takenAt: number; id: number } | null {
  if (!cursor) return null;
  const [t, id] = cursor.split(':').map(Number);
  return Number.isSafeInteger(t) && Number.isSafeInteger(id) ? { takenAt: t!, id: id! } : null;
}

/** The filter of a query's kinds, dates and scope (in:, near:, camera:, with its town names found). */
export function timeFilter(store: Store, query: ParsedQuery, kinds: readonly ItemKind[] | null): TimeFilter {
  return { kinds, after: query.after, before: query.before, scope: scopeOf(store, query).scope };
}

/** One page of the timeline; the months of the whole filtered library come with the first. */
export function timelinePage(store: Store, req: RequestOf<'timeline'>, kinds: readonly ItemKind[] | null, spaceId = -1): TimelinePage {
  const query = parseQuery(req.query ?? '');
  const filter = timeFilter(store, query, kinds);
  const limit = req.limit ?? DEFAULT_PAGE;
  const rows = store.timeline.page(filter, { below: cursorOf(req.cursor), from: req.from ?? null }, limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const first = req.cursor === undefined;
  return {
    items: page.map((row) => ({ ...toSummary(row), excerpt: row.kind === 'photo' ? null : excerpt(store, row, spaceId) })),
    next: more && last ? `${last.taken_at}:${last.id}` : null,
    months: first ? store.timeline.months(filter) : null,
    total: store.timeline.count(filter),
  };
}

/** A search with filters and no words: every match newest first, each shown by its first segment. */
export function filterHits(store: Store, spaceId: number, query: ParsedQuery, kinds: readonly ItemKind[] | null, limit: number): Hit[] {
  const rows = store.timeline.page(timeFilter(store, query, kinds), { below: null, from: null }, limit);
  return rows.flatMap((row) => {
    const first = store.segments.forItem(row.id, spaceId)[0];
    if (!first) return [];
    const { itemId: _itemId, ...segment } = first;
    return [{ item: toSummary(row), score: 0, close: true, match: { segment, score: 0, lexical: false, passage: segment.text ? passage(segment.text, []) : null } }];
  });
}

const EXCERPT_CHARS = 280;

/**
 * The opening words of a note or a recording for its card: its first chunks, without the title it opens with
 * (the card shows that already), cut at a word.
 */
export function excerpt(store: Store, row: Pick<ItemRow, 'id' | 'title'>, spaceId: number): string | null {
  let text = store.segments
    .forItem(row.id, spaceId)
    .filter((s) => s.text && s.kind !== 'ocr')
    .slice(0, 3)
    .map((s) => s.text!)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (row.title && text.startsWith(row.title)) text = text.slice(row.title.length).trim();
  if (!text) return null;
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1).replace(/\s+\S*$/, '')}…` : text;
}
