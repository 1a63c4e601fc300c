// PDF notes: each page's text, chunked with the page as its breadcrumb, found by meaning and by words.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { closePdfReader, extractPdf, pageText } from '../../src/main/engine/ingest/pdf.js';
import { makePdf } from '../fixtures/pdf.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

describe('PDF notes', () => {
  const tmp = tempDir('pdf');
  const lib = join(tmp.dir, 'lib');
  let engine: Engine;

  beforeAll(async () => {
    mkdirSync(lib);
    writeFileSync(
      join(lib, 'report.pdf'),
      makePdf(
        [
          ['Annual report of the harbour museum.', 'Visitors rose by a third this year.'],
          ['Gift shop', 'The best seller was a purple umbrella with the museum logo.'],
        ],
        'Harbour museum annual report',
      ),
    );
    writeFileSync(join(lib, 'broken.pdf'), makePdf([['cut short']]).subarray(0, 60));
    engine = Engine.open({ dataDir: join(tmp.dir, 'data'), model: COLOURS_PACK, ocr: false });
    await engine.addRoot({ path: lib });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('indexes every page with its title, and says why a broken PDF is not indexed', async () => {
    expect(await engine.indexNow()).toMatchObject({ added: 1, failed: 1 });
    const report = await engine.getItem({ path: join(lib, 'report.pdf') });
    expect(report.title).toBe('Harbour museum annual report');
    expect(report.kind).toBe('note');
    expect(report.segments.map((s) => s.breadcrumb)).toEqual([['Page 1'], ['Page 2']]);
    expect(report.segments[1]!.text).toContain('purple umbrella');
    expect(engine.errors().map((e) => [e.relPath, e.error])).toEqual([['broken.pdf', expect.stringMatching(/^the PDF cannot be read/)]]);
  });

  it('finds a page by meaning and by its words', async () => {
    const purple = await engine.search({ query: 'purple', kinds: ['note'], limit: 1 });
    expect(purple.hits[0]!.item.relPath).toBe('report.pdf');
    expect(purple.hits[0]!.match.segment.breadcrumb).toEqual(['Page 2']);
    const words = await engine.search({ query: 'visitors', limit: 1 });
    expect(words.hits[0]!.match).toMatchObject({ lexical: true, segment: { breadcrumb: ['Page 1'] } });
  });
});

describe('extractPdf', () => {
  it('leaves the caller its bytes (a copy travels to the PDF worker, not the Buffer it was read into)', async () => {
    const own = tempDir('pdf-bytes');
    // Over 8 KB: smaller files are read into Node's shared pool, which is copied rather than handed over.
    const lines = Array.from({ length: 200 }, (_, i) => `Entry ${i}: the lamp was lit at dusk and the sea was calm.`);
    writeFileSync(join(own.dir, 'log.pdf'), makePdf([['Lighthouse keeper log', ...lines]]));
    const bytes = readFileSync(join(own.dir, 'log.pdf')); // memory of its own, as the indexer reads a file
    own.cleanup();
    expect(bytes.byteLength).toBeGreaterThan(8192);
    const before = Buffer.from(bytes);
    const note = await extractPdf('log.pdf', bytes, () => true);
    await closePdfReader();
    expect(note.segments.map((s) => s.text).join(' ')).toContain('Lighthouse keeper log');
    expect(bytes.byteLength).toBe(before.byteLength);
    expect(bytes.equals(before)).toBe(true);
  });
});

describe('pageText', () => {
  it('keeps line ends and collapses spaces', () => {
    expect(pageText([{ str: 'Hello', hasEOL: false }, { str: 'world', hasEOL: true }, { str: '  next   line ', hasEOL: false }])).toBe('Hello world\nnext line');
  });
});
