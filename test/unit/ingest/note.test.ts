// The note extractor: a note always has something to be found by. [Note: long-notes]
import { describe, expect, it } from 'vitest';
import { extractNote } from '../../../src/main/engine/ingest/note.js';

const enc = (s: string) => new TextEncoder().encode(s);
const roomy = () => true;

describe('extractNote', () => {
  it('gives a note that is only a heading one segment with its heading', async () => {
    const note = await extractNote('ideas/Shopping.md', enc('# Shopping list\n'), roomy);
    expect(note.facts.title).toBe('Shopping list');
    expect(note.segments.map((s) => s.text)).toEqual(['Shopping list']);
  });

  it('gives an empty note, or one of front matter only, a segment with its title (the file name)', async () => {
    expect((await extractNote('Groceries.md', enc(''), roomy)).segments.map((s) => s.text)).toEqual(['Groceries']);
    expect((await extractNote('x.md', enc('---\ntitle: Lake trip\n---\n'), roomy)).segments.map((s) => s.text)).toEqual(['Lake trip']);
    expect((await extractNote('Blank.txt', enc(' \n\n '), roomy)).segments.map((s) => s.text)).toEqual(['Blank']);
  });

  it('keeps the chunks of a note with text', async () => {
    const note = await extractNote('a.md', enc('# Trip\n\nWe saw the lake.\n'), roomy);
    expect(note.segments).toEqual([{ kind: 'text', text: 'We saw the lake.', breadcrumb: ['Trip'], start: 8, end: 24 }]);
  });
});
