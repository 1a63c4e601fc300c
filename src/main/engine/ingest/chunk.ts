// Splitting notes into the chunks that get vectors. Pure. [Note: long-notes] [Note: bounded-chunking]
// A note becomes chunks at headings and paragraphs: a chunk never crosses a heading, keeps the breadcrumb of
// headings above it, and short paragraphs of one section are merged while they fit. What fits is decided by the
// encoder's own tokenizer (`fits`), so no chunk is longer than the text tower's context: a paragraph that does
// not fit is cut at the last sentence end that fits, else at the last word that fits, else (a giant "word") at the
// last character that fits. Nothing is silently truncated: every character of the note's text is in exactly one
// chunk (whitespace and Markdown syntax aside).
//
// [Note: bounded-chunking] Memory and time are linear in the text, whatever its shape. `Intl.Segmenter` is never
// run over more than WINDOW characters at once: each segment it hands out holds its own copy of the input, so
// segmenting a 675 KB line kept ~60 KB per word alive (4.4 GB, then a fatal out-of-memory) and its time grew with
// the square of the text (64 KB: 0.5 s, measured on the build machine). Sentences are found window by window, the
// last one of each window being carried into the next, and words inside each sentence. `fits` is never asked about
// text longer than MAX_FIT_CHARS (far past any text tower's context: 77 tokens for CLIP, 64 for SigLIP), so the
// tokenizer never sees a whole file either; and how many words fit is found by a galloping search from the count
// that fitted last time, so each chunk costs a handful of tokenizer calls rather than one per word.

export interface Chunk {
  readonly text: string;
  readonly breadcrumb: readonly string[];
  readonly start: number; // character offsets into the note's text
  readonly end: number;
}

export type Fits = (text: string) => boolean;

/** A run of text before chunking: a paragraph, a page, with its headings and offsets. */
export interface Block {
  text: string;
  breadcrumb: string[];
  start: number;
  end: number;
}

/** Characters given to Intl.Segmenter at once. See [Note: bounded-chunking]. */
export const WINDOW = 1024;
/** Text longer than this never fits a text tower's context, and is not tokenized to find out. */
export const MAX_FIT_CHARS = 8192;

/** Front matter (`---` … `---` at the very top), as raw lines, and where the body starts. */
export function splitFrontMatter(source: string): { frontMatter: string | null; bodyStart: number } {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(source.slice(0, 65536));
  return m ? { frontMatter: m[1] ?? '', bodyStart: m[0].length } : { frontMatter: null, bodyStart: 0 };
}

