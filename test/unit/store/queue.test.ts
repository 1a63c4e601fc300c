import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../../src/main/engine/store/index.js';
import { PRIORITY } from '../../../src/main/engine/store/queue.js';

describe('the indexing queue', () => {
  let store: Store;
  let rootId: number;

  beforeEach(() => {
    store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-queue-')), 'library.db'));
    rootId = store.roots.add('/photos', []).id;
  });

  const paths = () => store.queue.forRoot(rootId).map((q) => q.relPath);

  it('orders live changes first, then the oldest work, and keeps a file once', () => {
    store.queue.add(rootId, ['b.jpg', 'c.jpg'], PRIORITY.backfill, 100);
    store.queue.add(rootId, ['a.jpg'], PRIORITY.backfill, 200);
    store.queue.add(rootId, ['z.jpg'], PRIORITY.live, 300);
    store.queue.add(rootId, ['c.jpg'], PRIORITY.backfill, 400); // queued again: keeps its place
    expect(paths()).toEqual(['z.jpg', 'b.jpg', 'c.jpg', 'a.jpg']);
    store.queue.add(rootId, ['a.jpg'], PRIORITY.live, 500); // seen live: jumps ahead, never demoted after
    store.queue.add(rootId, ['a.jpg'], PRIORITY.backfill, 600);
    expect(store.queue.forRoot(rootId).map((q) => [q.relPath, q.priority])).toEqual([
      ['a.jpg', 1], // queued at 200, before z.jpg
      ['z.jpg', 1],
      ['b.jpg', 0],
      ['c.jpg', 0],
    ]);
    expect(store.queue.count()).toBe(4);
  });

  it('forgets a file when its work commits, drops stale rows after a full pass, and goes with its root', () => {
    store.queue.add(rootId, ['gone.jpg', 'kept.jpg'], PRIORITY.backfill, 100);
    store.transaction(() => store.queue.remove(rootId, 'kept.jpg'));
    store.queue.add(rootId, ['live.jpg'], PRIORITY.live, 300);
    store.queue.dropStale(rootId, 200); // a pass that began at 200 did not meet gone.jpg
    expect(paths()).toEqual(['live.jpg']);
    store.roots.remove(rootId);
    expect(store.queue.count()).toBe(0);
  });
});

describe('the indexing queue, a few rows', () => {
  it('gives the rows of the named files only', () => {
    const store = Store.open(join(mkdtempSync(join(tmpdir(), 'trove-queue-')), 'library.db'));
    const rootId = store.roots.add('/photos', []).id;
    store.queue.add(rootId, ['a.jpg', 'b.jpg', 'c.jpg'], PRIORITY.backfill, 1);
    store.queue.add(rootId, ['b.jpg'], PRIORITY.live, 2);
    expect(store.queue.some(rootId, ['b.jpg', 'x.jpg'])).toEqual([{ rootId, relPath: 'b.jpg', priority: PRIORITY.live, queuedAt: 1, attempts: 0 }]);
  });
});
