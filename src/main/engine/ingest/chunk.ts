// Splitting notes into the chunks that get vectors. Pure. [Note: long-notes]
// A note becomes chunks at headings and paragraphs: a chunk never crosses a heading, keeps the breadcrumb of
// headings above it, and short paragraphs of one section are merged while they fit. What fits is decided by the
// encoder's own tokenizer (`fits`), so no chunk is longer than the text tower's context: a paragraph that does
// not fit is split at sentences, and a sentence that does not fit at words. Nothing is silently truncated: every
// character of the note's text is in exactly one chunk (whitespace and Markdown syntax aside).

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

/** Front matter (`---` … `---` at the very top), as raw lines, and where the body starts. */
export function splitFrontMatter(source: string): { frontMatter: string | null; bodyStart: number } {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(source);
  return m ? { frontMatter: m[1] ?? '', bodyStart: m[0].length } : { frontMatter: null, bodyStart: 0 };
}

/** `title:` from front matter, if any (a simple `key: value` line, quotes removed). */
export function frontMatterTitle(frontMatter: string | null): string | null {
  if (!frontMatter) return null;
  const m = /^title:[ \t]*(.+?)[ \t]*$/m.exec(frontMatter);
  if (!m?.[1]) return null;
  return m[1].replace(/^(['"])(.*)\1$/, '$2').trim() || null;
}

/** Headings and paragraphs of a Markdown note, with offsets. Fenced code stays inside its paragraph. */
export function markdownBlocks(source: string): { blocks: Block[]; title: string | null } {
  const { frontMatter, bodyStart } = splitFrontMatter(source);
  let title = frontMatterTitle(frontMatter);
  const blocks: Block[] = [];
  const crumbs: { level: number; text: string }[] = [];
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
  for (const rawLine of source.slice(bodyStart).split('\n')) {
    const lineStart = offset;
    offset += rawLine.length + 1;
    const line = rawLine.replace(/\r$/, '');
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
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      const text = heading[2]!.trim();
      while (crumbs.length && crumbs[crumbs.length - 1]!.level >= level) crumbs.pop();
      if (text) crumbs.push({ level, text });
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
  return { blocks, title };
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

function segments(text: string, granularity: 'sentence' | 'word'): { text: string; index: number }[] {
  const seg = new Intl.Segmenter(undefined, { granularity });
  return [...seg.segment(text)].map((s) => ({ text: s.segment, index: s.index }));
}

/** Splits one block into pieces that fit, at sentences, then words, then (for a giant word) characters. */
function splitBlock(block: Block, fits: Fits): Block[] {
  if (fits(block.text)) return [block];
  const pieces: Block[] = [];
  const units = (granularity: 'sentence' | 'word', text: string, base: number) =>
    segments(text, granularity).map((s) => ({ text: s.text, start: base + s.index, end: base + s.index + s.text.length }));

  const pack = (parts: { text: string; start: number; end: number }[], level: 'sentence' | 'word' | 'char') => {
    let cur: { text: string; start: number; end: number } | null = null;
    const emit = () => {
      if (cur && cur.text.trim()) {
        const lead = cur.text.length - cur.text.trimStart().length;
        const text = cur.text.trim();
        pieces.push({ text, breadcrumb: block.breadcrumb, start: cur.start + lead, end: cur.start + lead + text.length });
      }
      cur = null;
    };
    for (const part of parts) {
      if (!part.text.trim() && !cur) continue;
      const joined: { text: string; start: number; end: number } = cur
        ? { text: (cur as { text: string }).text + part.text, start: (cur as { start: number }).start, end: part.end }
        : part;
      if (fits(joined.text.trim())) {
        cur = joined;
        continue;
      }
      emit();
      if (fits(part.text.trim())) cur = part;
      else if (level === 'sentence') pack(units('word', part.text, part.start), 'word');
      else if (level === 'word') pack([...part.text].map((ch, i) => ({ text: ch, start: part.start + i, end: part.start + i + 1 })), 'char');
      else cur = part; // a single character that does not fit: keep it rather than lose it
    }
    emit();
  };
  pack(units('sentence', block.text, block.start), 'sentence');
  return pieces;
}

/** Blocks → chunks: paragraphs of one section merged while they fit, long ones split. */
export function chunkBlocks(blocks: readonly Block[], fits: Fits): Chunk[] {
  const chunks: Chunk[] = [];
  let cur = null as Block | null;
  const sameSection = (a: Block, b: Block) => a.breadcrumb.join('\u0000') === b.breadcrumb.join('\u0000');
  for (const block of blocks.flatMap((b) => splitBlock(b, fits))) {
    const prev = cur;
    if (prev !== null && sameSection(prev, block)) {
      const merged = `${prev.text}\n\n${block.text}`;
      if (fits(merged)) {
        cur = { text: merged, breadcrumb: prev.breadcrumb, start: prev.start, end: block.end };
        continue;
      }
    }
    if (cur) chunks.push(cur);
    cur = { ...block };
  }
  if (cur) chunks.push(cur);
  return chunks;
}

export function chunkMarkdown(source: string, fits: Fits): { chunks: Chunk[]; title: string | null } {
  const { blocks, title } = markdownBlocks(source);
  return { chunks: chunkBlocks(blocks, fits), title };
}

export function chunkPlainText(source: string, fits: Fits): Chunk[] {
  return chunkBlocks(plainBlocks(source), fits);
}
