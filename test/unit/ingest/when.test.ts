// When an item happened: dates in file names and folders, front matter, PDF dates, mtime, and which wins.
// [Note: item-times]
import { describe, expect, it } from 'vitest';
import { chooseTime, dateFromName, frontMatterDate, pdfDate, wallClockOf } from '../../../src/main/engine/ingest/when.js';

const NOW = Date.UTC(2025, 6, 1); // the tests' "now": a year up to 2026 is plausible
const day = (y: number, m: number, d: number) => ({ takenAt: Date.UTC(y, m - 1, d), day: true });
const at = (y: number, m: number, d: number, h: number, mi: number, s = 0, ms = 0) => ({ takenAt: Date.UTC(y, m - 1, d, h, mi, s, ms), day: false });
const name = (relPath: string) => dateFromName(relPath, NOW);

describe('dateFromName', () => {
  it.each([
    ['2024-05-05 Lake.md', day(2024, 5, 5)],
    ['2024_05_05.md', day(2024, 5, 5)],
    ['2024.05.05 notes.txt', day(2024, 5, 5)],
    ['20240505.md', day(2024, 5, 5)],
    ['Journal/2024-05-05.md', day(2024, 5, 5)],
    ['notes/Meeting 2023-11-30 budget.md', day(2023, 11, 30)],
    ['2024-05-05T10-30-00.md', at(2024, 5, 5, 10, 30)],
    ['2024-05-05 10.30 standup.md', at(2024, 5, 5, 10, 30)],
    ['IMG_20240505_123456.jpg', at(2024, 5, 5, 12, 34, 56)],
    ['IMG_20240505_123456_HDR.jpg', at(2024, 5, 5, 12, 34, 56)],
    ['PXL_20240505_123456789.jpg', at(2024, 5, 5, 12, 34, 56, 789)],
    ['PXL_20240505_123456789.MP.jpg', at(2024, 5, 5, 12, 34, 56, 789)],
    ['VID_20240505_090807.mp4', at(2024, 5, 5, 9, 8, 7)],
    ['Screenshot_2024-05-05-10-30-00-123_com.android.chrome.png', at(2024, 5, 5, 10, 30, 0)],
    ['Screenshot 2024-05-05 at 10.30.00.png', at(2024, 5, 5, 10, 30, 0)],
    ['Screenshot_20240505-103000.png', at(2024, 5, 5, 10, 30, 0)],
    ['IMG-20240505-WA0001.jpg', day(2024, 5, 5)],
    ['VID-20240505-WA0012.mp4', day(2024, 5, 5)],
    ['Recording 2024-05-05 at 10.30.00.m4a', at(2024, 5, 5, 10, 30, 0)],
    ['20240505 103000.m4a', at(2024, 5, 5, 10, 30, 0)],
    ['20240505_103000.jpg', at(2024, 5, 5, 10, 30, 0)],
    ['20240505T103000.jpg', at(2024, 5, 5, 10, 30, 0)],
    ['20240505103000.jpg', at(2024, 5, 5, 10, 30, 0)],
    ['signal-2024-05-05-103000.jpg', at(2024, 5, 5, 10, 30, 0)],
    ['signal-2024-05-05-10-30-00-123.jpg', at(2024, 5, 5, 10, 30, 0)],
    ['photos/2024-05-05 Lake/IMG_0412.jpg', day(2024, 5, 5)], // the folder, when the name has none
    ['2024-05-06 b.md', day(2024, 5, 6)],
    ['2024-05-05 a/2024-05-06 b.md', day(2024, 5, 6)], // the name before its folders
    ['2020-02-29 leap.md', day(2020, 2, 29)],
    ['1999-12-31 party.md', day(1999, 12, 31)],
  ])('%s', (path, expected) => {
    expect(name(path)).toEqual(expected);
  });

  it.each([
    ['journal/2024/05/06.md', day(2024, 5, 6)],
    ['2024/05/06.md', day(2024, 5, 6)],
    ['Daily/2024/2024-05/06.md', day(2024, 5, 6)],
    ['Daily/2024-05/06.md', day(2024, 5, 6)],
    ['Daily/2024/05-May/06.md', day(2024, 5, 6)],
    ['Daily/2024/05/06 Tuesday.md', day(2024, 5, 6)],
    ['Daily/2024/05/2024-05-06.md', day(2024, 5, 6)],
  ])('daily-note folders: %s', (path, expected) => {
    expect(name(path)).toEqual(expected);
  });

  it.each([
    'IMG_0412.jpg',
    'DSC01234.jpg',
    'DSC_0042.webp',
    'P1000871.jpg',
    'scan-007.png',
    'notes/journal.md',
    '12345678901234567890.jpg', // a long id
    '120240505.jpg', // inside a longer run of digits
    '202405051.jpg',
    'x2024-05-051.md',
    '12024-05-05.md',
    '2024-02-30 nope.md', // no such day
    '2023-02-29 nope.md',
    '2024-13-01 nope.md', // no such month
    '2024-00-10 nope.md',
    '20241301.jpg',
    '20240132.jpg',
    '1969-12-31 too early.md',
    '1850-01-01 history.md',
    '2031-01-01 the future.md', // past next year
    'Invoice 12345678.pdf', // 1234-56-78
    '99999999.jpg',
    'report-2024-05.md', // a month is not a day
    '2024/notes.md',
    '2024/05/notes.md',
    'music/2024/05/32.md',
    'photos/1024/08/06.md', // year out of range
    'v1.2.3.md',
    '2024-0505.md', // mixed separators
  ])('no date in %s', (path) => {
    expect(name(path)).toBeNull();
  });

  it('keeps the date and drops a time that is not one', () => {
    expect(name('IMG_20240505_256199.jpg')).toEqual(day(2024, 5, 5)); // 25:61:99
    expect(name('2024-05-05-1.md')).toEqual(day(2024, 5, 5)); // a counter, not a time
    expect(name('2024-05-05 12.md')).toEqual(day(2024, 5, 5));
  });

  it('takes the year up to next year only', () => {
    expect(name('2026-12-31 plan.md')).toEqual(day(2026, 12, 31));
    expect(dateFromName('2026-12-31 plan.md', Date.UTC(2024, 0, 1))).toBeNull();
  });

  it('accepts Windows separators', () => {
    expect(name('journal\\2024\\05\\06.md')).toEqual(day(2024, 5, 6));
  });
});

