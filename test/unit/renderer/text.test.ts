// What the UI writes on screen: times, sizes, places, why a result matched, marked words, snippets, note pages.
import { describe, expect, it } from 'vitest';
import type { Hit, Segment } from '../../../src/shared/types.js';
import { baseName, bytes, clock, duration, folderOf, place, plural, rate, score, takenDate } from '../../../src/renderer/lib/format.js';
import { explain, pieces } from '../../../src/renderer/lib/explain.js';
import { fromChunks, renderPlain, stripFrontMatter } from '../../../src/renderer/lib/markdown.js';

describe('format', () => {
  it('writes recording times as mm:ss, and h:mm:ss from an hour', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(83_400)).toBe('01:23');
    expect(clock(59_999)).toBe('00:59');
    expect(clock(3_725_000)).toBe('1:02:05');
    expect(clock(-5)).toBe('00:00');
  });

  it('writes sizes, rates, times left, scores and counts', () => {
    expect([bytes(512), bytes(1500), bytes(2_345_678), bytes(4_200_000_000), bytes(-1)]).toEqual(['512 B', '1.5 kB', '2.3 MB', '4.2 GB', '—']);
    expect([rate(0), rate(3.21), rate(42.4)]).toEqual(['', '3.2/s', '42/s']);
    expect([duration(null), duration(0.2), duration(42), duration(600), duration(7500)]).toEqual(['', '1 s', '42 s', '10 min', '2 h 5 min']);
    expect(score(0.81234)).toBe('0.81');
    expect(plural(1, 'photo', 'photos', 'en')).toBe('1 photo');
    expect(plural(1234, 'photo', 'photos', 'en')).toBe('1,234 photos');
  });

  it('shows a capture time as the camera showed it, whatever the time zone', () => {
    expect(takenDate(Date.UTC(2024, 5, 11, 10, 15), 'en-GB')).toBe('11 June 2024 at 10:15');
  });

  it('writes places with hemispheres, and path parts', () => {
    expect(place(51.50722, -0.1275)).toBe('51.5072° N, 0.1275° W');
    expect(place(-33.8688, 151.2093)).toBe('33.8688° S, 151.2093° E');
    expect(folderOf('photos/2023/IMG.jpg')).toBe('photos/2023');
    expect(folderOf('IMG.jpg')).toBe('');
    expect(baseName('/home/me/Pictures/')).toBe('Pictures');
    expect(baseName('C:\\Users\\me\\Notes')).toBe('Notes');
  });
});

const segment = (s: Partial<Segment>): Segment => ({ id: 1, kind: 'text', ordinal: 0, text: null, breadcrumb: [], start: null, end: null, ...s });
const hit = (kind: 'photo' | 'note' | 'audio', seg: Partial<Segment>, lexical = false): Hit => ({
  item: { id: 1, rootId: 1, path: '/l/x', relPath: 'x', kind, title: 'Fire station open day', size: 1, mtime: 1, takenAt: null, status: 'indexed', error: null },
  score: 0.5,
  close: true,
  match: { segment: segment(seg), score: 0.5, lexical, passage: null },
});

describe('explain', () => {
  it('says why each kind of match matched', () => {
    expect(explain(hit('photo', { kind: 'image' }))).toEqual({ label: 'Looks like it', text: null, time: null, words: false });
    expect(explain(hit('photo', { kind: 'ocr', text: 'OPEN  DAILY\n9am' }, true))).toEqual({ label: 'Text in the photo', text: 'OPEN DAILY 9am', time: null, words: true });
    expect(explain(hit('audio', { kind: 'transcript', text: 'the red engine', start: 83_000 }))).toMatchObject({ label: 'Said at 01:23', time: 83_000 });
    expect(explain(hit('note', { kind: 'text', text: 'x', breadcrumb: ['Fire station open day', 'What we learned'] })).label).toBe('What we learned');
    expect(explain(hit('note', { kind: 'text', text: 'x', breadcrumb: ['Journal', 'Monday', 'Morning'] })).label).toBe('Journal › Monday › Morning');
    expect(explain(hit('note', { kind: 'text', text: 'x', breadcrumb: ['Fire station open day'] })).label).toBe('In the text');
  });

  it('cuts the engine\'s passage into plain and marked pieces, ignoring marks that do not fit', () => {
    expect(pieces({ text: 'The big RED fire engine', marks: [[8, 11], [12, 23]] })).toEqual([
      { text: 'The big ', mark: false },
      { text: 'RED', mark: true },
      { text: ' ', mark: false },
      { text: 'fire engine', mark: true },
    ]);
    expect(pieces({ text: '东京的红色消防车', marks: [[3, 5]] })).toEqual([{ text: '东京的', mark: false }, { text: '红色', mark: true }, { text: '消防车', mark: false }]);
    expect(pieces({ text: 'short', marks: [[3, 99], [1, 0]] })).toEqual([{ text: 'short', mark: false }]);
    expect(pieces({ text: 'nothing here', marks: [] })).toEqual([{ text: 'nothing here', mark: false }]);
  });
});

describe('note pages', () => {
  it('drops front matter, and only front matter', () => {
    expect(stripFrontMatter('---\ntitle: Snow\ntags: [a]\n---\n# Snow day\n')).toBe('# Snow day\n');
    expect(stripFrontMatter('# Title\n\n---\n\nA rule above')).toBe('# Title\n\n---\n\nA rule above');
  });

  it('writes plain text as escaped paragraphs', () => {
    expect(renderPlain('Groceries\n\nmilk\n<eggs> & more\n\n\n')).toBe('<p>Groceries</p>\n<p>milk<br>&lt;eggs&gt; &amp; more</p>');
  });

  it('rebuilds a note from its chunks with a heading wherever the breadcrumb changes', () => {
    const chunks = [
      segment({ ordinal: 2, text: 'Rain all day.', breadcrumb: ['Journal', 'Wednesday'] }),
      segment({ ordinal: 0, text: 'Up early.', breadcrumb: ['Journal', 'Monday', 'Morning'] }),
      segment({ ordinal: 1, text: 'Long meeting.', breadcrumb: ['Journal', 'Monday', 'Afternoon'] }),
      segment({ kind: 'image', ordinal: 3 }),
    ];
    expect(fromChunks(chunks)).toBe(['## Journal', '### Monday', '#### Morning', 'Up early.', '#### Afternoon', 'Long meeting.', '### Wednesday', 'Rain all day.'].join('\n\n'));
  });
});
