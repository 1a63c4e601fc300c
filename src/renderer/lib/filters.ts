// From what the search bar shows (text, kind toggles, a date range) to a SearchRequest of the contract. The date
// range becomes the query language's `after:`/`before:` (src/shared/query.ts), so the UI and the CLI mean the same
// thing by a date; "to" is inclusive on screen, and `before:` is exclusive, hence the day after.
import type { SearchRequest } from '../../shared/api.js';
import { kindOfWord, parseQuery } from '../../shared/query.js';
import type { ItemKind } from '../../shared/types.js';

export interface Filters {
  readonly q: string;
  readonly kinds: readonly ItemKind[];
  readonly from: string | null; // YYYY-MM-DD
  readonly to: string | null; // YYYY-MM-DD, inclusive
}

/** The kinds asked for: the toggles' own and those the query text names (`kind:note`). Empty: every kind. */
export function kindsOf(filters: Pick<Filters, 'q' | 'kinds'>): ItemKind[] {
  const kinds = new Set<ItemKind>([...filters.kinds, ...parseQuery(filters.q).kinds]);
  return (['photo', 'note', 'audio'] as const).filter((k) => kinds.has(k));
}

/**
 * The query text with a kind turned on (`kind:note` added) or off (every `kind:`, `type:` or `is:` naming it
 * taken out), so the toggles write the query a person can read and edit. [Note: ui-search]
 */
export function withKind(q: string, kind: ItemKind, on: boolean): string {
  const without = q
    .split(/(\s+)/)
    .filter((part) => {
      const m = /^(?:kind|type|is):(\S+)$/i.exec(part);
      return !(m && kindOfWord(m[1]!) === kind);
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  return on ? `${without} kind:${kind}`.trim() : without;
}

/** "2024-02-28" → "2024-02-29"; null for anything that is not a real day. */
export function dayAfter(day: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  if (d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) return null;
  return new Date(t + 86_400_000).toISOString().slice(0, 10);
}

/** The full query text: what was typed plus the date range in the query language. */
export function queryText(filters: Filters): string {
  const parts = [filters.q.trim()];
  if (filters.from) parts.push(`after:${filters.from}`);
  const before = filters.to ? dayAfter(filters.to) : null;
  if (before) parts.push(`before:${before}`);
  return parts.filter(Boolean).join(' ');
}

/**
 * The request to send, or null when there is nothing to search for yet (only filters, or only spaces: the engine
 * needs words to embed). Kinds travel as the request's own filter; none means every kind.
 */
export function searchRequest(filters: Filters, limit: number): SearchRequest | null {
  const query = queryText(filters);
  if (!parseQuery(query).text) return null;
  return filters.kinds.length ? { query, kinds: [...filters.kinds], limit } : { query, limit };
}

/** What is wrong with the filters, for a person (an empty date range, a date the query language cannot read). */
export function filterWarnings(filters: Filters): string[] {
  if (filters.from && filters.to && filters.from > filters.to) return ['The date range is empty: “from” is after “to”.'];
  return parseQuery(queryText(filters)).warnings.map((w) => w.charAt(0).toUpperCase() + w.slice(1) + '.');
}

/**
 * The request behind one results page: one search with a lane for photos and one for the other kinds, so 600
 * sunsets never crowd the one note about that evening out of a shared limit (the page shows them in separate lanes
 * anyway), and the query is embedded once. Only the lanes the kind filter leaves are asked for; null when there is
 * nothing to search for (no words and no photo to search by).
 */
export function laneRequest(filters: Filters, photoLimit: number, cardLimit: number, image: NonNullable<SearchRequest['image']> | null = null): SearchRequest | null {
  const base = searchRequest({ ...filters, kinds: [] }, photoLimit) ?? (image ? { query: queryText(filters), limit: photoLimit } : null);
  if (!base) return null;
  const asked = kindsOf(filters);
  const wanted = asked.length ? asked : (['photo', 'note', 'audio'] as const);
  const others = wanted.filter((k) => k !== 'photo');
  const lanes = [
    ...(wanted.includes('photo') ? [{ kinds: ['photo' as const], limit: photoLimit }] : []),
    ...(others.length ? [{ kinds: [...others], limit: cardLimit }] : []),
  ];
  return { ...base, ...(image ? { image } : {}), lanes };
}

/** What the timeline lists: the filters of a search with no words (`kind:photo after:2024-06`, the toggles). */
export interface TimelineFilter {
  readonly query: string; // filters only, in the query language ('' for everything)
  readonly kinds: readonly ItemKind[];
}

/**
 * The timeline's filter for what the search bar holds, or null when words are typed (then it is a search). A query
 * of filters alone is listed by time, newest first, not ranked: nothing was asked of meaning. [Note: ui-timeline]
 */
export function timelineFilter(filters: Filters): TimelineFilter | null {
  const query = queryText(filters);
  if (parseQuery(query).text) return null;
  return { query, kinds: [...filters.kinds] };
}

/** Whether a timeline filter narrows anything (else it is the whole library, the start page). */
export function narrows(filter: TimelineFilter): boolean {
  return filter.query.trim() !== '' || filter.kinds.length > 0;
}