describe('frontMatterDate', () => {
  it.each([
    ['date: 2024-05-05', day(2024, 5, 5)],
    ['date: "2024-05-05"', day(2024, 5, 5)],
    ["date: '2024-05-05 10:30'", at(2024, 5, 5, 10, 30)],
    ['date: 2024-05-05 10:30', at(2024, 5, 5, 10, 30)],
    ['date: 2024-05-05T10:30:00', at(2024, 5, 5, 10, 30)],
    ['date: 2024-05-05T10:30:00.250', at(2024, 5, 5, 10, 30, 0, 250)],
    ['date: 2024-05-05T10:30:00+02:00', at(2024, 5, 5, 10, 30)], // the wall clock as written
    ['date: 2024-05-05T10:30:00-0700', at(2024, 5, 5, 10, 30)],
    ['date: 2024-05-05T10:30:00Z', at(2024, 5, 5, 10, 30)],
    ['date: 2024-05-05 10:30:00 +0200', at(2024, 5, 5, 10, 30)], // Jekyll
    ['date: 2024/05/05', day(2024, 5, 5)],
    ['date: "[[2024-05-05]]"', day(2024, 5, 5)], // a daily-note link
    ['Date: 2024-05-05', day(2024, 5, 5)],
    ['CREATED: 2024-05-05', day(2024, 5, 5)],
    ['created_at: 2024-05-05T08:00', at(2024, 5, 5, 8, 0)],
    ['creation_date: 2024-05-05', day(2024, 5, 5)],
    ['published: 2024-05-05', day(2024, 5, 5)],
    ['title: x\ntags: [a, b]\ncreated: 2024-05-05', day(2024, 5, 5)],
  ])('%s', (yaml, expected) => {
    expect(frontMatterDate(yaml, NOW)).toEqual(expected);
  });

  it('prefers date, then created, created_at, creation_date, published', () => {
    expect(frontMatterDate('published: 2020-01-01\ncreated: 2021-01-01\ndate: 2022-01-01', NOW)).toEqual(day(2022, 1, 1));
    expect(frontMatterDate('published: 2020-01-01\ncreation_date: 2021-01-01', NOW)).toEqual(day(2021, 1, 1));
    expect(frontMatterDate('date: not a date\ncreated: 2021-01-01', NOW)).toEqual(day(2021, 1, 1));
  });

  it('reads epoch seconds and milliseconds as instants, in this computer’s wall clock', () => {
    const instant = Date.UTC(2024, 4, 5, 10, 30);
    expect(frontMatterDate(`date: ${instant / 1000}`, NOW)).toEqual({ takenAt: wallClockOf(instant), day: false });
    expect(frontMatterDate(`date: ${instant}`, NOW)).toEqual({ takenAt: wallClockOf(instant), day: false });
    expect(frontMatterDate('date: 42', NOW)).toBeNull();
    expect(frontMatterDate('date: 2024', NOW)).toBeNull(); // a year alone
    expect(frontMatterDate(`date: ${Date.UTC(2040, 0, 1)}`, NOW)).toBeNull();
  });

  it('reads a Date as a wall-clock time written as UTC', () => {
    // What a YAML 1.1 timestamp becomes; front matter parsed elsewhere may hand one over.
    expect(frontMatterDate({ date: new Date(Date.UTC(2024, 4, 5)) }, NOW)).toEqual(day(2024, 5, 5));
    expect(frontMatterDate({ date: new Date(Date.UTC(2024, 4, 5, 10, 30)) }, NOW)).toEqual(at(2024, 5, 5, 10, 30));
  });

  it.each([
    '',
    'title: Lake',
    'date:',
    'date: null',
    'date: [2024-05-05]',
    'date: { y: 2024 }',
    'date: 2024-02-30',
    'date: 2024-05-05 25:00',
    'date: yesterday',
    'date: 1960-01-01',
    'modified: 2024-05-05', // not a creation date
    'date: 2024-05-05\ndate: 2024-05-06', // duplicate keys: either is fine, but never a throw
  ])('no date or no throw: %j', (yaml) => {
    const got = frontMatterDate(yaml, NOW);
    if (yaml.includes('\ndate:')) expect([day(2024, 5, 5), day(2024, 5, 6), null]).toContainEqual(got);
    else expect(got).toBeNull();
  });

  it('never throws on malformed YAML, and still finds a plain date line', () => {
    for (const bad of [': : :', 'date: "2024-05-05', '\t- [', 'a: *nope', 'x: &a [*a]', '{{{{', '---\n---', 'key: [unclosed\ndate: 2024-05-05']) {
      expect(() => frontMatterDate(bad, NOW)).not.toThrow();
    }
    expect(frontMatterDate('title: [unclosed\ndate: 2024-05-05', NOW)).toEqual(day(2024, 5, 5));
    expect(frontMatterDate('\ttitle: tabbed\ndate: 2024-05-05', NOW)).toEqual(day(2024, 5, 5));
  });
});

