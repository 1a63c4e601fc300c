// The query language typed into the search field or the CLI. Pure, so every front door parses alike.
//
//   kids on the beach kind:photo after:2024-06 before:2024-09
//   "fire engine" kind:note
//
// Filters: kind:photo|note|audio (plurals and `recording`/`voice` accepted, repeatable = either),
// after:DATE (on or after the start of DATE), before:DATE (before the start of DATE), date:DATE (within DATE),
// where DATE is YYYY, YYYY-MM or YYYY-MM-DD. Dates are wall-clock dates compared as UTC: a photo's capture time is
// stored as the local time it was taken, written as if it were UTC, so "2024-06-01" means the same day everywhere.
// in:PLACE or in:FOLDER (a town or country the library's photos were taken in, or a folder by name: `in:Lisbon`,
// `in:Portugal`, `in:"Trips/2024"`; repeatable = either), near:PLACE or near:LAT,LON with an optional radius
// (`near:Lisbon`, `near:38.7,-9.1,20km`; 25 km when none is given; km, m or mi), camera:TEXT (the camera's make or
// model holds it: `camera:iphone`, `camera:"EOS R5"`; repeatable = either). A filter's value may be quoted.
// Anything else, including a word with an unknown `key:`, is free text. Quoted text stays together as a phrase, and
// must appear in what is found. `-word` (or `-"a phrase"`) leaves out what holds it and steers away from its meaning;
// `2:word` (a weight from 0.1 to 10, before a word or a quoted phrase) counts it that much more in the meaning.
import { type ItemKind } from './types.js';

export interface ParsedQuery {
  readonly text: string; // the free text to embed, filters removed, whitespace collapsed
  readonly phrases: readonly string[]; // quoted parts, as typed: they must appear
  readonly exclude: readonly string[]; // -word and -"phrase": what is found must not hold them
  readonly weighted: readonly WeightedTerm[]; // 2:word, 0.5:"a phrase": parts of `text` with their own weight
  readonly kinds: readonly ItemKind[]; // empty: every kind
  readonly after: number | null; // ms since the epoch, inclusive
  readonly before: number | null; // ms since the epoch, exclusive
  readonly within: readonly string[]; // in: places or folders, as typed; empty: anywhere
  readonly near: Near | null; // near: a place or a position, with a radius
  readonly cameras: readonly string[]; // camera: what the camera's name holds
  readonly warnings: readonly string[]; // filters that could not be understood, for a person
}

/** `near:` — a town by name (the engine finds where it is) or a position, and how far around it. */
export interface Near {
  readonly place: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly km: number;
}

/** The radius of `near:` when none is given. */
export const NEAR_KM = 25;
/** The largest radius `near:` takes (half the Earth's circumference). */
export const MAX_NEAR_KM = 20_000;

const UNITS: Readonly<Record<string, number>> = { km: 1, m: 0.001, mi: 1.609344 };

