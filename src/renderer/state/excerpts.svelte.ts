// The opening words of notes and recordings shown as cards in the timeline. The engine sends them with each
// timeline page (`TimelineItem.excerpt`), and `remember` keeps them; a card drawn for an item no page brought asks
// `getItem` (its first text or transcript segment), a few at a time. [Note: ui-timeline]
import { SvelteMap } from 'svelte/reactivity';
import type { TimelineItem } from '../../shared/types.js';
import { conn } from './app.svelte.js';

const PARALLEL = 3;
const KEEP = 2000;

const texts = new SvelteMap<number, string | null>();
const queue: number[] = [];
const asked = new Set<number>();
let inFlight = 0;

function pump(): void {
  while (inFlight < PARALLEL && queue.length) {
    const id = queue.pop()!; // the newest wish first: the cards on screen now
    inFlight++;
    conn()
      .api.getItem({ id })
      .then((item) => {
        const first = item.segments.find((s) => (s.kind === 'text' || s.kind === 'transcript') && s.text?.trim());
        let text = first?.text?.replace(/\s+/g, ' ').trim() ?? null;
        // A note's chunk often starts with its own title: the card shows that already.
        if (text && text.startsWith(item.title)) text = text.slice(item.title.length).trim() || null;
        if (texts.size > KEEP) texts.delete(texts.keys().next().value!);
        texts.set(id, text ? text.slice(0, 400) : null);
      })
      .catch(() => texts.set(id, null))
      .finally(() => {
        inFlight--;
        pump();
      });
  }
}

/** The opening words of an item, or null while unknown (then asked for once). */
export function excerpt(id: number): string | null {
  const known = texts.get(id);
  if (known !== undefined) return known;
  if (!asked.has(id)) {
    asked.add(id);
    queue.push(id);
    queueMicrotask(pump);
  }
  return null;
}

/** Keeps the excerpts a timeline page brought. */
export function remember(items: readonly TimelineItem[]): void {
  for (const item of items) {
    if (item.kind === 'photo') continue;
    if (texts.size > KEEP) texts.delete(texts.keys().next().value!);
    texts.set(item.id, item.excerpt);
    asked.add(item.id);
  }
}
