import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../../src/main/engine/ingest/progress.js';

describe('ProgressTracker', () => {
  it('reports counts, a rate over the recent window and the time left', () => {
    let now = 0;
    const p = new ProgressTracker(() => now);
    p.start('embedding', 100);
    expect(p.snapshot()).toMatchObject({ phase: 'embedding', done: 0, total: 100, ratePerSecond: 0, etaSeconds: null });
    for (let i = 0; i < 20; i++) {
      now += 500;
      p.finished(i !== 3);
    }
    p.working('photos/a.jpg');
    const s = p.snapshot();
    expect(s).toMatchObject({ done: 20, failed: 1, current: 'photos/a.jpg', ratePerSecond: 2 });
    expect(s.etaSeconds).toBe(40);
  });

  it('forgets completions older than the window, so the rate follows the present', () => {
    let now = 0;
    const p = new ProgressTracker(() => now);
    p.start('embedding', 1000);
    for (let i = 0; i < 100; i++) {
      now += 100;
      p.finished(true);
    } // 10 files/s for 10 s
    now += 40_000; // then nothing for 40 s
    p.finished(true);
    expect(p.snapshot().ratePerSecond).toBeCloseTo(1 / 30, 2);
  });

  it('says zero seconds left when done and nothing when idle', () => {
    let now = 0;
    const p = new ProgressTracker(() => now);
    p.start('embedding', 1);
    now = 1000;
    p.finished(true);
    expect(p.snapshot().etaSeconds).toBe(0);
    p.idle();
    expect(p.snapshot()).toMatchObject({ phase: 'idle', etaSeconds: null, current: null });
  });
});
