// When an item happened: every indexed item gets a time, and says where it came from. Pure. [Note: item-times]
// A time is a local wall-clock time written as UTC ms (see src/shared/query.ts): "2024-05-05 10:30" is
// Date.UTC(2024, 4, 5, 10, 30) whatever the zone, so a date filter means the same day everywhere. A date without a
// time is that day's midnight, with `day` set: it belongs to the whole day.
// Precedence (chooseTime): the extractor's own (a photo's EXIF, a note's front matter or a PDF's CreationDate, a
// recording's tags) → a date in the file's name or its folders → the file's modification time (a guess).
import { parseDocument } from 'yaml';
import type { TimeSource } from '../../../shared/types.js';

export interface FoundTime {
  readonly takenAt: number; // wall-clock ms, written as UTC
  readonly day: boolean; // only the day is known
}

export interface ChosenTime {
  readonly takenAt: number;
  readonly timeSource: TimeSource;
  readonly timeDay: boolean;
}

/** What an extractor found itself: EXIF, front matter, a PDF's date, tags (takenAt null: nothing). */
export interface OwnTime {
  readonly takenAt: number | null;
  readonly source: TimeSource;
  readonly day?: boolean;
}

const FIRST = Date.UTC(1970, 0, 2); // 1970-01-01 is an unset clock, before it a broken one

/** A time Trove believes: after 1970-01-01 and before the end of next year. */
export function plausible(ms: number, now = Date.now()): boolean {
  return Number.isFinite(ms) && ms >= FIRST && ms < Date.UTC(new Date(now).getUTCFullYear() + 2, 0, 1);
}

/** An instant (a file's mtime, an epoch) as this computer's wall clock at that instant, written as UTC. */
export function wallClockOf(epochMs: number): number {
  return epochMs - new Date(epochMs).getTimezoneOffset() * 60_000;
}

/** A calendar date (and time) as wall-clock ms, or null when there is no such moment or it is not plausible. */
function wall(now: number, y: number, mo: number, d: number, time?: readonly [number, number, number, number]): FoundTime | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const date = Date.UTC(y, mo - 1, d);
  if (new Date(date).getUTCDate() !== d || !plausible(date, now)) return null; // 2024-02-30
  if (!time) return { takenAt: date, day: true };
  const [h, mi, s, ms] = time;
  if (h > 23 || mi > 59 || s > 59) return { takenAt: date, day: true }; // the date stands, the "time" was not one
  return { takenAt: date + ((h * 60 + mi) * 60 + s) * 1000 + ms, day: false };
}

const n = (s: string | undefined): number => (s === undefined || s === '' ? 0 : Number(s));

// ---- names -----------------------------------------------------------------------------------------------------

// YYYY-MM-DD (one separator: - _ .), then perhaps a time: 10-30-00, 10.30, 103000, " at 10.30.00".
const SEPARATED =
  /(?<!\d)(\d{4})([-_.])(\d{2})\2(\d{2})(?!\d)(?:(?:[T_ .-]|\s+at\s+)(?:(\d{2})([-.:])(\d{2})(?:\6(\d{2}))?|(\d{2})(\d{2})(\d{2}))(?!\d))?/gi;
// YYYYMMDD as a run of exactly 8 digits, perhaps with HHMMSS (and milliseconds) after a separator or run on.
const COMPACT = /(?<!\d)(\d{4})(\d{2})(\d{2})(?:[T_ -]?(\d{2})(\d{2})(\d{2})(\d{3})?)?(?!\d)/gi;

/** A full date (and time) in one name or folder, first match first; null when there is none. */
function dateIn(text: string, now: number): FoundTime | null {
  const found: { index: number; time: FoundTime }[] = [];
  for (const m of text.matchAll(SEPARATED)) {
    const [, y, , mo, d, h1, , mi1, s1, h2, mi2, s2] = m;
    const time = h1 !== undefined ? ([n(h1), n(mi1), n(s1), 0] as const) : h2 !== undefined ? ([n(h2), n(mi2), n(s2), 0] as const) : undefined;
    const t = wall(now, n(y), n(mo), n(d), time);
    if (t) found.push({ index: m.index, time: t });
  }
  for (const m of text.matchAll(COMPACT)) {
    const [, y, mo, d, h, mi, s, ms] = m;
    const t = wall(now, n(y), n(mo), n(d), h !== undefined ? [n(h), n(mi), n(s), n(ms)] : undefined);
    if (t) found.push({ index: m.index, time: t });
  }
  found.sort((a, b) => a.index - b.index);
  return found[0]?.time ?? null;
}

// Daily-note folders: 2024/05/06.md, 2024/2024-05/06.md, 2024-05/06.md, 2024/05-May/06 Tuesday.md.
const DAY_FILE = /^(\d{2})(?:[ _-]\D.*)?$/u;
const MONTH_DIR = /^(\d{2})(?:[ _-]\p{L}+)?$/u;
const YEAR_MONTH_DIR = /^(\d{4})[-_](\d{2})(?:[ _-]\p{L}+)?$/u;
const YEAR_DIR = /^\d{4}$/;

function dailyNote(dirs: readonly string[], stem: string, now: number): FoundTime | null {
  const d = DAY_FILE.exec(stem)?.[1];
  const parent = dirs.at(-1);
  if (d === undefined || parent === undefined) return null;
  const ym = YEAR_MONTH_DIR.exec(parent);
  if (ym) return wall(now, n(ym[1]), n(ym[2]), n(d));
  const mo = MONTH_DIR.exec(parent)?.[1];
  const year = dirs.at(-2);
  if (mo === undefined || year === undefined || !YEAR_DIR.test(year)) return null;
  return wall(now, n(year), n(mo), n(d));
}

