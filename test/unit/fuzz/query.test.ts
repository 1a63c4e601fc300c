// Properties of the query language (src/shared/query.ts) over generated input. [Note: fuzzing]
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDatePeriod, parseQuery, tokenize } from '../../../src/shared/query.js';
import type { ItemKind } from '../../../src/shared/types.js';
import { holds } from './fuzz.js';

/** What a filter looks like to the parser: a known key, a colon, anything. */
const FILTER = /^(kind|type|is|after|before|date|on):/i;
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

// JavaScript's \s: what separates words.
const SPACES = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2003', '\u2028', '\u2029', '\u202f', '\u3000', '\ufeff'];

/** Characters the parser gives meaning to, and a few that trouble string code (lone surrogates, astral). */
const querish = fc.string({
  unit: fc.oneof(
    fc.constantFrom('kind:', 'type:', 'is:', 'after:', 'before:', 'date:', 'on:', 'photo', 'Notes', 'voice', '2024', '-06', '-31', '-2', '0000'),
    fc.constantFrom('"', ':', '-', ' ', ...SPACES, '\ud800', '\udfff', '😀', 'é', '\0'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  ),
  maxLength: 60,
});
const anyInput = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), querish);

/** Calendar facts computed without Date, to judge the parser's dates. */
const leap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (y: number, m: number) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** A UTC date's midnight, for any year 0–9999 (Date.UTC would read years 0–99 as 1900–1999). */
function utc(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

interface DateFilter {
  readonly key: 'after' | 'before' | 'date' | 'on';
  readonly text: string; // as typed
  readonly start: number;
  readonly end: number;
}

/** A real date at year, month or day precision, written as the parser accepts it (months and days with or without a 0). */
const realDate = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    precision: fc.constantFrom('year', 'month', 'day'),
    pad: fc.boolean(),
  })
  .map(({ y, m, d: rawDay, precision, pad }) => {
    const d = Math.min(rawDay, daysIn(y, m));
    const two = (n: number) => (pad ? String(n).padStart(2, '0') : String(n));
    const year = String(y).padStart(4, '0');
    if (precision === 'year') return { text: year, start: utc(y, 1, 1), end: utc(y + 1, 1, 1) };
    if (precision === 'month') return { text: `${year}-${two(m)}`, start: utc(y, m, 1), end: utc(y, m + 1, 1) };
    return { text: `${year}-${two(m)}-${two(d)}`, start: utc(y, m, d), end: utc(y, m, d + 1) };
  });

const dateFilter: fc.Arbitrary<DateFilter> = fc
  .record({ key: fc.constantFrom('after', 'before', 'date', 'on'), date: realDate, keyCase: fc.boolean() })
  .map(({ key, date, keyCase }) => ({ key, text: `${keyCase ? key.toUpperCase() : key}:${date.text}`, start: date.start, end: date.end }));

const kindFilter = fc
  .record({ key: fc.constantFrom('kind', 'type', 'is'), word: fc.constantFrom(...Object.keys(KIND_WORDS)), upper: fc.boolean() })
  .map(({ key, word, upper }) => ({ text: `${key}:${upper ? word.toUpperCase() : word}`, kind: KIND_WORDS[word]! }));

