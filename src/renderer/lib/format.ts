// How numbers, times and places read on screen. Pure; dates follow the person's locale where it matters.
import type { TimeSource } from '../../shared/types.js';

/** A position in a recording: m:ss, or h:mm:ss from an hour on. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** A size in bytes, the way a file manager shows it (decimal units). */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

/** Time left, roughly: "about 40 s", "about 3 min", "about 2 h 5 min". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** Files per second, with one decimal under ten. */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}

/** 1234567 → "1,234,567" (grouping by locale). */
export function count(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "1 photo", "3 photos". */
export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${count(n, locale)} ${n === 1 ? one : many}`;
}

/**
 * A capture time as stored: the local wall-clock time it was taken, written as if it were UTC (see
 * src/shared/query.ts), so it is formatted in UTC to show the time the camera showed.
 */
export function takenDate(ms: number, locale?: string, withTime = true): string {
  const options: Intl.DateTimeFormatOptions = withTime
    ? { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale, options).format(new Date(ms));
}

/** A file's modification time, in the person's own time zone. */
export function fileDate(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(ms));
}

/** 51.50722, -0.1275 → "51.5072° N, 0.1275° W". */
export function place(latitude: number, longitude: number): string {
  const fmt = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(4)}° ${v >= 0 ? pos : neg}`;
  return `${fmt(latitude, 'N', 'S')}, ${fmt(longitude, 'E', 'W')}`;
}

/** A cosine similarity as shown on hover: two decimals. */
export function score(value: number): string {
  return value.toFixed(2);
}

/** The folder part of a relative path ("photos/2023/IMG.jpg" → "photos/2023"), '' at the top. */
export function folderOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

/** The last part of a path, whichever separator it uses. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** When an item was taken or written, for a person, and whether that is only a guess (the file's modification time). */
export interface ItemWhen {
  readonly text: string;
  readonly approximate: boolean;
  /** Where the date comes from, for a tooltip. */
  readonly source: string;
}

const SOURCE_WORDS: Readonly<Record<TimeSource, string>> = {
  exif: 'the camera (EXIF)',
  frontmatter: 'the note’s front matter',
  filename: 'the file’s name',
  tags: 'the recording’s tags',
  mtime: 'the file’s modification time: the file names no date',
};

/**
 * An item's date as every view shows it: the day (and the time when it is known) of a photo, note or recording;
 * an mtime date is marked "≈" (cards) or "modified …" (`long`), since it says when the file last changed, not
 * when it was written. [Note: item-times]
 */
export function itemWhen(
  item: { readonly takenAt: number | null; readonly mtime: number; readonly timeSource?: TimeSource | null; readonly timeDay?: boolean },
  options: { readonly withTime?: boolean; readonly long?: boolean; readonly locale?: string } = {},
): ItemWhen {
  const { withTime = false, long = false, locale } = options;
  if (item.takenAt === null) {
    const text = fileDate(item.mtime, locale);
    return { text: long ? `modified ${text}` : `≈ ${text}`, approximate: true, source: SOURCE_WORDS.mtime };
  }
  const approximate = item.timeSource === 'mtime';
  // A guessed date says only the day: the time a file was saved is not when it was written.
  const time = withTime && !item.timeDay && !approximate;
  const format: Intl.DateTimeFormatOptions = { timeZone: 'UTC', year: 'numeric', month: long ? 'long' : 'short', day: 'numeric' };
  if (time) Object.assign(format, { hour: 'numeric', minute: '2-digit' });
  const text = new Intl.DateTimeFormat(locale, format).format(new Date(item.takenAt));
  if (approximate) return { text: long ? `modified ${text}` : `≈ ${text}`, approximate, source: SOURCE_WORDS.mtime };
  return { text, approximate, source: item.timeSource ? SOURCE_WORDS[item.timeSource] : 'the file' };
}

/** The YYYY-MM month (UTC wall clock, as times are written) and YYYY-MM-DD day of a time. */
export function monthKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2024-06" → "June 2024". */
export function monthLabel(month: string, locale?: string, style: 'long' | 'short' = 'long'): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(0);
  d.setUTCFullYear(y, m - 1, 1);
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: style, year: 'numeric' }).format(d);
}

/** "2024-06-11" → "Tue 11 Jun" (the year when it is not `year`). */
export function dayLabel(day: string, locale?: string, year?: number): string {
  const [y, m, dd] = day.split('-').map(Number) as [number, number, number];
  const d = new Date(0);
  d.setUTCFullYear(y, m - 1, dd);
  const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' };
  if (year !== undefined && year !== y) options.year = 'numeric';
  return new Intl.DateTimeFormat(locale, options).format(d);
}

/** A collection's dates: "11 Jun 2024", "11 – 14 Jun 2024", "30 May – 2 Jun 2024", "28 Dec 2023 – 3 Jan 2024". */
export function dateSpan(start: number, end: number, locale?: string): string {
  const a = new Date(Math.min(start, end));
  const b = new Date(Math.max(start, end));
  const fmt = (d: Date, o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...o }).format(d);
  const full: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
  if (dayKey(a.getTime()) === dayKey(b.getTime())) return fmt(a, full);
  const formatter = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...full });
  // formatRange says "11–14 Jun 2024" the way the locale does; older engines lack it.
  if (typeof formatter.formatRange === 'function') return formatter.formatRange(a, b);
  return `${fmt(a, a.getUTCFullYear() === b.getUTCFullYear() ? { day: 'numeric', month: 'short' } : full)} – ${fmt(b, full)}`;
}

/** "12 photos · 1 note · 2 recordings", leaving out the kinds there are none of. */
export function kindCounts(counts: { readonly photo: number; readonly note: number; readonly audio: number }, locale?: string): string {
  const parts: string[] = [];
  if (counts.photo) parts.push(plural(counts.photo, 'photo', 'photos', locale));
  if (counts.note) parts.push(plural(counts.note, 'note', 'notes', locale));
  if (counts.audio) parts.push(plural(counts.audio, 'recording', 'recordings', locale));
  return parts.join(' · ') || 'empty';
}