/** `title:` from front matter, if any (a simple `key: value` line, quotes removed). */
export function frontMatterTitle(frontMatter: string | null): string | null {
  if (!frontMatter) return null;
  const m = /^title:[ \t]*(.+?)[ \t]*$/m.exec(frontMatter);
  if (!m?.[1]) return null;
  return m[1].replace(/^(['"])(.*)\1$/, '$2').trim() || null;
}

/**
 * Headings and paragraphs of a Markdown note, with offsets. Fenced code stays inside its paragraph. A note that is
 * only headings (an outline not yet written, a title) gives one block of its headings, so it can still be found.
 */
export function markdownBlocks(source: string): { blocks: Block[]; title: string | null; frontMatter: string | null } {
  const { frontMatter, bodyStart } = splitFrontMatter(source);
  let title = frontMatterTitle(frontMatter);
  const blocks: Block[] = [];
  const crumbs: { level: number; text: string }[] = [];
  const headings: { text: string; start: number; end: number }[] = [];
  let para: { lines: string[]; start: number; end: number } | null = null;
  let fence: string | null = null;

  const flush = () => {
    if (para) {
      const text = para.lines.join('\n').trim();
      if (text) blocks.push({ text, breadcrumb: crumbs.map((c) => c.text), start: para.start, end: para.end });
    }
    para = null;
  };

  let offset = bodyStart;
  while (offset <= source.length) {
    const lineStart = offset;
    const newline = source.indexOf('\n', offset);
    const rawEnd = newline === -1 ? source.length : newline;
    offset = rawEnd + 1;
    const line = source.charCodeAt(rawEnd - 1) === 13 ? source.slice(lineStart, rawEnd - 1) : source.slice(lineStart, rawEnd);
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== null) {
      para?.lines.push(line);
      if (para) para.end = lineStart + line.length;
      if (fenceMatch?.[1] && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) fence = null;
      continue;
    }
    if (fenceMatch?.[1]) {
      fence = fenceMatch[1];
      if (!para) para = { lines: [], start: lineStart, end: lineStart };
      para.lines.push(line);
      para.end = lineStart + line.length;
      continue;
    }
    const heading = line.length <= 4096 ? /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (heading) {
      flush();
      const level = heading[1]!.length;
      const text = heading[2]!.trim();
      while (crumbs.length && crumbs[crumbs.length - 1]!.level >= level) crumbs.pop();
      if (text) {
        crumbs.push({ level, text });
        headings.push({ text, start: lineStart, end: lineStart + line.length });
      }
      if (level === 1 && title === null && text) title = text;
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (!para) para = { lines: [], start: lineStart, end: lineStart };
    para.lines.push(line);
    para.end = lineStart + line.length;
  }
  flush();
  if (blocks.length === 0 && headings.length > 0) {
    blocks.push({ text: headings.map((h) => h.text).join('\n'), breadcrumb: [], start: headings[0]!.start, end: headings[headings.length - 1]!.end });
  }
  return { blocks, title, frontMatter };
}

/** Paragraphs of a plain-text note (blank-line separated), with offsets. */
export function plainBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const re = /[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    const lead = m[0].length - m[0].trimStart().length;
    const text = m[0].trim();
    blocks.push({ text, breadcrumb: [], start: m.index + lead, end: m.index + lead + text.length });
  }
  return blocks;
}

// ---- bounded segmentation -------------------------------------------------------------------------------------

const segmenters = new Map<string, Intl.Segmenter>();
function segmenter(granularity: 'sentence' | 'word'): Intl.Segmenter {
  let s = segmenters.get(granularity);
  if (!s) segmenters.set(granularity, (s = new Intl.Segmenter(undefined, { granularity })));
  return s;
}

/** Where the segments of text[from, to) start (relative to `from`); `to - from` must be at most about WINDOW. */
function starts(text: string, from: number, to: number, granularity: 'sentence' | 'word'): number[] {
  const out: number[] = [];
  for (const s of segmenter(granularity).segment(text.slice(from, to))) out.push(s.index); // the index only: see the Note
  return out;
}

/** An end that does not cut a surrogate pair in two. */
function safeEnd(text: string, end: number): number {
  if (end < text.length && end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) return end - 1;
  }
  return end;
}

/** A contiguous piece of the text: a word, the space after it, a character; `sentence` when a sentence starts here. */
interface Unit {
  start: number;
  end: number;
  sentence: boolean;
}

/**
 * The words of text[from, to) in order, each marked when a sentence starts with it, found over windows of at most
 * WINDOW characters. A sentence longer than a window is cut before the window's last word (still a word boundary,
 * not a sentence start), and the rest is read with the next window.
 */
export function* units(text: string, from: number, to: number): Generator<Unit> {
  let pos = from;
  let atSentence = true; // whether pos starts a sentence (false after a cut inside one)
  while (pos < to) {
    const end = safeEnd(text, Math.min(to, pos + WINDOW));
    const last = end >= to;
    const sentences = starts(text, pos, end, 'sentence');
    // The last sentence of a window may go on past it: read it again from its start with the next window.
    const complete = last ? sentences.length : sentences.length - 1;
    for (let i = 0; i < complete; i++) {
      const s = pos + sentences[i]!;
      const e = i + 1 < sentences.length ? pos + sentences[i + 1]! : end;
      yield* words(text, s, e, i > 0 || atSentence);
    }
    if (last) return;
    if (complete > 0) {
      pos += sentences[complete]!;
      atSentence = true;
      continue;
    }
    // One sentence fills the window: take it up to its last word boundary in the window.
    const w = starts(text, pos, end, 'word');
    const cut = w.length > 1 ? w[w.length - 1]! : end - pos;
    yield* words(text, pos, pos + cut, atSentence);
    pos += cut;
    atSentence = false;
  }
}

function* words(text: string, from: number, to: number, sentence: boolean): Generator<Unit> {
  const w = starts(text, from, to, 'word');
  for (let i = 0; i < w.length; i++) {
    yield { start: from + w[i]!, end: i + 1 < w.length ? from + w[i + 1]! : to, sentence: sentence && i === 0 };
  }
}

/** Each code point of a unit as a unit of its own (for a "word" too long for the context). */
function characters(text: string, u: Unit): Unit[] {
  const out: Unit[] = [];
  for (let i = u.start; i < u.end; ) {
    const cp = text.codePointAt(i)!;
    const n = cp > 0xffff ? 2 : 1;
    out.push({ start: i, end: Math.min(u.end, i + n), sentence: u.sentence && i === u.start });
    i += n;
  }
  return out;
}

/**
 * The largest k ≥ 0 with `ok(k)`, for `ok` true at 0 and monotone (true up to some k, false after), by galloping
 * out from `guess`: a few calls when the guess is near, O(log k) otherwise.
 */
export function longest(ok: (k: number) => boolean, guess: number): number {
  let g = Math.max(1, Math.floor(guess));
  let lo: number; // ok
  let hi: number; // not ok
  if (ok(g)) {
    lo = g;
    let step = 1;
    for (;;) {
      if (!ok(lo + step)) {
        hi = lo + step;
        break;
      }
      lo += step;
      step *= 2;
    }
  } else {
    hi = g;
    let step = 1;
    for (;;) {
      g = hi - step;
      if (g <= 0) {
        lo = 0;
        break;
      }
      if (ok(g)) {
        lo = g;
        break;
      }
      hi = g;
      step *= 2;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

const isSpace = (text: string, u: Unit) => text.slice(u.start, u.end).trim() === '';

/**
 * Cuts one block that does not fit into pieces that do, reading it as a stream of words (see `units`): each piece
 * takes as many words as fit, and ends at the last sentence end among them when there is one.
 */
function* splitBlock(block: Block, fits: Fits): Generator<Block> {
  const text = block.text;
  if (text.length <= MAX_FIT_CHARS && fits(text)) {
    yield block;
    return;
  }
  const stream = units(text, 0, text.length);
  const buf: Unit[] = [];
  let head = 0;
  let done = false;
  /** Whether the unit at head + i exists, reading more of the stream when needed. */
  const have = (i: number): boolean => {
    while (!done && buf.length - head <= i) {
      const n = stream.next();
      if (n.done) done = true;
      else buf.push(n.value);
    }
    return buf.length - head > i;
  };
  const fitsSpan = (from: number, to: number): boolean => {
    const s = text.slice(from, to).trim();
    return s.length <= MAX_FIT_CHARS && fits(s);
  };
  let guess = 8;
  for (;;) {
    // A piece never starts with white space.
    while (have(0) && isSpace(text, buf[head]!)) head++;
    if (!have(0)) break;
    if (head > 4096) {
      buf.splice(0, head);
      head = 0;
    }
    const start = buf[head]!.start;
    const ok = (k: number) => k === 0 || (have(k - 1) && buf[head + k - 1]!.end - start <= MAX_FIT_CHARS && fitsSpan(start, buf[head + k - 1]!.end));
    let k = longest(ok, guess);
    if (k === 0) {
      const u = buf[head]!;
      const chars = characters(text, u);
      if (chars.length > 1) {
        buf.splice(head, 1, ...chars); // a word too long for the context: go on character by character
        continue;
      }
      k = 1; // a single character that does not fit: keep it rather than lose it
    }
    guess = k;
    // End at a sentence end when one is among the words that fit (and more text follows).
    if (have(k)) {
      for (let j = k; j > 0; j--) {
        if (buf[head + j]!.sentence) {
          k = j;
          break;
        }
      }
    }
    const from = buf[head]!.start;
    const to = buf[head + k - 1]!.end;
    head += k;
    const raw = text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    const piece = raw.trim();
    if (piece) yield { text: piece, breadcrumb: block.breadcrumb, start: block.start + from + lead, end: block.start + from + lead + piece.length };
  }
}

/** Blocks → chunks, one at a time: paragraphs of one section merged while they fit, long ones split. */
export function* chunkBlocksIter(blocks: Iterable<Block>, fits: Fits): Generator<Chunk> {
  let cur = null as Block | null;
  const sameSection = (a: Block, b: Block) => a.breadcrumb.length === b.breadcrumb.length && a.breadcrumb.every((c, i) => c === b.breadcrumb[i]);
  for (const whole of blocks) {
    for (const block of splitBlock(whole, fits)) {
      const prev = cur;
      if (prev !== null && sameSection(prev, block)) {
        const merged = `${prev.text}\n\n${block.text}`;
        if (merged.length <= MAX_FIT_CHARS && fits(merged)) {
          cur = { text: merged, breadcrumb: prev.breadcrumb, start: prev.start, end: block.end };
          continue;
        }
      }
      if (cur) yield cur;
      cur = { ...block };
    }
  }
  if (cur) yield cur;
}

/** Blocks → chunks: paragraphs of one section merged while they fit, long ones split. */
export function chunkBlocks(blocks: readonly Block[], fits: Fits): Chunk[] {
  return [...chunkBlocksIter(blocks, fits)];
}

export function chunkMarkdown(source: string, fits: Fits): { chunks: Chunk[]; title: string | null } {
  const { blocks, title } = markdownBlocks(source);
  return { chunks: chunkBlocks(blocks, fits), title };
}

export function chunkPlainText(source: string, fits: Fits): Chunk[] {
  return chunkBlocks(plainBlocks(source), fits);
}

/**
 * Drains a chunk iterator without holding the thread for long: after each `sliceMs` of work it lets the event loop
 * run (queries, progress), so a long note never stalls the engine. [Note: bounded-chunking]
 */
export async function collectChunks(iter: Iterator<Chunk>, sliceMs = 8): Promise<Chunk[]> {
  const out: Chunk[] = [];
  let since = performance.now();
  for (let n = iter.next(); !n.done; n = iter.next()) {
    out.push(n.value);
    if (performance.now() - since > sliceMs) {
      await new Promise<void>((r) => setImmediate(r));
      since = performance.now();
    }
  }
  return out;
}