/** A free-text word: no whitespace, no quote, not filter-shaped, not an exclusion (-word) or a weight (2:word). */
const word = fc
  .string({ unit: fc.oneof(fc.constantFrom('a', 'z', 'K', ':', '-', '0', '9', 'é', '😀', '\ud800'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .filter((w) => !/[\s"]/.test(w) && !FILTER.test(w) && !/^(-|\d{1,2}(\.\d+)?:)[\p{L}\p{N}]/u.test(w));

const separator = fc.string({ unit: fc.constantFrom(...SPACES), minLength: 1, maxLength: 3 });

/** Filters and words interleaved at random, the words keeping their order; joined by random whitespace. */
const builtQuery = fc
  .record({
    words: fc.array(word, { maxLength: 8 }),
    kinds: fc.array(kindFilter, { maxLength: 4 }),
    dates: fc.array(dateFilter, { maxLength: 4 }),
    at: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    seps: fc.array(separator, { minLength: 17, maxLength: 17 }),
    lead: fc.option(separator, { nil: '' }),
  })
  .map(({ words, kinds, dates, at, seps, lead }) => {
    const tokens = [...words];
    [...kinds.map((k) => k.text), ...dates.map((d) => d.text)].forEach((filter, i) => tokens.splice(at[i]! % (tokens.length + 1), 0, filter));
    return { words, kinds, dates, input: lead + tokens.map((t, i) => `${t}${seps[i]!}`).join('') };
  });

describe('query language properties', () => {
  it('never throws, and answers a well-formed query for any string', async () => {
    await holds(
      fc.property(anyInput, (input) => {
        const q = parseQuery(input);
        expect(q.text).toBe(q.text.trim());
        expect(q.text).not.toMatch(/\s\s/); // whitespace collapsed
        for (const p of q.phrases) expect(p).toBe(p.trim());
        expect(new Set(q.kinds).size).toBe(q.kinds.length);
        for (const t of [q.after, q.before]) expect(t === null || Number.isFinite(t)).toBe(true);
        for (const t of tokenize(input)) expect(t.token.length).toBeGreaterThan(0);
      }),
      { runs: 3000 },
    );
  });

  it('never throws on huge input', async () => {
    const chunk = fc.constantFrom('kind:photo ', '"a b ', 'after:2024-02-30 ', '\ud800 ', 'x'.repeat(100), ' '.repeat(50), '"');
    await holds(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1_000, max: 20_000 }), (parts, times) => {
        const input = parts.join('').repeat(times);
        expect(() => parseQuery(input)).not.toThrow();
      }),
      { runs: 20 },
    );
  });

  it('gives back the filters a query was built from, whatever their order and the spaces between', async () => {
    await holds(
      fc.property(builtQuery, ({ words, kinds, dates, input }) => {
        const q = parseQuery(input);
        expect(q.text).toBe(words.join(' '));
        expect(q.phrases).toEqual([]);
        expect(new Set(q.kinds)).toEqual(new Set(kinds.map((k) => k.kind)));
        const froms = dates.filter((d) => d.key !== 'before').map((d) => d.start);
        const tos = dates.filter((d) => d.key !== 'after').map((d) => (d.key === 'before' ? d.start : d.end));
        expect(q.after).toBe(froms.length ? Math.max(...froms) : null);
        expect(q.before).toBe(tos.length ? Math.min(...tos) : null);
        // The only warning a well-formed query earns is an empty range, exactly when after is not before before.
        const empty = q.after !== null && q.before !== null && q.after >= q.before;
        expect(q.warnings).toEqual(empty ? ['the date range is empty'] : []);
      }),
      { runs: 3000 },
    );
  });

  it('leaves no filter in the text, except inside a quoted phrase', async () => {
    await holds(
      fc.property(anyInput, (input) => {
        const q = parseQuery(input);
        const filterish = q.text.split(' ').filter((t) => FILTER.test(t));
        if (!input.includes('"')) expect(filterish).toEqual([]);
        for (const t of filterish) expect(q.phrases.some((p) => p.split(' ').includes(t))).toBe(true);
      }),
      { runs: 3000 },
    );
  });

  it('splits unquoted input on whitespace alone', async () => {
    await holds(
      fc.property(anyInput, (input) => {
        fc.pre(!input.includes('"'));
        expect(tokenize(input).map((t) => ({ token: t.prefix + t.token, quoted: t.quoted }))).toEqual(input.split(/\s+/).filter(Boolean).map((token) => ({ token, quoted: false })));
      }),
      { runs: 1500 },
    );
  });

  it('reads a date only when it is a real one, as midnight UTC of that day in that year', async () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const dateish = fc.oneof(
      fc.tuple(digits(4, 4), fc.option(digits(1, 3)), fc.option(digits(1, 3))).map(([y, m, d]) => [y, m, m === null ? null : d].filter((p) => p !== null).join('-')),
      realDate.map((d) => d.text),
      fc.string({ maxLength: 12 }),
    );
    await holds(
      fc.property(dateish, (text) => {
        const period = parseDatePeriod(text);
        const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text);
        const y = Number(m?.[1]);
        const mo = m?.[2] === undefined ? null : Number(m[2]);
        const d = m?.[3] === undefined ? null : Number(m[3]);
        const real = m !== null && (mo === null || (mo >= 1 && mo <= 12 && (d === null || (d >= 1 && d <= daysIn(y, mo)))));
        expect(period !== null).toBe(real);
        if (!period) return;
        const start = new Date(period.start);
        expect([start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours()]).toEqual([y, mo ?? 1, d ?? 1, 0]);
        const end = mo === null ? utc(y + 1, 1, 1) : d === null ? utc(y, mo + 1, 1) : utc(y, mo, d + 1);
        expect(period.end).toBe(end);
      }),
      { runs: 4000 },
    );
  });
});
