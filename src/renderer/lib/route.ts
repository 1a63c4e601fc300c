// The page's address after `#`: which view, which query, which item, so back and forward work and a view can be
// bookmarked (in browser mode) or restored. [Note: ui-routing]
//
//   #/search?q=red&kinds=photo,note&from=2024-01-01&to=2024-06-30     results (no q: the start page)
//   #/similar/42?kinds=photo                                           "more like this" item 42
//   #/item/42?t=83000                                                  an item (a recording at 1:23)
//   #/collections?hidden=1                                             the collections (hidden ones too)
//   #/collection/7                                                     one collection
//   #/duplicates                                                       near-identical photos
//   #/places                                                           photos on a map
//   #/library   #/settings
import { isItemKind, type Hit, type ItemKind } from '../../shared/types.js';

export interface SearchRoute {
  readonly page: 'search';
  readonly q: string;
  readonly kinds: readonly ItemKind[];
  readonly from: string | null; // YYYY-MM-DD, inclusive
  readonly to: string | null; // YYYY-MM-DD, inclusive
  readonly limit: number | null; // how many results to ask for first (default: the UI's own)
}

export type Route =
  | SearchRoute
  | { readonly page: 'similar'; readonly id: number; readonly kinds: readonly ItemKind[] }
  /** `t`: where a recording starts playing (ms); `at`: the segment of a note to open at (the match's passage). */
  | { readonly page: 'item'; readonly id: number; readonly t: number | null; readonly at: number | null }
  | { readonly page: 'collections'; readonly hidden: boolean }
  | { readonly page: 'collection'; readonly id: number }
  | { readonly page: 'duplicates' }
  | { readonly page: 'places' }
  | { readonly page: 'library' }
  | { readonly page: 'settings' };

export const HOME: SearchRoute = { page: 'search', q: '', kinds: [], from: null, to: null, limit: null };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function kindsOf(value: string | null): ItemKind[] {
  if (!value) return [];
  const kinds = value.split(',').filter(isItemKind);
  return [...new Set(kinds)];
}

function idOf(value: string | undefined): number | null {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

function wholeOf(value: string | null, max: number): number | null {
  if (!value || !/^\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return n >= 0 && n <= max ? n : null;
}

/** The route of a `location.hash` (with or without the `#`); anything unknown is the start page. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const path = (q < 0 ? text : text.slice(0, q)).replace(/\/+$/, '');
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'duplicates':
      return { page: 'duplicates' };
    case 'places':
      return { page: 'places' };
    case 'library':
      return { page: 'library' };
    case 'settings':
      return { page: 'settings' };
    case 'collections':
      return { page: 'collections', hidden: params.get('hidden') === '1' };
    case 'collection': {
      const id = idOf(parts[1]);
      return id === null ? { page: 'collections', hidden: false } : { page: 'collection', id };
    }
    case 'item': {
      const id = idOf(parts[1]);
      return id === null ? HOME : { page: 'item', id, t: wholeOf(params.get('t'), 1e10), at: idOf(params.get('at') ?? undefined) };
    }
    case 'similar': {
      const id = idOf(parts[1]);
      return id === null ? HOME : { page: 'similar', id, kinds: kindsOf(params.get('kinds')) };
    }
    case 'search': {
      const from = params.get('from');
      const to = params.get('to');
      const limit = wholeOf(params.get('limit'), 1000);
      return {
        page: 'search',
        q: params.get('q') ?? '',
        kinds: kindsOf(params.get('kinds')),
        from: from && DAY.test(from) ? from : null,
        to: to && DAY.test(to) ? to : null,
        limit: limit && limit > 0 ? limit : null,
      };
    }
    default:
      return HOME;
  }
}

/** The segment a note's hit should open at: its matched passage (none for other kinds, or a note's title alone). */
export function passageOf(hit: Pick<Hit, 'item' | 'match'>): number | null {
  return hit.item.kind === 'note' && hit.match.segment.kind === 'text' && hit.match.segment.text ? hit.match.segment.id : null;
}

/** The `#…` address of a route; parseRoute(formatRoute(r)) gives r back. */
export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  switch (route.page) {
    case 'duplicates':
      return '#/duplicates';
    case 'places':
      return '#/places';
    case 'library':
      return '#/library';
    case 'settings':
      return '#/settings';
    case 'collections':
      return route.hidden ? '#/collections?hidden=1' : '#/collections';
    case 'collection':
      return `#/collection/${route.id}`;
    case 'item':
      if (route.t !== null) params.set('t', String(route.t));
      if (route.at !== null) params.set('at', String(route.at));
      return withParams(`#/item/${route.id}`, params);
    case 'similar':
      if (route.kinds.length) params.set('kinds', route.kinds.join(','));
      return withParams(`#/similar/${route.id}`, params);
    case 'search':
      if (route.q) params.set('q', route.q);
      if (route.kinds.length) params.set('kinds', route.kinds.join(','));
      if (route.from) params.set('from', route.from);
      if (route.to) params.set('to', route.to);
      if (route.limit !== null) params.set('limit', String(route.limit));
      return withParams('#/search', params);
  }
}

function withParams(path: string, params: URLSearchParams): string {
  const query = params.toString().replace(/\+/g, '%20');
  return query ? `${path}?${query}` : path;
}
