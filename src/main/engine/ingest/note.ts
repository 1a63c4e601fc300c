// Note extractor: text, title and chunks of a Markdown or plain-text note.
import { basename, extname } from 'node:path';
import type { NewSegment } from '../store/segments.js';
import { noFacts, type ItemFacts } from '../store/items.js';
import { chunkBlocksIter, chunkPlainText, collectChunks, markdownBlocks, plainBlocks, type Fits } from './chunk.js';
import { decodeText } from './text.js';
import { frontMatterDate } from './when.js';

export interface ExtractedNote {
  readonly facts: ItemFacts;
  readonly segments: NewSegment[]; // kind 'text', each embedded from its text
}

/**
 * A note's text as segments. Chunking yields to the event loop as it goes, so a long note never stalls the engine
 * [Note: bounded-chunking]. A note with no text at all (an empty file, front matter only) is still found by its
 * title: it gets one segment holding the title.
 */
export async function extractNote(relPath: string, bytes: Uint8Array, fits: Fits): Promise<ExtractedNote> {
  const text = decodeText(bytes);
  const ext = extname(relPath).toLowerCase();
  const isMarkdown = ext === '.md' || ext === '.markdown';
  const { blocks, title, frontMatter } = isMarkdown ? markdownBlocks(text) : { blocks: plainBlocks(text), title: null, frontMatter: null };
  const chunks = await collectChunks(chunkBlocksIter(blocks, fits));
  const name = title ?? basename(relPath, extname(relPath));
  const facts = noFacts(name, { chars: text.length });
  // Its own date, from front matter; the indexer falls back to the name, then the mtime. [Note: item-times]
  const dated = frontMatter !== null ? frontMatterDate(frontMatter) : null;
  if (dated) {
    facts.takenAt = dated.takenAt;
    facts.timeSource = 'frontmatter';
    facts.timeDay = dated.day;
  }
  return {
    facts,
    segments: chunks.length
      ? chunks.map((c) => ({ kind: 'text', text: c.text, breadcrumb: c.breadcrumb, start: c.start, end: c.end }))
      : titleSegments(name, fits),
  };
}

/** The segments that stand for a note without text: its title. */
export function titleSegments(title: string, fits: Fits): NewSegment[] {
  return chunkPlainText(title, fits).map((c) => ({ kind: 'text', text: c.text, breadcrumb: [], start: 0, end: 0 }));
}

/** A note file of any kind Trove reads: Markdown, plain text or PDF. */
export async function extractNoteFile(relPath: string, bytes: Uint8Array, fits: Fits): Promise<ExtractedNote> {
  if (extname(relPath).toLowerCase() === '.pdf') {
    const { extractPdf } = await import('./pdf.js'); // pdf.js loads only when a PDF is met
    return extractPdf(relPath, bytes, fits);
  }
  return extractNote(relPath, bytes, fits);
}
