// The timeline's data: the months of the library (or of a filter, `kind:photo after:2024-06`) with their counts,
// from the first page, and each month's items as far as they are loaded. A month loads when it comes near the
// viewport: its first page starts at the month (`from`: its end), the next ones follow with the page's `cursor`, so
// a jump of the scrubber to 2019 asks for 2019 only. Kept while an item is open, so "back" returns to the same
// place. [Note: ui-timeline]
import type { TimelineFilter } from '../lib/filters.js';
import { monthKey } from '../lib/format.js';
import { absorb, fresh, keyOf, type MonthState } from '../lib/months.js';
import { conn } from './app.svelte.js';
import { remember } from './excerpts.svelte.js';

export type { MonthState } from '../lib/months.js';

/** The first page (newest items, with the months); later pages hold at most the contract's limit. */
export const FIRST_PAGE = 120;
export const PAGE = 1000;
/** Months asked for at once. */
const PARALLEL = 3;

class TimelineStore {
  /** Which filter the months are for (null: nothing asked yet). */
  key = $state<string | null>(null);
  filter = $state.raw<TimelineFilter>({ query: '', kinds: [] });
  months = $state.raw<readonly MonthState[]>([]);
  total = $state(0);
  /** The first page is on its way (nothing to show yet). */
  loading = $state(false);
  error = $state<string | null>(null);
  /** Where it was scrolled to and which item was selected, kept across an item's page. */
  scrollTop = $state(0);
  anchor = $state.raw<{ month: string; offset: number } | null>(null);
  selected = $state<number | null>(null);
  /** Bumped when the months were replaced (a refresh), for the view's scroll anchor. */
  version = $state(0);

  #generation = 0;
  #inFlight = 0;
  #queue: string[] = [];

  /** Shows the timeline of a filter: the months asked again only when the filter is not the one on screen. */
  open(filter: TimelineFilter): void {
    const key = keyOf(filter);
    if (key === this.key && (this.months.length > 0 || this.loading)) return;
    this.key = key;
    this.filter = filter;
    this.months = [];
    this.total = 0;
    this.scrollTop = 0;
    this.anchor = null;
    this.selected = null;
    void this.#first(false);
  }

  /** Items changed (indexing): the months again, keeping those whose count did not change. */
  refresh(): void {
    if (this.key === null || this.loading) return;
    void this.#first(true);
  }

  retry(): void {
    if (this.key !== null) void this.#first(false);
  }

  #request(): { query?: string; kinds?: ('photo' | 'note' | 'audio')[] } {
    const req: { query?: string; kinds?: ('photo' | 'note' | 'audio')[] } = {};
    if (this.filter.query.trim()) req.query = this.filter.query.trim();
    if (this.filter.kinds.length) req.kinds = [...this.filter.kinds];
    return req;
  }

  async #first(quiet: boolean): Promise<void> {
    const generation = ++this.#generation;
    this.#queue = [];
    if (!quiet) this.loading = true;
    try {
      const page = await conn().api.timeline({ ...this.#request(), limit: FIRST_PAGE });
      if (generation !== this.#generation) return;
      remember(page.items);
      const before = new Map(this.months.map((m) => [m.month, m]));
      let months: MonthState[] = (page.months ?? []).map((m) => {
        const old = before.get(m.month);
        // A month that still holds the same number of items keeps what was loaded of it (no jump, no refetch).
        return old && old.count === m.count && old.complete ? old : fresh(m);
      });
      // The first page's items fill the newest months, as far as they go; its cursor continues the last of them.
      months = months.map((m) => {
        if (m.complete || !page.items.some((it) => it.takenAt !== null && monthKey(it.takenAt) === m.month)) return m;
        return absorb({ ...m, items: [] }, page.items, page.next);
      });
      this.months = months;
      this.total = page.total;
      this.error = null;
      this.version++;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  /** Months the view needs (near the viewport), nearest first: each is asked for once, a few at a time. */
  want(months: readonly string[]): void {
    const asked = new Set(this.#queue);
    for (const key of months) {
      const m = this.months.find((x) => x.month === key);
      if (!m || m.complete || m.loading || m.error || asked.has(key)) continue;
      this.#queue.push(key);
    }
    // Months no longer wanted (the scrubber moved on) wait behind those wanted now.
    this.#queue.sort((a, b) => Number(months.includes(b)) - Number(months.includes(a)));
    this.#pump();
  }

  /** A month that could not be loaded: asked again. */
  retryMonth(key: string): void {
    this.#set(key, (m) => ({ ...m, error: null }));
    this.want([key]);
  }

  #pump(): void {
    while (this.#inFlight < PARALLEL && this.#queue.length) {
      const key = this.#queue.shift()!;
      void this.#load(key, this.#generation);
    }
  }

  #set(key: string, change: (m: MonthState) => MonthState): void {
    this.months = this.months.map((m) => (m.month === key ? change(m) : m));
  }

  async #load(key: string, generation: number): Promise<void> {
    const m = this.months.find((x) => x.month === key);
    if (!m || m.complete || m.loading) return;
    this.#inFlight++;
    this.#set(key, (x) => ({ ...x, loading: true }));
    const limit = Math.max(1, Math.min(PAGE, m.count - m.items.length));
    try {
      const req = m.next ? { ...this.#request(), cursor: m.next, limit } : { ...this.#request(), from: m.end, limit };
      const page = await conn().api.timeline(req);
      if (generation !== this.#generation) return;
      remember(page.items);
      this.#set(key, (x) => absorb(x, page.items, page.next));
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#set(key, (x) => ({ ...x, loading: false, error: error instanceof Error ? error.message : String(error) }));
    } finally {
      this.#inFlight--;
      if (generation === this.#generation) this.#pump();
    }
  }

  /** Every loaded item in display order (for stepping through them on an item's page). */
  loadedIds(): number[] {
    return this.months.flatMap((m) => m.items.map((i) => i.id));
  }
}

export const timeline = new TimelineStore();
