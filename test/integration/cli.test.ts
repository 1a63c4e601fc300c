// The `trove` command as a person runs it: through bin/trove.js, in a child process.
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { REPO, tempDir } from '../helpers.js';

const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args], {
      cwd: REPO,
      env: { ...process.env, TROVE_LOG: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('trove CLI', () => {
  const tmp = tempDir('cli');
  const lib = join(tmp.dir, 'library');
  const data = ['--data-dir', join(tmp.dir, 'data')];

  beforeAll(() => makeLibrary(lib));
  afterAll(() => tmp.cleanup());

  it('indexes, then answers search and related as JSON with scores', async () => {
    const index = await run(['index', lib, '--no-ocr', '--model', 'test/fixtures/packs/colours', ...data]);
    expect(index.code).toBe(0);
    expect(index.stdout).toMatch(/^Indexed 24 files .* 24 added/);
    expect(index.stderr).toBe(''); // no progress bar when not a terminal

    const search = await run(['search', 'red', '--kind', 'photo', '--json', ...data]);
    expect(search.code).toBe(0);
    const result = JSON.parse(search.stdout) as { hits: { item: { path: string; kind: string }; score: number }[] };
    expect(result.hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    expect(result.hits[0]!.score).toBeGreaterThan(0.9);
    expect(result.hits.every((h) => h.item.kind === 'photo')).toBe(true);

    const related = await run(['related', join(lib, LIBRARY.photos.red), '--json', ...data]);
    expect(related.code).toBe(0);
    const rel = JSON.parse(related.stdout) as { hits: { item: { path: string } }[] };
    expect(rel.hits[0]!.item.path).toBe(join(lib, LIBRARY.notes.red));
  });

  it('remembers the model, prints readable results and status', async () => {
    const search = await run(['search', 'blue', '--limit', '2', ...data]);
    expect(search.code).toBe(0);
    expect(search.stdout.split('\n')[0]).toMatch(/^1 {2}0\.9\d\d {2}(photo|note) /);
    const status = await run(['status', ...data]);
    expect(status.stdout).toMatch(/Model: fixture-colours/);
    expect(status.stdout).toMatch(/Items: 24 \(11 photos, 13 notes, 0 recordings\), 0 with errors/);
    const statusJson = JSON.parse((await run(['status', '--json', ...data])).stdout) as { counts: { photo: number } };
    expect(statusJson.counts.photo).toBe(11);
  });

  it('searches by a photo, says when nothing is close, and keeps to the query language', async () => {
    // A copy of the red photo outside the library: embedded for the search, found as its original.
    const outside = join(tmp.dir, 'query.jpg');
    copyFileSync(join(lib, LIBRARY.photos.red), outside);
    const byImage = JSON.parse((await run(['search', '--image', outside, '--kind', 'photo', '--json', ...data])).stdout) as { hits: { item: { path: string }; close: boolean }[] };
    expect(byImage.hits[0]!.item.path).toBe(join(lib, LIBRARY.photos.red));
    expect(byImage.hits[0]!.close).toBe(true);
    // An indexed photo is not its own match.
    const fromLibrary = JSON.parse((await run(['search', '--image', join(lib, LIBRARY.photos.red), '--json', ...data])).stdout) as { hits: { item: { path: string } }[] };
    expect(fromLibrary.hits.map((h) => h.item.path)).not.toContain(join(lib, LIBRARY.photos.red));
    expect((await run(['search', '--image', join(tmp.dir, 'none.jpg'), ...data])).stderr).toMatch(/^trove: no photo at /);

    const nothing = await run(['search', 'xyzzyqq', '--limit', '3', ...data]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout.split('\n').slice(0, 2)).toEqual(['No close matches for “xyzzyqq”.', '— no close matches; the nearest —']);
    const red = await run(['search', 'red', '--limit', '30', ...data]);
    expect(red.stdout).toMatch(/— more, not as close —/);
    expect(red.stdout.indexOf(LIBRARY.photos.red)).toBeLessThan(red.stdout.indexOf('— more, not as close —'));
  });

  it('lists near-duplicates, for a person and as JSON, and takes no arguments', async () => {
    const json = await run(['duplicates', '--json', ...data]);
    expect(json.code).toBe(0);
    const found = JSON.parse(json.stdout) as { photos: number; total: number; groups: { keep: number; members: { relation: string }[] }[] };
    expect(found.photos).toBeGreaterThan(5);
    expect(found.groups.length).toBe(found.total);
    for (const g of found.groups) expect(g.members[0]!.relation).toBe('keep');
    const text = await run(['duplicates', ...data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(found.total ? /groups? among \d+ photos\. Nothing was moved or deleted\./ : /^No near-duplicates among \d+ photos\./);
    const wrong = await run(['duplicates', 'extra', ...data]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/trove duplicates takes no arguments/);
  });

  it('fails with one clear line and a non-zero exit, never a stack trace', async () => {
    const cases: [string[], number, RegExp][] = [
      [['search', 'red', '--model', join(tmp.dir, 'no-such-pack'), ...data], 1, /^trove: no model pack folder at .*no-such-pack\n$/],
      [['search', ...data], 2, /^trove: .*say what to look for \(or --image <photo>\)\n$/],
      [['search', 'red', '--kind', 'video', ...data], 2, /^trove: --kind must be photo, note or audio/],
      [['related', join(tmp.dir, 'elsewhere.jpg'), ...data], 1, /^trove: .* is not inside a watched folder\n$/],
      [['index', join(tmp.dir, 'missing-folder'), ...data], 1, /^trove: .*missing-folder is not a folder\n$/],
      [['frobnicate'], 2, /^trove: unknown command "frobnicate"/],
      [['search', 'red', '--bogus'], 2, /^trove: Unknown option '--bogus'/],
    ];
    for (const [args, code, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
