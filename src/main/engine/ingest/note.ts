// Note extractor: text, title and chunks of a Markdown or plain-text note.
import { basename, extname } from 'node:path';
import type { NewSegment } from '../store/segments.js';
import { noFacts, type ItemFacts } from '../store/items.js';
import { chunkMarkdown, chunkPlainText, type Fits } from './chunk.js';
import { decodeText } from './text.js';

export interface ExtractedNote {
  readonly facts: ItemFacts;
  readonly segments: NewSegment[]; // kind 'text', each embedded from its text
}

export function extractNote(relPath: string, bytes: Uint8Array, fits: Fits): ExtractedNote {
  const text = decodeText(bytes);
  const ext = extname(relPath).toLowerCase();
  const isMarkdown = ext === '.md' || ext === '.markdown';
  const { chunks, title } = isMarkdown ? chunkMarkdown(text, fits) : { chunks: chunkPlainText(text, fits), title: null };
  return {
    facts: noFacts(title ?? basename(relPath, extname(relPath)), { chars: text.length }),
    segments: chunks.map((c) => ({ kind: 'text', text: c.text, breadcrumb: c.breadcrumb, start: c.start, end: c.end })),
  };
}

/** A note file of any kind Trove reads: Markdown, plain text or PDF. */
export async function extractNoteFile(relPath: string, bytes: Uint8Array, fits: Fits): Promise<ExtractedNote> {
  if (extname(relPath).toLowerCase() === '.pdf') {
    const { extractPdf } = await import('./pdf.js'); // pdf.js loads only when a PDF is met
    return extractPdf(relPath, bytes, fits);
  }
  return extractNote(relPath, bytes, fits);
}
