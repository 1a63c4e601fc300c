// Synchronous pieces of work run one per turn of the event loop, queries first. [Note: responsive]
import { describe, expect, it } from 'vitest';
import { inTurn, Slots } from '../../src/main/engine/turns.js';

describe('inTurn', () => {
  it('runs queries before queued indexing work, and everything in order within its kind', async () => {
    const order: string[] = [];
    const all = [inTurn(() => order.push('w1')), inTurn(() => order.push('w2')), inTurn(() => order.push('q1'), 'query'), inTurn(() => order.push('q2'), 'query')];
    await Promise.all(all);
    expect(order).toEqual(['q1', 'q2', 'w1', 'w2']);
  });

  it('lets the event loop run between two pieces', async () => {
    const order: string[] = [];
    const first = inTurn(() => {
      order.push('piece 1');
      setImmediate(() => order.push('something else that was waiting'));
    });
    const second = inTurn(() => order.push('piece 2'));
    await Promise.all([first, second]);
    expect(order).toEqual(['piece 1', 'something else that was waiting', 'piece 2']);
  });

  it('passes on what a piece returns or throws', async () => {
    await expect(inTurn(() => 42)).resolves.toBe(42);
    await expect(
      inTurn(() => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
  });
});

describe('inTurn under a stream of queries', () => {
  it('still runs indexing work: one piece after every four queries', async () => {
    const order: string[] = [];
    const all: Promise<unknown>[] = [inTurn(() => order.push('w1')), inTurn(() => order.push('w2'))];
    for (let i = 1; i <= 10; i++) all.push(inTurn(() => order.push(`q${i}`), 'query'));
    await Promise.all(all);
    expect(order).toEqual(['q1', 'q2', 'q3', 'q4', 'w1', 'q5', 'q6', 'q7', 'q8', 'w2', 'q9', 'q10']);
  });
});

describe('Slots', () => {
  it('runs at most its size at once, the rest in order', async () => {
    const slots = new Slots(2);
    let now = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        slots.run(async () => {
          now++;
          most = Math.max(most, now);
          order.push(n);
          await new Promise((r) => setTimeout(r, 5));
          now--;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });
});
