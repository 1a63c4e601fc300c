// Indexing progress: counts, a rate over the recent past and the time left. Pure apart from the injected clock.
import type { IndexProgress } from '../../../shared/types.js';

const WINDOW_MS = 30_000;

export class ProgressTracker {
  private phase: IndexProgress['phase'] = 'idle';
  private done = 0;
  private total = 0;
  private failed = 0;
  private current: string | null = null;
  private readonly finishedAt: number[] = [];
  private startedAt = 0;
  paused = false;
  /** Why the run cannot go on by itself right now (a full disk, another process indexing), for a person. */
  waiting: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  start(phase: IndexProgress['phase'], total: number): void {
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.failed = 0;
    this.current = null;
    this.finishedAt.length = 0;
    this.startedAt = this.now();
  }

  addTotal(n: number): void {
    this.total += n;
  }

  working(current: string | null): void {
    this.current = current;
  }

  finished(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    const t = this.now();
    this.finishedAt.push(t);
    while (this.finishedAt.length > 0 && this.finishedAt[0]! < t - WINDOW_MS) this.finishedAt.shift();
  }

  idle(): void {
    this.phase = 'idle';
    this.current = null;
  }

  snapshot(): IndexProgress {
    const t = this.now();
    const windowStart = Math.max(this.startedAt, t - WINDOW_MS);
    const span = (t - windowStart) / 1000;
    const recent = this.finishedAt.filter((x) => x >= windowStart).length;
    const rate = span > 0 ? recent / span : 0;
    const left = Math.max(0, this.total - this.done);
    return {
      phase: this.phase,
      done: this.done,
      total: this.total,
      failed: this.failed,
      ratePerSecond: Math.round(rate * 100) / 100,
      etaSeconds: this.phase === 'idle' ? null : left === 0 ? 0 : rate > 0 ? Math.ceil(left / rate) : null,
      current: this.current,
      paused: this.paused,
      waiting: this.waiting,
    };
  }
}
