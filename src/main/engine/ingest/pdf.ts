// PDF notes: the text of each page (pdf.js), chunked like a note with the page as its breadcrumb. [Note: pdf]
// pdf.js runs in a worker thread of its own (pdf-worker.mjs, plain JavaScript, no TypeScript loader), with a heap
// limit: parsing a PDF never holds the engine's thread, and a PDF that would take more memory than that is an error
// item ("too complex") instead of a process out of memory. The worker goes when it has been idle a while. A page
// count limit keeps a 5,000-page manual from holding it for long. A PDF without a text layer (a scan) is found by its
// title; a password-protected one is an error with that reason.
import { basename, extname } from 'node:path';
import { noFacts } from '../store/items.js';
import { WorkerRpc } from '../worker-rpc.js';
import { chunkBlocksIter, collectChunks, type Block, type Fits } from './chunk.js';
import { titleSegments } from './note.js';
import { pdfDate } from './when.js';
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

/** The heap a PDF may take while it is read, in MB (a 2,000-page manual needs well under 100). */
export const PDF_HEAP_MB = 384;
/** The worker goes after this long without a PDF, and its memory with it. */
const IDLE_MS = 15_000;

type PdfReply =
  | { readonly id: number; readonly ok: true; readonly numPages: number; readonly pages: [string, boolean][][]; readonly title: string | null; readonly created?: string | null }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** The PDF worker: started on the first PDF, gone after IDLE_MS without one, started again after a crash. */
const reader = new WorkerRpc<PdfReply>({
  url: new URL('./pdf-worker.mjs', import.meta.url),
  // execArgv: [] so a loader given to this process (--import tsx) is not given to pdf.js. [Note: pdf]
  worker: { execArgv: [], resourceLimits: { maxOldGenerationSizeMb: PDF_HEAP_MB } },
  what: 'PDF reader',
  idleMs: IDLE_MS,
  describe: (e) => (e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the PDF is too complex to read (it needs more than ${PDF_HEAP_MB} MB)` : `the PDF reader failed: ${e.message}`),
});


/** Ends the PDF worker now, not IDLE_MS after the last PDF (the OCR step wants the memory). [Note: ocr-memory] */
export function closePdfReader(): Promise<void> {
  return reader.close();
}

export async function extractPdf(relPath: string, bytes: Uint8Array, fits: Fits): Promise<ExtractedNote> {
  // Transferred, so a copy: the caller keeps its own. Not `bytes.slice()`: on a Buffer that is a view of the same
  // memory, and transferring it took the caller's bytes away.
  const copy = new Uint8Array(bytes);
  const doc = await reader.request({ bytes: copy.buffer, maxPages: MAX_PDF_PAGES }, [copy.buffer as ArrayBuffer]);
  const blocks: Block[] = [];
  let offset = 0;
  doc.pages.forEach((items, i) => {
    const text = pageText(items.map(([str, hasEOL]) => ({ str, hasEOL })));
    if (text) blocks.push({ text, breadcrumb: [`Page ${i + 1}`], start: offset, end: offset + text.length });
    offset += text.length + 2;
  });
  const title = doc.title?.trim() ? doc.title.trim() : basename(relPath, extname(relPath));
  const chunks = await collectChunks(chunkBlocksIter(blocks, fits));
  const read = doc.pages.length;
  const facts = noFacts(title, { pages: doc.numPages, ...(doc.numPages > read ? { pagesIndexed: read } : {}) });
  // The PDF's CreationDate is its own stated date, like a note's front matter; else the indexer dates it by name or
  // mtime. [Note: item-times]
  const created = doc.created ? pdfDate(doc.created) : null;
  if (created) {
    facts.takenAt = created.takenAt;
    facts.timeSource = 'frontmatter';
    facts.timeDay = created.day;
  }
  return {
    facts,
    // A scan without a text layer is still found by its title.
    segments: chunks.length ? chunks.map((c) => ({ kind: 'text', text: c.text, breadcrumb: c.breadcrumb, start: c.start, end: c.end })) : titleSegments(title, fits),
  };
}
