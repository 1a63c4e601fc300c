// The timeline's months and what is loaded of each: pages of the `timeline` operation sorted into the month they
// belong to. Pure, so it is unit-tested without a browser. [Note: ui-timeline]
import type { ItemSummary, TimelineMonth } from '../../shared/types.js';
import type { TimelineFilter } from './filters.js';
import { monthKey } from './format.js';

export interface MonthState {
  readonly month: string; // YYYY-MM
  readonly count: number;
  readonly start: number;
  readonly end: number;
  readonly items: readonly ItemSummary[]; // newest first
  readonly next: string | null; // cursor after the last item loaded, when some are loaded and more remain
  readonly complete: boolean;
  readonly loading: boolean;
  readonly error: string | null;
}

/** One key per filter, whatever the order of its kinds. */
export function keyOf(filter: TimelineFilter): string {
  return JSON.stringify([filter.query.trim(), [...filter.kinds].sort()]);
}

export function fresh(m: TimelineMonth): MonthState {
  return { month: m.month, count: m.count, start: m.start, end: m.end, items: [], next: null, complete: m.count === 0, loading: false, error: null };
}

/** A month with a page's items added: only those of its own month; complete when all are there or none remain. */
export function absorb(month: MonthState, items: readonly ItemSummary[], next: string | null): MonthState {
  const own: ItemSummary[] = [];
  let past = false; // the page ran into an older month: this one has no more
  const seen = new Set(month.items.map((i) => i.id));
  for (const item of items) {
    if (item.takenAt === null) continue;
    const m = monthKey(item.takenAt);
    if (m === month.month) {
      if (!seen.has(item.id)) own.push(item);
    } else if (m < month.month) past = true;
  }
  const all = own.length ? [...month.items, ...own] : month.items;
  const complete = past || next === null || all.length >= month.count;
  return { ...month, items: all, next: complete ? null : next, complete, loading: false, error: null };
}

