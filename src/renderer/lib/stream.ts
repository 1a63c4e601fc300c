// Where every item of a dated stream sits: the timeline (months of days) and a collection's page (days). Photos,
// notes and recordings share one justified flow, a note or recording as a card of fixed aspect beside the photos of
// its day, so the note written that evening sits with that day's photos. Pure, so it is unit-tested without a
// browser. [Note: ui-timeline]
//
// A day is a group: a day whose items fit in one row at the target height keeps that height and its natural width,
// and the next small day sits beside it on the same line (as Immich lays out days); a bigger day takes the full
// width, justified into rows (lib/layout.ts). Each line carries the day labels above its groups.
//
// Coordinates of a section's days are relative to the section, so a month that loads or grows lays out only itself:
// the sections (months) are then stacked in O(months), and a month not loaded yet is a placeholder whose height is
// estimated from its count (see `estimateHeight`).
import { justify, type Box, type Row } from './layout.js';

export interface StreamEntry {
  readonly id: number;
  readonly day: string; // YYYY-MM-DD: the group it belongs to
  readonly aspect: number; // a photo's (clamped) aspect ratio; ignored for a card
  readonly card: boolean; // a note or a recording
}

export interface StreamBox extends Box {
  readonly id: number;
  readonly card: boolean;
}

export interface DayLabel {
  readonly day: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

export interface StreamLine extends Row {
  readonly boxes: readonly StreamBox[];
  readonly labels: readonly DayLabel[];
}

export interface DaysLayout {
  readonly lines: readonly StreamLine[];
  readonly height: number;
}

export interface StreamOptions {
  readonly width: number;
  readonly rowHeight: number;
  readonly gap: number; // between items
  readonly groupGap: number; // between two days on one line
  readonly lineGap: number; // between lines
  readonly labelHeight: number; // the day's label above its items (0: none)
  readonly cardAspect: number; // a card's width over its height
  readonly minGroupWidth: number; // room for a day's label beside a lone narrow photo
}

/** The sizes the UI uses at a width: smaller rows on a phone-sized window. */
export function streamOptions(width: number): StreamOptions {
  const narrow = width < 640;
  return {
    width,
    rowHeight: narrow ? 124 : width < 1100 ? 180 : 210,
    gap: 4,
    groupGap: narrow ? 12 : 20,
    lineGap: 14,
    labelHeight: 30,
    cardAspect: narrow ? 1.25 : 1.45,
    minGroupWidth: 96,
  };
}

/** Entries in display order grouped by their day, each group in its given order. */
function groups(entries: readonly StreamEntry[]): StreamEntry[][] {
  const out: StreamEntry[][] = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (last && last[0]!.day === e.day) last.push(e);
    else out.push([e]);
  }
  return out;
}

/** The days of one section, relative to its top-left; `index` of each box is its entry's position (reading order). */
export function layoutDays(entries: readonly StreamEntry[], o: StreamOptions): DaysLayout {
  const lines: StreamLine[] = [];
  if (o.width <= 0 || entries.length === 0) return { lines, height: 0 };
  let y = 0;
  let first = 0; // index of the group's first entry
  // The line being filled with small days.
  let open: { boxes: StreamBox[]; labels: DayLabel[]; x: number } | null = null;
  const close = () => {
    if (!open) return;
    const height = o.labelHeight + o.rowHeight;
    lines.push({ top: y, height, boxes: open.boxes, labels: open.labels });
    y += height + o.lineGap;
    open = null;
  };
  for (const group of groups(entries)) {
    const aspects = group.map((e) => (e.card ? o.cardAspect : e.aspect));
    const natural = aspects.reduce((sum, a) => sum + Math.max(1, Math.round(a * o.rowHeight)), 0) + o.gap * (group.length - 1);
    const day = group[0]!.day;
    if (natural <= o.width) {
      const width = Math.min(o.width, Math.max(natural, o.minGroupWidth));
      const line: { boxes: StreamBox[]; labels: DayLabel[]; x: number } = open && open.x + o.groupGap + width <= o.width ? open : (close(), { boxes: [], labels: [], x: -o.groupGap });
      open = line;
      let x = line.x + o.groupGap;
      line.labels.push({ day, x, y: y, width });
      const top = y + o.labelHeight;
      group.forEach((e, k) => {
        const w = Math.max(1, Math.round(aspects[k]! * o.rowHeight));
        line.boxes.push({ lane: 'grid', index: first + k, id: e.id, card: e.card, x, y: top, width: w, height: o.rowHeight });
        x += w + o.gap;
      });
      line.x = line.x + o.groupGap + width;
    } else {
      close();
      const rows = justify(aspects, { width: o.width, rowHeight: o.rowHeight, gap: o.gap, top: y + o.labelHeight });
      rows.forEach((row, r) => {
        const boxes = row.boxes.map((b) => ({ ...b, index: first + b.index, id: group[b.index]!.id, card: group[b.index]!.card }));
        const top = r === 0 ? y : row.top;
        const bottom = row.top + row.height;
        lines.push({ top, height: bottom - top, boxes, labels: r === 0 ? [{ day, x: 0, y, width: o.width }] : [] });
      });
      const last = rows[rows.length - 1]!;
      y = last.top + last.height + o.lineGap;
    }
    first += group.length;
  }
  close();
  return { lines, height: Math.max(0, y - o.lineGap) };
}

