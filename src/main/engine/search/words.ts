// Words in every script: what goes into the full-text index, what a query looks for, and where a passage holds the
// words looked for. [Note: cjk]
//
// FTS5's unicode61 tokenizer splits at spaces and punctuation, so a run of Chinese or Japanese (written without
// spaces) was one token and 表示学习 was not found inside 深度表示学习模型. Text is therefore segmented here, by
// `Intl.Segmenter` (Node's ICU: dictionary segmentation for Chinese and Japanese, word rules for the rest), before it
// reaches FTS5: the index holds the words separated by spaces, and unicode61 then reads them as it reads English
// (case- and diacritic-folded, no stemming). Chinese is folded to simplified characters (OpenCC's character and phrase
// tables, `opencc-js`), so 機器學習 and 机器学习 find each other.
//
// A dictionary can cut the same letters differently in different sentences (研究生命 as 研究生|命), and Korean
// writes particles onto words (분석기를), so a second table, `grams_fts`, holds the overlapping pairs of letters
// of every Chinese, Japanese and Korean run (Latin words as they are) for the segments that have such runs; a query
// that finds nothing by words finds the letters in order there. Measured here: Intl.Segmenter reads 5–8 MB/s of
// short chunks and OpenCC ~38 MB/s; ASCII text skips both (unicode61 reads it as before), so an English library
// indexes as fast as it did.
import * as OpenCC from 'opencc-js/t2cn';

/** Scripts written without spaces between words: segmented by dictionary. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Scripts whose runs also get letter pairs (Korean for its particles). */
const GRAMMED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const GRAMMED_RUNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー]+/gu;
const HAN = /\p{Script=Han}/u;
const NON_ASCII = /[^\u0000-\u007f]/;
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** Text is segmented in slices of this many characters: ICU's segmenter grows far faster than its input on long text. */
const SLICE = 4096;

let segmenter: Intl.Segmenter | null = null;
let simplify: ((s: string) => string) | null = null;

function words(text: string): Generator<Intl.SegmentData> {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const seg = segmenter;
  return (function* () {
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + SLICE);
      if (end < text.length) {
        // End a slice after a space or punctuation when there is one near, so no word is cut in two.
        const cut = text.slice(at + SLICE / 2, end).search(/[\s\p{P}][^\s\p{P}]*$/u);
        if (cut >= 0) end = at + SLICE / 2 + cut + 1;
      }
      for (const s of seg.segment(text.slice(at, end))) yield { ...s, index: s.index + at };
      at = end;
    }
  })();
}

function toSimplified(s: string): string {
  const convert = (simplify ??= OpenCC.Converter({ from: 't', to: 'cn' }));
  return convert(s);
}

/** One word (or any short text) as the index keeps it: NFKC, lower case, Latin without diacritics, Chinese simplified. */
export function foldWord(word: string): string {
  let s = word.normalize('NFKC').toLowerCase();
  if (!NON_ASCII.test(s)) return s;
  s = s.normalize('NFD').replace(LATIN_MARKS, '$1').normalize('NFC');
  return HAN.test(s) ? toSimplified(s) : s;
}

/**
 * The text the words index holds for `text`: ASCII as it is (unicode61 reads it alike); otherwise its words,
 * folded, separated by spaces.
 */
export function indexText(text: string | null | undefined): string {
  if (!text) return '';
  if (!NON_ASCII.test(text)) return text;
  if (!UNSPACED.test(text)) return foldWord(text);
  const out: string[] = [];
  for (const w of words(text)) if (w.isWordLike) out.push(foldWord(w.segment));
  return out.join(' ');
}

/** Whether `text` has Chinese, Japanese or Korean letters (then its segment is also in the letter-pair index). */
export function hasGrams(text: string | null | undefined): boolean {
  return !!text && NON_ASCII.test(text) && GRAMMED.test(text);
}

/** Overlapping pairs of a run of letters: 表示学习 → 表示 示学 学习; one letter stays itself. */
function pairs(run: string): string {
  const chars = [...run];
  if (chars.length < 2) return run;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out.join(' ');
}

