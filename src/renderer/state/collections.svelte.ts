// The collections Trove made (events that mix photos, notes and recordings): the list for the Collections page, the
// recent ones for the timeline's row, and the edits a person makes. Everything is asked again when the
// `collectionsChanged` event says something changed. [Note: ui-collections]
import type { CollectionSummary } from '../../shared/types.js';
import { latestOnly } from '../lib/timing.js';
import { app, conn } from './app.svelte.js';

/** Collections asked for at a time on the Collections page. */
export const PAGE = 120;
/** Cards in the timeline's row of recent collections. */
export const RECENT = 12;

const askList = latestOnly((req: { includeHidden: boolean; limit: number }) => conn().api.listCollections(req));
const askRecent = latestOnly(() => conn().api.listCollections({ limit: RECENT }));

class CollectionsStore {
  list = $state.raw<readonly CollectionSummary[]>([]);
  total = $state(0);
  includeHidden = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The list answers this (includeHidden, events seen, how many): asked again only when that changes. */
  #key: string | null = null;
  #limit = PAGE;

  recent = $state.raw<readonly CollectionSummary[] | null>(null);
  #recentVersion = -1;

  /** The Collections page's list; `more` asks for the next page as well. */
  async load(includeHidden: boolean, more = false): Promise<void> {
    if (more) this.#limit = Math.min(1000, this.#limit + PAGE);
    else if (includeHidden !== this.includeHidden) this.#limit = PAGE;
    const key = JSON.stringify([includeHidden, app.collectionsVersion, this.#limit]);
    if (key === this.#key && !this.error) return;
    this.#key = key;
    if (includeHidden !== this.includeHidden) this.list = [];
    this.includeHidden = includeHidden;
    this.loading = true;
    try {
      const answer = await askList({ includeHidden, limit: this.#limit });
      if (!answer.current) return;
      this.list = answer.value.collections;
      this.total = answer.value.total;
      this.error = null;
    } catch (error) {
      this.#key = null;
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }

  /** The newest collections, pinned first, for the timeline; none when the engine cannot list them. */
  async loadRecent(): Promise<void> {
    if (this.#recentVersion === app.collectionsVersion && this.recent !== null) return;
    this.#recentVersion = app.collectionsVersion;
    try {
      const answer = await askRecent();
      if (answer.current) this.recent = answer.value.collections;
    } catch {
      this.recent = [];
      this.#recentVersion = -1;
    }
  }

  /** A collection changed by an edit here: shown at once, before the event brings the lists again. */
  replace(c: CollectionSummary): void {
    this.list = this.list.map((x) => (x.id === c.id ? c : x));
    if (this.recent) this.recent = this.recent.map((x) => (x.id === c.id ? c : x));
  }

  forget(ids: readonly number[]): void {
    this.list = this.list.filter((x) => !ids.includes(x.id));
    if (this.recent) this.recent = this.recent.filter((x) => !ids.includes(x.id));
  }
}

export const collections = new CollectionsStore();

/** Where a collection's page was scrolled to and what was selected, kept while one of its items is open. */
class PageView {
  scrollTop = $state(0);
  selected = $state<number | null>(null);
  anchor = $state.raw<{ month: string; offset: number } | null>(null);
}
const views = new Map<number, PageView>();

export function viewOf(id: number): PageView {
  let view = views.get(id);
  if (!view) {
    view = new PageView();
    views.set(id, view);
  }
  return view;
}
