// How an index run cuts its work into groups and reads them: bounded in files, in what they hold, and in what is
// read at once. [Note: bounded-chunking] [Note: crash-retry]
import { describe, expect, it } from 'vitest';
import { groupWork, withinBudget } from '../../../src/main/engine/ingest/indexer.js';

describe('groupWork', () => {
  it('cuts at 16 files or 32 MB of weight, a heavier file alone, a suspect alone', () => {
    const MB = 1024 * 1024;
    const files = [...Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, w: MB })), { name: 'big', w: 40 * MB }, { name: 'n1', w: 10 * MB }, { name: 'n2', w: 10 * MB }, { name: 'n3', w: 20 * MB }];
    const groups = groupWork(files, (f) => f.w).map((g) => g.map((f) => f.name));
    expect(groups.map((g) => g.length)).toEqual([16, 4, 1, 2, 1]);
    expect(groups[2]).toEqual(['big']);
    const suspects = groupWork(files.slice(0, 6), (f) => f.w, (f) => f.name === 'p3').map((g) => g.map((f) => f.name));
    expect(suspects).toEqual([['p0', 'p1', 'p2'], ['p3'], ['p4', 'p5']]);
  });
});

describe('withinBudget', () => {
  it('runs as many at once as the budget allows, one alone when it costs more, and keeps the order of results', async () => {
    let now = 0;
    let most = 0;
    const costs = [10, 10, 10, 50, 5, 5, 100, 1];
    const results = await withinBudget(costs, (c) => c, 30, async (c) => {
      now += c;
      most = Math.max(most, now);
      await new Promise((r) => setTimeout(r, 1 + (c % 3)));
      now -= c;
      return c * 2;
    });
    expect(results).toEqual(costs.map((c) => c * 2));
    expect(most).toBeLessThanOrEqual(100); // the 100 ran alone; nothing else was over 30 together
    expect(await withinBudget([], () => 1, 1, async () => 0)).toEqual([]);
  });
});
