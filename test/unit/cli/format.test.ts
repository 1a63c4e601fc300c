import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatHits, formatStatus, formatSummary, progressLine } from '../../../src/main/cli/format.js';
import { bestPerItem, } from '../../../src/main/engine/search/hits.js';
import { combineKinds } from '../../../src/main/engine/search/search.js';
import type { Hit, IndexStatus } from '../../../src/shared/types.js';

const hit = (id: number, kind: 'photo' | 'note', score: number, text: string | null, breadcrumb: string[] = [], close = true): Hit => ({
  item: { id, rootId: 1, path: `/lib/${id}`, relPath: `${id}`, kind, title: `${id}`, size: 1, mtime: 1, takenAt: null, status: 'indexed', error: null },
  score,
  close,
  match: { score, lexical: false, passage: text === null ? null : { text: text.replace(/\s+/g, ' '), marks: [] }, segment: { id, kind: text === null ? 'image' : 'text', ordinal: 0, text, breadcrumb, start: 0, end: 1 } },
});

describe('CLI formatting', () => {
  it('prints ranked hits with scores and why notes matched', () => {
    const out = formatHits([hit(1, 'photo', 0.98765, null), hit(2, 'note', 0.5, 'The sea was\n blue.', ['Holiday', 'Day 1'])], '/lib');
    expect(out).toBe('1  0.988  photo  1\n2  0.500  note   2\n                 Holiday › Day 1: “The sea was blue.”');
    expect(formatHits([])).toBe('No matches.');
  });

  it('prints the close matches, then the rest under a line, and the engine\'s notice', () => {
    const out = formatHits([hit(1, 'photo', 0.9, null), hit(2, 'photo', 0.2, null, [], false)], '/lib');
    expect(out).toBe('1  0.900  photo  1\n— more, not as close —\n2  0.200  photo  2');
    const none = formatHits([hit(2, 'photo', 0.2, null, [], false)], '/lib', 'meaning', { notice: 'No close matches for “xyzzyqq”.' });
    expect(none).toBe('No close matches for “xyzzyqq”.\n— no close matches; the nearest —\n1  0.200  photo  2');
  });

  it('shows the part of a passage that holds the marked words, in bold on a terminal', () => {
    const long = `${'lorem ipsum '.repeat(20)}the lighthouse keeper ${'dolor sit '.repeat(20)}`.trim();
    const at = long.indexOf('lighthouse');
    const h: Hit = { ...hit(4, 'note', 0.5, long), match: { ...hit(4, 'note', 0.5, long).match, passage: { text: long, marks: [[at, at + 10]] } } };
    const line = formatHits([h], '/lib', 'meaning', { bold: true }).split('\n')[1]!;
    expect(line).toContain('\x1b[1mlighthouse\x1b[22m');
    expect(line).toMatch(/“….*…”$/);
  });

  it('summarises an index run', () => {
    expect(formatSummary({ scanned: 3, added: 2, changed: 0, reembedded: 0, moved: 0, unchanged: 1, removed: 0, failed: 1, ocr: 0, transcribed: 0, embedded: { images: 1, texts: 1 }, seconds: 1.25 }))
      .toBe('Indexed 3 files in 1.3 s: 2 added, 0 changed, 1 unchanged, 0 removed, 1 failed (trove status --errors); embedded 1 image and 1 text chunk.');
    expect(formatSummary({ scanned: 2, added: 2, changed: 0, reembedded: 0, moved: 0, unchanged: 0, removed: 0, failed: 0, ocr: 0, transcribed: 2, embedded: { images: 0, texts: 9 }, seconds: 4 }))
      .toContain('0 removed, 2 recordings transcribed; embedded 0 images and 9 text chunks.');
  });

  it('says when a hit is a line said in a recording', () => {
    const said: Hit = { ...hit(3, 'note', 0.4, 'the tide comes in at noon'), item: { ...hit(3, 'note', 0.4, null).item, kind: 'audio' } };
    const atTime = { ...said, match: { ...said.match, segment: { ...said.match.segment, kind: 'transcript' as const, start: 83_400, end: 86_000 } } };
    expect(formatHits([atTime], '/lib')).toBe('1  0.400  audio  3\n                 at 1:23: “the tide comes in at noon”');
    expect([formatClock(7_900), formatClock(754_000), formatClock(3_723_000)]).toEqual(['0:07', '12:34', '1:02:03']);
  });

  it('says how many recordings wait for a transcript, and why', () => {
    const status: IndexStatus = {
      progress: { phase: 'idle', done: 0, total: 0, failed: 0, ratePerSecond: 0, etaSeconds: null, current: null, paused: false, waiting: null },
      nearest: { state: 'building', done: 1200, total: 50_000 },
      pendingChanges: 0,
      ocrPending: 0,
      transcriptionPending: 3,
      transcriptionBlocked: 'the speech model whisper-base is not downloaded yet (trove models download whisper-base)',
      queued: 0,
      queuedWhy: null,
      skipped: 0,
      linking: 0,
      collections: 0,
      roots: [],
      counts: { photo: 0, note: 0, audio: 3 },
      errors: 0,
      spaces: [],
      model: null,
    };
    expect(formatStatus(status)).toContain(
      'Transcripts: 3 recordings wait for a speech model: the speech model whisper-base is not downloaded yet (trove models download whisper-base)',
    );
    expect(formatStatus({ ...status, transcriptionPending: 1, transcriptionBlocked: null })).toContain('Transcripts: 1 recording still to transcribe');
    expect(formatStatus({ ...status, transcriptionPending: 0, transcriptionBlocked: null })).not.toContain('Transcripts');
    expect(formatStatus(status)).toContain('Search index: building, 1200 of 50000 vectors (searches are exact until it is done)');
    expect(formatStatus({ ...status, nearest: { state: 'exact', done: 0, total: 0 } })).not.toContain('Search index');
  });

  it('says what waits in the queue and why, what was skipped, and why indexing waits', () => {
    const status: IndexStatus = {
      progress: { phase: 'embedding', done: 3, total: 9, failed: 0, ratePerSecond: 1, etaSeconds: 6, current: null, paused: false, waiting: 'the disk that holds Trove\'s library (/d) is full' },
      nearest: { state: 'exact', done: 0, total: 0 },
      pendingChanges: 0,
      ocrPending: 0,
      transcriptionPending: 0,
      transcriptionBlocked: null,
      queued: 109,
      queuedWhy: 'another Trove process (pid 42) is indexing this library',
      skipped: 2,
      linking: 0,
      collections: 3,
      roots: [{ id: 1, path: '/notes', addedAt: 0, ignore: ['*.log', 'drafts/**'], items: 3, errors: 0, present: true, ocr: true }],
      counts: { photo: 0, note: 3, audio: 0 },
      errors: 0,
      spaces: [],
      model: null,
    };
    const text = formatStatus(status);
    expect(text).toContain('Queue: 109 files to index: another Trove process (pid 42) is indexing this library');
    expect(text).toContain('Skipped: 2 paths not followed');
    expect(text).toContain('ignoring *.log, drafts/**');
    expect(text).toContain("Waiting: the disk that holds Trove's library (/d) is full");
    expect(formatStatus({ ...status, queued: 0, queuedWhy: null, skipped: 0 })).not.toMatch(/Queue|Skipped/);
  });

  it('draws a progress line that fits the terminal', () => {
    const p = { phase: 'embedding' as const, done: 50, total: 200, failed: 2, ratePerSecond: 12.5, etaSeconds: 12, current: 'photos/a-very-long-name.jpg', paused: false, waiting: null };
    const line = progressLine(p, 80);
    expect(line).toMatch(/^\[#+-+\] 50\/200 12\.5\/s 12s left 2 failed photos\//);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(progressLine(p, 40).length).toBeLessThanOrEqual(40);
    expect(progressLine({ ...p, phase: 'scanning' }, 80)).toBe('Scanning…');
    expect(progressLine({ ...p, phase: 'transcribing', total: 4, done: 1 }, 80)).toMatch(/^Transcribing \[/);
  });

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(3 * 3600 + 7 * 60)]).toEqual(['5s', '2m05s', '3h07m']);
  });
});

describe('ranking helpers', () => {
  it('keeps the best segment per item', () => {
    const ranked = bestPerItem(
      [
        { segmentId: 1, itemId: 10, score: 0.5 },
        { segmentId: 2, itemId: 11, score: 0.7 },
        { segmentId: 3, itemId: 10, score: 0.9 },
      ],
      5,
    );
    expect(ranked).toEqual([
      { segmentId: 3, itemId: 10, score: 0.9 },
      { segmentId: 2, itemId: 11, score: 0.7 },
    ]);
    expect(bestPerItem([{ segmentId: 1, itemId: 1, score: 1 }, { segmentId: 2, itemId: 2, score: 0.5 }], 1)).toHaveLength(1);
  });
  it('narrows kinds from the request and the query', () => {
    expect(combineKinds(undefined, [])).toBeNull();
    expect(combineKinds(['photo'], [])).toEqual(['photo']);
    expect(combineKinds(undefined, ['note'])).toEqual(['note']);
    expect(combineKinds(['photo', 'note'], ['note', 'audio'])).toEqual(['note']);
    expect(combineKinds(['photo'], ['note'])).toEqual([]);
  });
});
