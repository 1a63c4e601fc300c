// The watcher: one watch per folder, files handed over only once they hold still, new folders followed,
// removed folders reported, and a fallback to polling when the system cannot watch that many folders.
import { appendFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchRoots, type WatchHandle } from '../../src/main/engine/ingest/watcher.js';
import type { Root } from '../../src/shared/types.js';
import { eventually, tempDir } from '../helpers.js';

const rootAt = (path: string): Root => ({ id: 1, path, ignore: ['*.tmp'], addedAt: 0, items: 0, errors: 0, present: true, ocr: false });

describe('watcher', () => {
  const tmp = tempDir('watcher');
  afterAll(() => tmp.cleanup());

  function start(dir: string, extra: { maxWatches?: number; pollMs?: number } = {}) {
    const changes: string[][] = [];
    const sizes = new Map<string, number>();
    const errors: string[] = [];
    let rescans = 0;
    const handle: WatchHandle = watchRoots([rootAt(dir)], {
      onChanges: (_root, paths) => {
        changes.push(paths);
        for (const p of paths) {
          try {
            sizes.set(p, statSync(join(dir, p)).size);
          } catch {
            sizes.set(p, -1);
          }
        }
      },
      onRescan: () => rescans++,
      onError: (e) => errors.push(e.message),
      debounceMs: 50,
      stabilityMs: 150,
      ...extra,
    });
    return { handle, changes, sizes, errors, rescans: () => rescans, seen: () => new Set(changes.flat()) };
  }

  it('reports a new file once, only after it stops growing', async () => {
    const dir = join(tmp.dir, 'a');
    mkdirSync(join(dir, 'photos'), { recursive: true });
    const w = start(dir);
    await w.handle.ready;
    const file = join(dir, 'photos/slow.jpg');
    writeFileSync(file, Buffer.alloc(1000));
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      appendFileSync(file, Buffer.alloc(1000));
    }
    await eventually(() => w.seen().has('photos/slow.jpg'), 'the file to be reported');
    expect(w.sizes.get('photos/slow.jpg')).toBe(7000); // never handed over half-written
    writeFileSync(join(dir, 'photos/.hidden.jpg'), 'x');
    writeFileSync(join(dir, 'photos/scratch.tmp'), 'x');
    await new Promise((r) => setTimeout(r, 500));
    expect(w.seen().has('photos/.hidden.jpg')).toBe(false);
    expect(w.seen().has('photos/scratch.tmp')).toBe(false);
    expect(w.handle.modes().get(1)).toBe('live');
    await w.handle.close();
  });

  it('follows a new folder, including files written into it before its watch existed, and reports one that goes', async () => {
    const dir = join(tmp.dir, 'b');
    mkdirSync(dir, { recursive: true });
    const w = start(dir);
    await w.handle.ready;
    mkdirSync(join(dir, 'trip/day1'), { recursive: true });
    writeFileSync(join(dir, 'trip/day1/IMG_1.jpg'), 'one');
    await eventually(() => w.seen().has('trip/day1/IMG_1.jpg'), 'the file in the new folder');
    writeFileSync(join(dir, 'trip/day1/IMG_2.jpg'), 'two'); // now the new folder itself is watched
    await eventually(() => w.seen().has('trip/day1/IMG_2.jpg'), 'a later file in the new folder');
    rmSync(join(dir, 'trip'), { recursive: true });
    await eventually(() => w.seen().has('trip'), 'the removed folder');
    expect(w.errors).toEqual([]);
    await w.handle.close();
  });

  it('falls back to polling, and says so, when there are more folders than it may watch', async () => {
    const dir = join(tmp.dir, 'c');
    for (const d of ['x', 'y', 'z']) mkdirSync(join(dir, d), { recursive: true });
    const w = start(dir, { maxWatches: 2, pollMs: 100 });
    await w.handle.ready;
    expect(w.handle.modes().get(1)).toBe('polling');
    expect(w.errors[0]).toMatch(/cannot watch this many folders; checking it for changes every 100 ms instead/);
    await eventually(() => w.rescans() >= 2, 'periodic rescans');
    await w.handle.close();
  });
});