/**
 * A date (and time, when there is one) in a file's name or, failing that, its folders (nearest first), or a
 * daily-note folder layout. `relPath` is relative to its root, so the root's own name never counts. Digit runs
 * that are longer than a date (ids, counters) are never read as one, nor dates that do not exist or are not
 * plausible (before 1970, after next year).
 */
export function dateFromName(relPath: string, now = Date.now()): FoundTime | null {
  const parts = relPath.split(/[\\/]/).filter(Boolean);
  const file = parts.pop();
  if (file === undefined) return null;
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const inName = dateIn(stem, now) ?? dailyNote(parts, stem, now);
  if (inName) return inName;
  for (let i = parts.length - 1; i >= 0; i--) {
    const t = dateIn(parts[i]!, now);
    if (t) return t;
  }
  return null;
}

// ---- front matter and PDF dates ----------------------------------------------------------------------------------

/** The keys that date a note, best first (compared without case). */
export const FRONT_MATTER_KEYS = ['date', 'created', 'created_at', 'creation_date', 'published'] as const;

// 2024-05-05, 2024/05/05, 2024-05-05 10:30, 2024-05-05T10:30:00.250+02:00, 2024-05-05 10:30:00 +0200, [[2024-05-05]]
const STATED =
  /^\[*\s*(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*\]*$/i;

/** A date as written in front matter. The offset is ignored: the wall clock as written is the time. */
function statedDate(value: unknown, now: number): FoundTime | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!plausible(ms, now)) return null;
    return { takenAt: ms, day: ms % 86_400_000 === 0 };
  }
  if (typeof value === 'number') {
    // An epoch: seconds or milliseconds, an instant, so this computer's wall clock at it.
    const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
    return Number.isFinite(ms) && plausible(ms, now) ? { takenAt: wallClockOf(Math.trunc(ms)), day: false } : null;
  }
  if (typeof value !== 'string') return null;
  const m = STATED.exec(value.trim());
  if (!m) return null;
  const [, y, , mo, d, h, mi, s, frac] = m;
  if (h === undefined) return wall(now, n(y), n(mo), n(d));
  const t = wall(now, n(y), n(mo), n(d), [n(h), n(mi), n(s), n(frac?.padEnd(3, '0').slice(0, 3))]);
  return t && !t.day ? t : null; // "2024-05-05 25:00" is a mistake, not a day
}

function topLevel(frontMatter: string): Record<string, unknown> | null {
  try {
    const doc = parseDocument(frontMatter, { uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length) return null;
    const js: unknown = doc.toJS({ maxAliasCount: 100 });
    return js !== null && typeof js === 'object' && !Array.isArray(js) ? (js as Record<string, unknown>) : {};
  } catch {
    return null; // an alias to nowhere, an alias bomb
  }
}

/** `key: value` lines at the top level, for front matter YAML cannot read (a tab, an unclosed bracket elsewhere). */
function plainLines(frontMatter: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of frontMatter.matchAll(/^([A-Za-z_]+)[ \t]*:[ \t]*(.+?)[ \t]*$/gm)) {
    const key = m[1]!;
    if (!(key in out)) out[key] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * The date a note's front matter gives it (`date`, `created`, `created_at`, `creation_date`, `published`, in that
 * order, any case), from its YAML text (see splitFrontMatter in chunk.ts) or already-parsed values. Never throws.
 */
export function frontMatterDate(frontMatter: string | Readonly<Record<string, unknown>>, now = Date.now()): FoundTime | null {
  const values = typeof frontMatter === 'string' ? (topLevel(frontMatter) ?? plainLines(frontMatter)) : frontMatter;
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(values)) if (!byKey.has(key.toLowerCase())) byKey.set(key.toLowerCase(), value);
  for (const key of FRONT_MATTER_KEYS) {
    const t = statedDate(byKey.get(key), now);
    if (t) return t;
  }
  return null;
}

/** A PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`, any tail missing), the wall clock as written; null when not one. */
export function pdfDate(value: string, now = Date.now()): FoundTime | null {
  const m = /^(?:D:)?(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  return wall(now, n(y), n(mo), n(d), h !== undefined ? [n(h), n(mi), n(s), 0] : undefined);
}

// ---- precedence ----------------------------------------------------------------------------------------------

/**
 * An item's time: the extractor's own when it has a plausible one, else a date in the name or folders, else the
 * file's modification time (ms since the epoch) as this computer's wall clock. [Note: item-times]
 */
export function chooseTime(own: OwnTime | null, relPath: string, mtimeMs: number, now = Date.now()): ChosenTime {
  if (own && own.takenAt !== null && plausible(own.takenAt, now)) {
    return { takenAt: own.takenAt, timeSource: own.source, timeDay: own.day ?? false };
  }
  const named = dateFromName(relPath, now);
  if (named) return { takenAt: named.takenAt, timeSource: 'filename', timeDay: named.day };
  return { takenAt: wallClockOf(mtimeMs), timeSource: 'mtime', timeDay: false };
}

/** An extractor's facts with their time settled by chooseTime (in place): an indexed item always has one. */
export function settleTime(
  facts: { takenAt: number | null; timeSource?: TimeSource | null; timeDay?: boolean },
  relPath: string,
  mtimeMs: number,
  now = Date.now(),
): void {
  const own = facts.timeSource ? { takenAt: facts.takenAt, source: facts.timeSource, day: facts.timeDay ?? false } : null;
  const time = chooseTime(own, relPath, mtimeMs, now);
  facts.takenAt = time.takenAt;
  facts.timeSource = time.timeSource;
  facts.timeDay = time.timeDay;
}

/** Whether a time follows the file's name when it is renamed: one that came from the name, or from the mtime. */
export function followsName(source: TimeSource | null): boolean {
  return source === 'filename' || source === 'mtime';
}
