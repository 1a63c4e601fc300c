// Every item has a time, and says where it came from: a note's front matter, a PDF's CreationDate, a photo's EXIF, a
// recording's tags, a date in the name or a daily-note folder, else the file's mtime; date filters then cover notes
// too; a rename dates a file again by its new name; and a library indexed before migration 7 gets its times at open
// (backfillTimes) without re-indexing. [Note: item-times]
import { mkdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimeSource } from '../../src/shared/types.js';
import { Engine } from '../../src/main/engine/index.js';
import { backfillTimes } from '../../src/main/engine/ingest/backfill-times.js';
import { wallClockOf } from '../../src/main/engine/ingest/when.js';
import { NO_DATE, vecTable } from '../../src/main/engine/store/spaces.js';
import { makePdf } from '../fixtures/pdf.js';
import { wavBytes } from '../fixtures/make-speech.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';

/** A second of a tone as WAV, with a RIFF INFO creation date (ICRD) when given: what a recorder's tags hold. */
function recording(date?: string): Buffer {
  const wav = wavBytes(new Int16Array(16_000).map((_, i) => Math.round(8000 * Math.sin(i / 5))), 16_000);
  if (date === undefined) return wav;
  const text = Buffer.from(`${date}\0`);
  const icrd = Buffer.concat([Buffer.from('ICRD'), Buffer.alloc(4), text]);
  icrd.writeUInt32LE(text.length, 4);
  const list = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), Buffer.from('INFO'), icrd]);
  list.writeUInt32LE(4 + icrd.length, 4);
  const out = Buffer.concat([wav, list]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

async function photo(rgb: [number, number, number], taken?: string): Promise<Buffer> {
  let image = sharp({ create: { width: 96, height: 64, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg();
  if (taken) image = image.withExif({ IFD0: { DateTime: taken }, IFD2: { DateTimeOriginal: taken } });
  return image.toBuffer();
}

const PLAIN_MTIME = new Date(2024, 4, 8, 12, 0); // local noon: its wall clock is 2024-05-08 12:00 in any zone

interface Expected {
  readonly takenAt: number;
  readonly timeSource: TimeSource;
  readonly timeDay: boolean;
}

const EXPECTED: Readonly<Record<string, Expected>> = {
  'notes/trip.md': { takenAt: Date.UTC(2024, 4, 3, 9, 0), timeSource: 'frontmatter', timeDay: false },
  'notes/2024-05-05 Lake.md': { takenAt: Date.UTC(2024, 4, 5), timeSource: 'filename', timeDay: true },
  'journal/2024/05/06.md': { takenAt: Date.UTC(2024, 4, 6), timeSource: 'filename', timeDay: true },
  'notes/plain.md': { takenAt: Date.UTC(2024, 4, 8, 12, 0), timeSource: 'mtime', timeDay: false },
  'notes/report.pdf': { takenAt: Date.UTC(2024, 4, 10, 9, 0), timeSource: 'frontmatter', timeDay: false },
  'photos/camera.jpg': { takenAt: Date.UTC(2024, 4, 4, 10, 0), timeSource: 'exif', timeDay: false },
  'photos/IMG_20240505_123456.jpg': { takenAt: Date.UTC(2024, 4, 5, 12, 34, 56), timeSource: 'filename', timeDay: false },
  'audio/memo.wav': { takenAt: Date.UTC(2024, 4, 7, 8, 15), timeSource: 'tags', timeDay: false },
  'audio/Recording 2024-05-09 at 10.30.00.wav': { takenAt: Date.UTC(2024, 4, 9, 10, 30), timeSource: 'filename', timeDay: false },
};

describe('every item has a time', () => {
  const tmp = tempDir('item-times');
  const lib = join(tmp.dir, 'lib');
  const data = join(tmp.dir, 'data');
  let engine: Engine;
  const at = (rel: string) => join(lib, ...rel.split('/'));
  const write = (rel: string, bytes: string | Buffer) => {
    mkdirSync(dirname(at(rel)), { recursive: true });
    writeFileSync(at(rel), bytes);
  };
  const found = async (query: string) => (await engine.search({ query, limit: 100 })).hits.map((h) => h.item.relPath).sort();

  beforeAll(async () => {
    write('notes/trip.md', '---\ntitle: Boat trip\ndate: 2024-05-03 09:00\ntags: [sea]\n---\n# Boat trip\n\nA red boat on the lake.\n');
    write('notes/2024-05-05 Lake.md', '# Lake\n\nBlue water all afternoon.\n');
    write('journal/2024/05/06.md', 'Walked to the lake again; green hills.\n');
    write('notes/plain.md', '# Plain\n\nNo date anywhere in here.\n');
    utimesSync(at('notes/plain.md'), PLAIN_MTIME, PLAIN_MTIME);
    write('notes/report.pdf', makePdf([['A yellow report']], 'Report', { CreationDate: "D:20240510090000+02'00'" }));
    write('photos/camera.jpg', await photo([200, 30, 35], '2024:05:04 10:00:00'));
    write('photos/IMG_20240505_123456.jpg', await photo([30, 60, 200]));
    write('audio/memo.wav', recording('2024-05-07 08:15:00'));
    write('audio/Recording 2024-05-09 at 10.30.00.wav', recording());
    engine = Engine.open({ dataDir: data, model: COLOURS_PACK, ocr: false, speechModel: 'whisper-base' });
    await engine.addRoot({ path: lib });
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ added: Object.keys(EXPECTED).length, failed: 0 });
  });

  afterAll(async () => {
    await engine.close();
    tmp.cleanup();
  });

  it('dates each item by its own time, else its name or folders, else its mtime', async () => {
    for (const [rel, expected] of Object.entries(EXPECTED)) {
      const item = await engine.getItem({ path: at(rel) });
      expect({ takenAt: item.takenAt, timeSource: item.timeSource, timeDay: item.timeDay }, rel).toEqual(expected);
    }
    expect(wallClockOf(PLAIN_MTIME.getTime())).toBe(EXPECTED['notes/plain.md']!.takenAt);
  });

  it('gives every indexed item a time, in the items and in their vectors', () => {
    const db = engine.store.db;
    expect(db.prepare(`SELECT count(*) FROM items WHERE status = 'indexed' AND (taken_at IS NULL OR time_source IS NULL)`).pluck().get()).toBe(0);
    const space = engine.store.spaces.active()!;
    const undated = db.prepare(`SELECT count(*) FROM ${vecTable(space.id)} WHERE taken_at = ?`).pluck().get(NO_DATE);
    expect(undated).toBe(0);
  });

  it('lets date filters find notes, PDFs, photos and recordings alike', async () => {
    expect(await found('lake kind:note after:2024-05-05 before:2024-05-07')).toEqual(['journal/2024/05/06.md', 'notes/2024-05-05 Lake.md']);
    expect(await found('lake kind:note date:2024-05')).toEqual(['journal/2024/05/06.md', 'notes/2024-05-05 Lake.md', 'notes/plain.md', 'notes/report.pdf', 'notes/trip.md']);
    expect(await found('lake before:2024-05-05')).toEqual(['notes/trip.md', 'photos/camera.jpg']);
    expect(await found('lake date:2024-05-05')).toEqual(['notes/2024-05-05 Lake.md', 'photos/IMG_20240505_123456.jpg']);
    expect(await found('lake after:2024-05-07 kind:audio')).toEqual(['audio/Recording 2024-05-09 at 10.30.00.wav', 'audio/memo.wav']);
  });

  it('fills in the times of a library indexed before migration 7, items and vectors, without re-indexing', async () => {
    const db = engine.store.db;
    const space = engine.store.spaces.active()!;
    // What the earlier code wrote: only EXIF and tags gave a time, and nothing said where any time came from.
    const untimed = db
      .prepare(`SELECT id FROM items WHERE kind = 'note' OR rel_path IN ('photos/IMG_20240505_123456.jpg', 'audio/Recording 2024-05-09 at 10.30.00.wav')`)
      .pluck()
      .all() as number[];
    engine.store.transaction(() => {
      db.prepare('UPDATE items SET time_source = NULL, time_day = 0').run();
      for (const id of untimed) {
        db.prepare('UPDATE items SET taken_at = NULL WHERE id = ?').run(id);
        engine.store.spaces.setTakenAt(id, null);
      }
    });
    const segments = db.prepare('SELECT count(*) FROM segments').pluck().get();
    expect(await found('lake kind:note date:2024-05')).toEqual([]);

    const changed = await backfillTimes(engine.store, { yieldEvery: 2 });
    expect(changed.sort((a, b) => a - b)).toEqual((db.prepare(`SELECT id FROM items WHERE status = 'indexed' ORDER BY id`).pluck().all() as number[]));
    for (const [rel, expected] of Object.entries(EXPECTED)) {
      const item = await engine.getItem({ path: at(rel) });
      // A PDF's CreationDate needs pdf.js: until the file changes it is dated by its name or, here, its mtime.
      const want = rel.endsWith('.pdf') ? { takenAt: wallClockOf(item.mtime), timeSource: 'mtime', timeDay: false } : expected;
      expect({ takenAt: item.takenAt, timeSource: item.timeSource, timeDay: item.timeDay }, rel).toEqual(want);
    }
    expect(db.prepare(`SELECT count(*) FROM ${vecTable(space.id)} WHERE taken_at = ?`).pluck().get(NO_DATE)).toBe(0);
    expect(db.prepare('SELECT count(*) FROM segments').pluck().get()).toBe(segments); // nothing re-indexed
    expect(await found('lake kind:note after:2024-05-05 before:2024-05-07')).toEqual(['journal/2024/05/06.md', 'notes/2024-05-05 Lake.md']);
    expect(await found('lake date:2024-05-05')).toEqual(['notes/2024-05-05 Lake.md', 'photos/IMG_20240505_123456.jpg']);
    expect(await backfillTimes(engine.store)).toEqual([]); // done once
  });

  it('dates a renamed file by its new name when its time came from the old one, and keeps an own time', async () => {
    renameSync(at('photos/IMG_20240505_123456.jpg'), at('photos/IMG_20240601_080000.jpg'));
    renameSync(at('photos/camera.jpg'), at('photos/IMG_20240702_101010.jpg'));
    const summary = await engine.indexNow();
    expect(summary).toMatchObject({ moved: 2, added: 0, changed: 0 });
    const renamed = await engine.getItem({ path: at('photos/IMG_20240601_080000.jpg') });
    expect(renamed).toMatchObject({ takenAt: Date.UTC(2024, 5, 1, 8, 0), timeSource: 'filename', timeDay: false });
    const camera = await engine.getItem({ path: at('photos/IMG_20240702_101010.jpg') });
    expect(camera).toMatchObject({ takenAt: Date.UTC(2024, 4, 4, 10, 0), timeSource: 'exif' }); // EXIF outranks any name
    expect(await found('lake date:2024-06-01')).toEqual(['photos/IMG_20240601_080000.jpg']); // the vectors moved too
    expect(await found('lake date:2024-05-05')).toEqual(['notes/2024-05-05 Lake.md']);
  });
});