/** The text the letter-pair index holds for `text`: folded, every Chinese, Japanese or Korean run as its pairs. */
export function gramText(text: string | null | undefined): string {
  if (!text) return '';
  return foldWord(text).replace(GRAMMED_RUNS, (run) => ` ${pairs(run)} `);
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** A term (a word or a phrase) as an FTS5 phrase over the words index; null when it has no letters or digits. */
export function wordsPhrase(term: string): string | null {
  const t = indexText(term).trim();
  return WORD_CHAR.test(t) ? quote(t) : null;
}

/** A term as an FTS5 phrase over the letter-pair index; null when it has no Chinese, Japanese or Korean letters. */
export function gramsPhrase(term: string): string | null {
  return hasGrams(term) ? quote(gramText(term).trim()) : null;
}

// ---- where the words are: marks for highlighting ------------------------------------------------------------------

const foldCache = new Map<string, string>();

/** One character folded for matching (cached: a passage is read letter by letter). Punctuation and spaces → ' '. */
function foldChar(ch: string): string {
  let f = foldCache.get(ch);
  if (f === undefined) {
    f = WORD_CHAR.test(ch) ? foldWord(ch).replace(/[^\p{L}\p{N}]/gu, '') : ' ';
    if (foldCache.size < 20_000) foldCache.set(ch, f);
  }
  return f;
}

interface Folded {
  readonly text: string;
  /** For each UTF-16 unit of `text`, where the character it came from starts and ends in the original. */
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** `text` folded character by character, runs of spaces and punctuation as one space, with a map back. */
function foldChars(text: string): Folded {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    const end = at + ch.length;
    if (f === ' ') {
      if (out.length > 0 && !out.endsWith(' ')) {
        out += ' ';
        from.push(at);
        to.push(end);
      }
    } else {
      for (let i = 0; i < f.length; i++) {
        from.push(at);
        to.push(end);
      }
      out += f;
    }
    at = end;
  }
  return { text: out, from: Int32Array.from(from), to: Int32Array.from(to) };
}

const isGrammed = (ch: string | undefined) => ch !== undefined && (GRAMMED.test(ch) || UNSPACED.test(ch));

export type Mark = readonly [start: number, end: number];

/**
 * Where the terms occur in `text`, as [start, end) offsets in UTF-16 units, sorted and merged. Letters of spaced
 * scripts match whole words ("red" not in "covered"), as the index does; Chinese, Japanese and Korean match anywhere.
 * Matching is folded as the index folds (case, diacritics, traditional and simplified).
 */
export function findMarks(text: string, terms: readonly string[]): Mark[] {
  if (!text || terms.length === 0) return [];
  const hay = foldChars(text);
  const ranges: [number, number][] = [];
  for (const term of terms) {
    const needle = foldChars(term).text.trim();
    if (!needle) continue;
    const first = needle.charAt(0);
    const last = needle.charAt(needle.length - 1);
    for (let at = hay.text.indexOf(needle); at >= 0; at = hay.text.indexOf(needle, at + 1)) {
      const end = at + needle.length;
      if (at > 0 && hay.text.charAt(at - 1) !== ' ' && !isGrammed(first)) continue;
      if (end < hay.text.length && hay.text.charAt(end) !== ' ' && !isGrammed(last)) continue;
      ranges.push([hay.from[at]!, hay.to[end - 1]!]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

export interface Passage {
  readonly text: string;
  readonly marks: readonly Mark[];
}

/** Whether a break between two characters is a good place to cut a passage (a space, or between CJK letters). */
function cutsAt(text: string, i: number): boolean {
  const c = text.charAt(i);
  return c === ' ' || /[\p{P}]/u.test(c) || isGrammed(c);
}

/**
 * At most `max` characters of `text` (whitespace collapsed) around its first mark, cut at word boundaries with an
 * ellipsis, and the marks inside it. The passage shown for a hit is the one that holds the matched words.
 */
export function passage(raw: string, terms: readonly string[], max = 260): Passage {
  const text = raw.replace(/\s+/g, ' ').trim();
  const marks = findMarks(text, terms);
  if (text.length <= max) return { text, marks };
  const first = marks[0]?.[0] ?? 0;
  let start = Math.max(0, first - Math.floor(max / 4));
  if (start > 0) {
    let s = start;
    while (s < first && !cutsAt(text, s)) s++;
    start = s < first ? s + (text.charAt(s) === ' ' ? 1 : 0) : start;
  }
  let end = Math.min(text.length, start + max);
  if (end < text.length) {
    let e = end;
    while (e > start + max / 2 && !cutsAt(text, e)) e--;
    end = e > start + max / 2 ? e : end;
  }
  // Never cut a surrogate pair in half.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text.charAt(start))) start--;
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text.charAt(end))) end++;
  const lead = start > 0 ? '…' : '';
  const body = text.slice(start, end).trimEnd();
  const shift = lead.length - start;
  const inside = marks.filter(([s, e]) => s >= start && e <= start + body.length).map(([s, e]) => [s + shift, e + shift] as const);
  return { text: `${lead}${body}${end < text.length ? '…' : ''}`, marks: inside };
}
