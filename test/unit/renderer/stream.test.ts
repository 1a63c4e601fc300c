// The timeline's pure parts: days laid out in one justified flow, months stacked with estimates, pages sorted into
// their months, filters that make a timeline, dates as every view shows them, and the collections' routes.
import { describe, expect, it } from 'vitest';
import type { ItemSummary } from '../../../src/shared/types.js';
import { narrows, timelineFilter } from '../../../src/renderer/lib/filters.js';
import { dateSpan, itemWhen, kindCounts, monthLabel } from '../../../src/renderer/lib/format.js';
import { absorb, fresh, keyOf } from '../../../src/renderer/lib/months.js';
import { formatRoute, parseRoute, type Route } from '../../../src/renderer/lib/route.js';
import { estimateHeight, layoutDays, sectionAt, stackSections, streamOptions, visibleSections, type StreamEntry } from '../../../src/renderer/lib/stream.js';

const o = { ...streamOptions(1000), rowHeight: 200, gap: 4, groupGap: 20, lineGap: 14, labelHeight: 30, cardAspect: 1.5, minGroupWidth: 96 };

function entries(days: readonly (readonly number[])[], card = (_d: number, _i: number) => false): StreamEntry[] {
  let id = 1;
  return days.flatMap((aspects, d) => aspects.map((aspect, i) => ({ id: id++, day: `2024-06-${String(30 - d).padStart(2, '0')}`, aspect, card: card(d, i) })));
}

describe('layoutDays', () => {
  it('puts small days side by side on one line, each under its label, at the target height', () => {
    const layout = layoutDays(entries([[1.5], [1, 1], [0.5]]), o);
    expect(layout.lines).toHaveLength(1);
    const [line] = layout.lines;
    expect(line!.labels.map((l) => l.day)).toEqual(['2024-06-30', '2024-06-29', '2024-06-28']);
    expect(line!.boxes.every((b) => b.height === 200 && b.y === 30)).toBe(true);
    // Days keep their order left to right, with the gap between days wider than between items.
    const xs = line!.boxes.map((b) => b.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(line!.labels[1]!.x - (line!.boxes[0]!.x + line!.boxes[0]!.width)).toBe(20);
    // A lone narrow photo still leaves room for its day's label.
    expect(line!.labels[2]!.width).toBeGreaterThanOrEqual(96);
    expect(layout.height).toBe(230);
  });

  it('wraps to a new line when a day does not fit beside the others', () => {
    const layout = layoutDays(entries([[1.5, 1.5], [1.5, 1.5]]), o);
    expect(layout.lines).toHaveLength(2);
    expect(layout.lines[1]!.top).toBe(230 + 14);
    expect(layout.lines[1]!.labels[0]!.x).toBe(0);
  });

  it('justifies a big day across the full width, rows filling it exactly, its label above the first row', () => {
    const layout = layoutDays(entries([[1.5, 1.2, 1.33, 0.75, 1.78, 1.5, 1, 1.33]]), o);
    expect(layout.lines.length).toBeGreaterThan(1);
    expect(layout.lines[0]!.labels).toHaveLength(1);
    expect(layout.lines[1]!.labels).toHaveLength(0);
    const first = layout.lines[0]!.boxes;
    const last = first[first.length - 1]!;
    expect(last.x + last.width).toBe(1000);
    // Reading order is the entries' order.
    expect(layout.lines.flatMap((l) => l.boxes.map((b) => b.index))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('gives a note or a recording the card aspect, beside the photos of its day', () => {
    const layout = layoutDays(entries([[1.5, 1, 1]], (_d, i) => i === 0), o);
    const card = layout.lines[0]!.boxes[0]!;
    expect(card.card).toBe(true);
    expect(card.width).toBe(300);
  });

  it('lays out 100,000 items in one pass', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: i + 1, day: `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12) % 28).padStart(2, '0')}`, aspect: [1.5, 0.75, 1.33, 1][i % 4]!, card: i % 17 === 0 }));
    const layout = layoutDays(many, o);
    expect(layout.lines.flatMap((l) => l.boxes)).toHaveLength(100_000);
    expect(layout.lines.every((l) => l.boxes.every((b) => b.x >= 0 && b.x + b.width <= 1000))).toBe(true);
  });
});

describe('stackSections', () => {
  it('stacks months with their headers, estimating those not loaded yet, and finds them by height', () => {
    const days = layoutDays(entries([[1.5, 1.5]]), o);
    const layout = stackSections(
      [
        { key: '2024-06', count: 2, days, loaded: 2, complete: true },
        { key: '2024-05', count: 40, days: null, loaded: 0, complete: false },
        { key: '2024-04', count: 3, days: null, loaded: 0, complete: false },
      ],
      o,
      100,
      58,
      22,
    );
    const [june, may, april] = layout.sections;
    expect(june!.top).toBe(100);
    expect(june!.bodyTop).toBe(158);
    expect(june!.pending).toBeNull();
    expect(may!.top).toBe(june!.top + june!.height + 22);
    expect(may!.pending!.height).toBe(estimateHeight(40, o));
    expect(estimateHeight(40, o)).toBeGreaterThan(estimateHeight(3, o));
    expect(layout.height).toBe(april!.top + april!.height);
    expect(sectionAt(layout.sections, may!.top + 5)).toBe(1);
    expect(sectionAt(layout.sections, 0)).toBe(0);
    expect(visibleSections(layout.sections, may!.top + 1, may!.top + 2)).toEqual([1, 2]);
  });
});