/** A `near:` value: `Lisbon`, `Lisbon,5km`, `38.7,-9.1`, `38.7,-9.1,20km`; null when it is none of these. */
export function parseNear(value: string): Near | null {
  const v = value.trim();
  const radius = /^(.*?)\s*,\s*(\d+(?:\.\d+)?)\s*(km|m|mi)$/i.exec(v);
  const body = radius ? radius[1]!.trim() : v;
  const km = radius ? Number(radius[2]) * UNITS[radius[3]!.toLowerCase()]! : NEAR_KM;
  if (!(km > 0) || km > MAX_NEAR_KM) return null;
  const at = /^(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$/.exec(body);
  if (at) {
    const latitude = Number(at[1]);
    const longitude = Number(at[2]);
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
    return { place: null, latitude, longitude, km };
  }
  if (!/\p{L}/u.test(body)) return null;
  return { place: body, latitude: null, longitude: null, km };
}

export interface WeightedTerm {
  readonly text: string;
  readonly weight: number;
}

/** The largest weight `N:word` takes. */
export const MAX_WEIGHT = 10;

const KIND_WORDS: Readonly<Record<string, ItemKind>> = {
  photo: 'photo',
  photos: 'photo',
  image: 'photo',
  images: 'photo',
  picture: 'photo',
  pictures: 'photo',
  note: 'note',
  notes: 'note',
  text: 'note',
  audio: 'audio',
  recording: 'audio',
  recordings: 'audio',
  voice: 'audio',
};

/** The kind a `kind:` value names (plurals and synonyms accepted), or null. */
export function kindOfWord(value: string): ItemKind | null {
  return KIND_WORDS[value.toLowerCase()] ?? null;
}

interface Period {
  readonly start: number;
  readonly end: number; // exclusive
}

/**
 * Midnight UTC of a day, for any year the language can write (0000–9999): Date.UTC reads years 0–99 as 1900–1999,
 * so `after:0024` would have meant 1924. Months and days past their end roll over, as in Date.UTC.
 */
function utcDay(year: number, monthIndex: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

/** YYYY, YYYY-MM or YYYY-MM-DD as a UTC period; null when it is not a real date. */
export function parseDatePeriod(value: string): Period | null {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] === undefined ? null : Number(m[2]);
  const day = m[3] === undefined ? null : Number(m[3]);
  if (month !== null && (month < 1 || month > 12)) return null;
  if (month === null) return { start: utcDay(year, 0, 1), end: utcDay(year + 1, 0, 1) };
  if (day === null) return { start: utcDay(year, month - 1, 1), end: utcDay(year, month, 1) };
  const start = utcDay(year, month - 1, day);
  if (new Date(start).getUTCDate() !== day) return null; // 2023-02-30 and the like
  return { start, end: utcDay(year, month - 1, day + 1) };
}

export interface Token {
  readonly token: string;
  readonly quoted: boolean;
  /** `-` (leave out) or a weight `2:` written in front of the token. */
  readonly prefix: string;
}

/** The keys of the filters the language knows. */
const FILTER_KEYS = ['kind', 'type', 'is', 'after', 'before', 'date', 'on', 'in', 'near', 'camera'];
const FILTER = new RegExp(`^(${FILTER_KEYS.join('|')}):(.*)$`, 'is');

const WEIGHT = /^(\d{1,2}(?:\.\d+)?):$/;

/** Split on whitespace, keeping "quoted parts" together (an unclosed quote runs to the end), with `-` and `2:` prefixes. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const re = new RegExp(`(-|\\d{1,2}(?:\\.\\d+)?:)?"([^"]*)"?|(${FILTER_KEYS.join('|')}):"([^"]*)"?|(\\S+)`, 'gi');
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    if (m[4] !== undefined) {
      // A filter with a quoted value (in:"Trips 2024"): one token, read by parseQuery as any filter is.
      const value = m[4].trim().replace(/\s+/g, ' ');
      if (value) tokens.push({ token: `${m[3]!}:${value}`, quoted: false, prefix: '' });
    } else if (m[2] !== undefined) {
      const phrase = m[2].trim().replace(/\s+/g, ' ');
      if (phrase) tokens.push({ token: phrase, quoted: true, prefix: m[1] ?? '' });
    } else if (m[5] !== undefined) {
      const word = m[5];
      const neg = /^-(?=[\p{L}\p{N}])/u.exec(word);
      const weight = /^(\d{1,2}(?:\.\d+)?:)(?=\p{L})/u.exec(word);
      if (neg) tokens.push({ token: word.slice(1), quoted: false, prefix: '-' });
      else if (weight) tokens.push({ token: word.slice(weight[1]!.length), quoted: false, prefix: weight[1]! });
      else tokens.push({ token: word, quoted: false, prefix: '' });
    }
  }
  return tokens;
}

export function parseQuery(input: string): ParsedQuery {
  const words: string[] = [];
  const phrases: string[] = [];
  const exclude: string[] = [];
  const weighted: WeightedTerm[] = [];
  const kinds = new Set<ItemKind>();
  const warnings: string[] = [];
  let after: number | null = null;
  let before: number | null = null;
  const within: string[] = [];
  const cameras: string[] = [];
  let near: Near | null = null;

  for (const { token, quoted, prefix } of tokenize(input)) {
    if (prefix === '-') {
      exclude.push(token);
      continue;
    }
    if (prefix) {
      const weight = Number(WEIGHT.exec(prefix)?.[1]);
      if (!(weight > 0 && weight <= MAX_WEIGHT)) {
        warnings.push(`"${prefix}${token}": a weight is a number from 0.1 to ${MAX_WEIGHT}; read as text`);
        words.push(quoted ? token : `${prefix}${token}`);
        if (quoted) phrases.push(token);
        continue;
      }
      if (weight !== 1) {
        weighted.push({ text: token, weight });
      }
    }
    if (quoted) {
      phrases.push(token);
      words.push(token);
      continue;
    }
    const m = prefix ? null : FILTER.exec(token);
    if (!m) {
      words.push(token);
      continue;
    }
    const key = (m[1] ?? '').toLowerCase();
    const raw = (m[2] ?? '').trim();
    const value = raw.toLowerCase();
    if (key === 'in' || key === 'camera') {
      if (!raw) warnings.push(`"${token}": say what ${key === 'in' ? 'place or folder' : 'camera'} (${key === 'in' ? 'in:Lisbon, in:"Trips 2024"' : 'camera:iphone'})`);
      else (key === 'in' ? within : cameras).push(raw);
      continue;
    }
    if (key === 'near') {
      const at = parseNear(raw);
      if (at) near = at;
      else warnings.push(`"${token}" is not a place or a position (use near:Lisbon, near:38.7,-9.1 or near:38.7,-9.1,20km)`);
      continue;
    }
    if (key === 'kind' || key === 'type' || key === 'is') {
      const kind = KIND_WORDS[value];
      if (kind) kinds.add(kind);
      else warnings.push(`unknown kind "${m[2] ?? ''}" (use photo, note or audio)`);
      continue;
    }
    const period = parseDatePeriod(value);
    if (!period) {
      warnings.push(`"${token}" is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)`);
      continue;
    }
    if (key === 'after') after = Math.max(after ?? -Infinity, period.start);
    else if (key === 'before') before = Math.min(before ?? Infinity, period.start);
    else {
      after = Math.max(after ?? -Infinity, period.start);
      before = Math.min(before ?? Infinity, period.end);
    }
  }
  if (after !== null && before !== null && after >= before) warnings.push('the date range is empty');
  if (exclude.length && !words.length) warnings.push('-word leaves out from a search of words: say what to look for too');
  return { text: words.join(' '), phrases, exclude, weighted, kinds: [...kinds], after, before, within, near, cameras, warnings };
}