/** Items of an average library (photos of mixed shapes, some cards) per line, for a section not laid out yet. */
const AVERAGE_ASPECT = 1.4;

/** How tall `count` items not loaded yet will be, roughly: full lines of average items, one label per line. */
export function estimateHeight(count: number, o: StreamOptions): number {
  if (count <= 0 || o.width <= 0) return 0;
  const perLine = Math.max(1, Math.floor((o.width + o.gap) / (AVERAGE_ASPECT * o.rowHeight + o.gap)));
  const lines = Math.ceil(count / perLine);
  return lines * (o.labelHeight + o.rowHeight) + (lines - 1) * o.lineGap;
}

export interface SectionInput {
  readonly key: string;
  readonly count: number; // items in it, loaded or not
  readonly days: DaysLayout | null; // its loaded items laid out (null: none yet)
  readonly loaded: number; // how many of `count` are in `days`
  readonly complete: boolean;
}

export interface SectionLayout {
  readonly key: string;
  readonly index: number;
  readonly top: number; // of the section: its header first
  readonly bodyTop: number; // where its days start
  readonly height: number;
  readonly days: DaysLayout | null;
  /** The part not loaded yet, relative to bodyTop (estimated), or null when complete. */
  readonly pending: { readonly top: number; readonly height: number } | null;
}

export interface SectionsLayout {
  readonly sections: readonly SectionLayout[];
  readonly height: number; // bottom of the last section
}

/** Sections (months) stacked from `top`, each a header, its laid-out days and an estimate for the rest. */
export function stackSections(inputs: readonly SectionInput[], o: StreamOptions, top: number, headerHeight: number, sectionGap: number): SectionsLayout {
  const sections: SectionLayout[] = [];
  let y = top;
  inputs.forEach((s, index) => {
    const body = s.days?.height ?? 0;
    const rest = s.complete ? 0 : estimateHeight(Math.max(1, s.count - s.loaded), o);
    const pending = s.complete ? null : { top: body > 0 ? body + o.lineGap : 0, height: rest };
    const height = headerHeight + (pending ? pending.top + pending.height : body);
    sections.push({ key: s.key, index, top: y, bodyTop: y + headerHeight, height, days: s.days, pending });
    y += height + sectionGap;
  });
  return { sections, height: sections.length ? y - sectionGap : top };
}

/** The sections that meet [from, to): [start, end) indices, by binary search on their tops. */
export function visibleSections(sections: readonly SectionLayout[], from: number, to: number): readonly [number, number] {
  let lo = 0;
  let hi = sections.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sections[mid]!;
    if (s.top + s.height <= from) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sections.length && sections[end]!.top < to) end++;
  return [lo, end];
}

/** The section at a height (the last one whose top is at or above it), for the scrubber and the scroll anchor. */
export function sectionAt(sections: readonly SectionLayout[], y: number): number {
  let lo = 0;
  let hi = sections.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sections[mid]!.top <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