const item = (id: number, takenAt: string): ItemSummary => ({
  id,
  rootId: 1,
  path: `/p/${id}.jpg`,
  relPath: `${id}.jpg`,
  kind: 'photo',
  title: String(id),
  size: 1,
  mtime: 0,
  takenAt: Date.parse(takenAt),
  status: 'indexed',
  error: null,
});

describe('months', () => {
  const june = fresh({ month: '2024-06', count: 3, start: Date.parse('2024-06-01T00:00:00Z'), end: Date.parse('2024-07-01T00:00:00Z') });

  it('takes a page’s items of its own month, and goes on with the cursor until it has them all', () => {
    const a = absorb(june, [item(9, '2024-06-30T10:00:00Z'), item(8, '2024-06-20T10:00:00Z')], '1:8');
    expect(a.items.map((i) => i.id)).toEqual([9, 8]);
    expect(a.complete).toBe(false);
    expect(a.next).toBe('1:8');
    const b = absorb(a, [item(8, '2024-06-20T10:00:00Z'), item(7, '2024-06-02T10:00:00Z')], '1:7');
    expect(b.items.map((i) => i.id)).toEqual([9, 8, 7]);
    expect(b.complete).toBe(true);
    expect(b.next).toBeNull();
  });

  it('is complete when a page runs on into an older month, or there is no more', () => {
    expect(absorb(june, [item(9, '2024-06-30T10:00:00Z'), item(5, '2024-05-30T10:00:00Z')], '1:5').complete).toBe(true);
    expect(absorb(june, [item(9, '2024-06-30T10:00:00Z')], null).complete).toBe(true);
  });

  it('keys a filter whatever the order of its kinds', () => {
    expect(keyOf({ query: ' kind:photo ', kinds: ['note', 'photo'] })).toBe(keyOf({ query: 'kind:photo', kinds: ['photo', 'note'] }));
  });
});

describe('the timeline’s filter', () => {
  it('is the filters of a search with no words; words make it a search', () => {
    expect(timelineFilter({ q: '', kinds: [], from: null, to: null })).toEqual({ query: '', kinds: [] });
    expect(narrows(timelineFilter({ q: '', kinds: [], from: null, to: null })!)).toBe(false);
    expect(timelineFilter({ q: 'kind:photo after:2024-06', kinds: [], from: null, to: null })).toEqual({ query: 'kind:photo after:2024-06', kinds: [] });
    expect(timelineFilter({ q: '', kinds: ['audio'], from: '2024-01-01', to: '2024-01-31' })).toEqual({ query: 'after:2024-01-01 before:2024-02-01', kinds: ['audio'] });
    expect(timelineFilter({ q: 'red kind:photo', kinds: [], from: null, to: null })).toBeNull();
  });
});

describe('dates', () => {
  const base = { mtime: Date.parse('2026-12-06T22:15:00Z') };
  it('shows the day and the time when known, only the day for a day-only date, and marks a guess', () => {
    expect(itemWhen({ ...base, takenAt: Date.parse('2024-10-19T13:20:00Z'), timeSource: 'exif' }, { withTime: true, locale: 'en-GB' }).text).toBe('19 Oct 2024, 13:20');
    expect(itemWhen({ ...base, takenAt: Date.parse('2024-10-19T00:00:00Z'), timeSource: 'frontmatter', timeDay: true }, { withTime: true, locale: 'en-GB' }).text).toBe('19 Oct 2024');
    const guess = itemWhen({ ...base, takenAt: Date.parse('2026-12-06T22:15:00Z'), timeSource: 'mtime' }, { withTime: true, locale: 'en-GB' });
    expect(guess).toMatchObject({ text: '≈ 6 Dec 2026', approximate: true });
    expect(itemWhen({ ...base, takenAt: Date.parse('2026-12-06T22:15:00Z'), timeSource: 'mtime' }, { long: true, locale: 'en-GB' }).text).toBe('modified 6 December 2026');
    expect(itemWhen({ ...base, takenAt: null }, { locale: 'en-GB' }).approximate).toBe(true);
  });

  it('says a collection’s span once, and its contents by kind', () => {
    const day = Date.parse('2024-06-11T10:00:00Z');
    expect(dateSpan(day, day + 3_600_000, 'en-GB')).toBe('11 Jun 2024');
    expect(dateSpan(day, day + 3 * 86_400_000, 'en-GB')).toMatch(/^11\s?.\s?14 Jun 2024$/);
    expect(monthLabel('2024-06', 'en-GB')).toBe('June 2024');
    expect(kindCounts({ photo: 12, note: 1, audio: 0 })).toBe('12 photos · 1 note');
  });
});

describe('collection routes', () => {
  it('round-trips the Collections page and a collection through the address', () => {
    const routes: Route[] = [
      { page: 'collections', hidden: false },
      { page: 'collections', hidden: true },
      { page: 'collection', id: 7 },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(parseRoute('#/collection/x')).toEqual({ page: 'collections', hidden: false });
  });
});
