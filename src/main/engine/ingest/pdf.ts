// PDF notes: the text of each page (pdf.js), chunked like a note with the page as its breadcrumb. [Note: pdf]
// pdf.js runs on the engine's thread with its in-process "fake worker"; a PDF is parsed once per version, and a
// page count limit keeps a 5,000-page manual from holding the thread for long. A PDF without a text layer (a scan)
// yields no chunks; a password-protected one is an error with that reason.
import { basename, extname } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { noFacts } from '../store/items.js';
import { chunkBlocksIter, collectChunks, type Block, type Fits } from './chunk.js';
import { titleSegments } from './note.js';
import type { ExtractedNote } from './note.js';

export const MAX_PDF_PAGES = 2000;

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/** The text of one page's items: line ends kept, runs of spaces collapsed. Pure. */
export function pageText(items: readonly TextItemLike[]): string {
  return items
    .map((it) => (it.str ?? '') + (it.hasEOL ? '\n' : ' '))
    .join('')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

export async function extractPdf(relPath: string, bytes: Uint8Array, fits: Fits): Promise<ExtractedNote> {
  const task = getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 });
  let doc;
  try {
    doc = await task.promise;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') throw new Error('the PDF is password-protected');
    throw new Error(`the PDF cannot be read: ${(error as Error).message}`);
  }
  try {
    const blocks: Block[] = [];
    let offset = 0;
    const pages = Math.min(doc.numPages, MAX_PDF_PAGES);
    for (let n = 1; n <= pages; n++) {
      const page = await doc.getPage(n);
      const text = pageText((await page.getTextContent()).items as TextItemLike[]);
      page.cleanup();
      if (text) blocks.push({ text, breadcrumb: [`Page ${n}`], start: offset, end: offset + text.length });
      offset += text.length + 2;
    }
    const info = ((await doc.getMetadata().catch(() => null))?.info ?? {}) as { Title?: unknown };
    const title = typeof info.Title === 'string' && info.Title.trim() ? info.Title.trim() : basename(relPath, extname(relPath));
    const chunks = await collectChunks(chunkBlocksIter(blocks, fits));
    return {
      facts: noFacts(title, { pages: doc.numPages, ...(doc.numPages > pages ? { pagesIndexed: pages } : {}) }),
      // A scan without a text layer is still found by its title.
      segments: chunks.length ? chunks.map((c) => ({ kind: 'text', text: c.text, breadcrumb: c.breadcrumb, start: c.start, end: c.end })) : titleSegments(title, fits),
    };
  } finally {
    await doc.destroy();
  }
}
