// The text of a PDF's pages, read by pdf.js in a worker thread of its own. [Note: pdf]
// Plain JavaScript on purpose: a TypeScript loader (tsx, which runs Trove in a checkout) transforms pdf.js's two
// large files on the way in and held ~300 MB more for them (measured: importing the worker file took 264 MB under
// tsx, 23 MB without). The engine starts this file with no loader at all (execArgv: []), in the app and in a
// checkout alike, and with a heap limit, so one hostile PDF can cost this worker its life but never the engine.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// Background work: below a query in the CPU's queue (this thread only, on Linux; see worker-bootstrap.mjs).
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // not allowed here
  }
}

if (!parentPort) throw new Error('pdf-worker.mjs must run in a worker thread');
const port = parentPort;

port.on('message', async (req) => {
  const { id, bytes, maxPages } = req;
  try {
    const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
    try {
      const count = Math.min(doc.numPages, maxPages);
      const pages = [];
      for (let n = 1; n <= count; n++) {
        const page = await doc.getPage(n);
        const content = await page.getTextContent();
        // Only what the text needs: each item's string and whether a line ends after it.
        pages.push(content.items.map((it) => [typeof it.str === 'string' ? it.str : '', it.hasEOL === true]));
        page.cleanup();
      }
      const info = (await doc.getMetadata().catch(() => null))?.info ?? {};
      const title = typeof info.Title === 'string' ? info.Title : null;
      const created = typeof info.CreationDate === 'string' ? info.CreationDate.slice(0, 64) : null;
      port.postMessage({ id, ok: true, numPages: doc.numPages, pages, title, created });
    } finally {
      await doc.destroy();
    }
  } catch (error) {
    const message = error?.name === 'PasswordException' ? 'the PDF is password-protected' : `the PDF cannot be read: ${String(error?.message ?? error)}`;
    port.postMessage({ id, ok: false, error: { code: 'INTERNAL', message } });
  }
});