describe('pdfDate', () => {
  it.each([
    ['D:20240505103000+02\'00\'', at(2024, 5, 5, 10, 30)],
    ['D:20240505103000Z', at(2024, 5, 5, 10, 30)],
    ['D:20240505103000', at(2024, 5, 5, 10, 30)],
    ['D:202405051030', at(2024, 5, 5, 10, 30)],
    ['D:20240505', day(2024, 5, 5)],
    ['20240505103000', at(2024, 5, 5, 10, 30)],
  ])('%s', (value, expected) => {
    expect(pdfDate(value, NOW)).toEqual(expected);
  });
  it.each(['', 'D:', 'D:2024', 'D:202405', 'D:20241305', 'D:19000101', 'yesterday', 'D:20240505256100'])('no date in %j', (value) => {
    const got = pdfDate(value, NOW);
    if (value === 'D:20240505256100') expect(got).toEqual(day(2024, 5, 5));
    else expect(got).toBeNull();
  });
});

describe('wallClockOf', () => {
  it('writes an instant as this computer’s wall clock, as UTC', () => {
    const instant = Date.UTC(2024, 4, 5, 10, 30);
    const d = new Date(instant);
    expect(wallClockOf(instant)).toBe(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()));
  });
});

describe('chooseTime', () => {
  const mtime = Date.UTC(2025, 0, 2, 3, 4, 5);
  it('takes the extractor’s own time first', () => {
    expect(chooseTime({ takenAt: Date.UTC(2023, 0, 1, 9), source: 'exif' }, 'IMG_20240505_123456.jpg', mtime, NOW)).toEqual({
      takenAt: Date.UTC(2023, 0, 1, 9),
      timeSource: 'exif',
      timeDay: false,
    });
    expect(chooseTime({ takenAt: Date.UTC(2023, 0, 1), source: 'frontmatter', day: true }, '2024-05-05.md', mtime, NOW)).toEqual({
      takenAt: Date.UTC(2023, 0, 1),
      timeSource: 'frontmatter',
      timeDay: true,
    });
  });
  it('then the name, then the modification time', () => {
    expect(chooseTime(null, 'IMG_20240505_123456.jpg', mtime, NOW)).toEqual({ takenAt: Date.UTC(2024, 4, 5, 12, 34, 56), timeSource: 'filename', timeDay: false });
    expect(chooseTime({ takenAt: null, source: 'tags' }, '2024-05-05 Lake.m4a', mtime, NOW)).toEqual({ takenAt: Date.UTC(2024, 4, 5), timeSource: 'filename', timeDay: true });
    expect(chooseTime(null, 'Lake.md', mtime, NOW)).toEqual({ takenAt: wallClockOf(mtime), timeSource: 'mtime', timeDay: false });
  });
  it('passes over an own time that cannot be one', () => {
    expect(chooseTime({ takenAt: Date.UTC(1904, 0, 1), source: 'exif' }, 'IMG_20240505_123456.jpg', mtime, NOW).timeSource).toBe('filename');
    expect(chooseTime({ takenAt: Number.NaN, source: 'exif' }, 'a.jpg', mtime, NOW).timeSource).toBe('mtime');
    expect(chooseTime({ takenAt: Date.UTC(2099, 0, 1), source: 'exif' }, 'a.jpg', mtime, NOW).timeSource).toBe('mtime');
  });
});
