// The progress bar on a terminal: redraws one line on stderr at most ten times a second; silent when not a TTY.
import type { IndexProgress } from '../../shared/types.js';
import { progressLine } from './format.js';

export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: IndexProgress): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && p.done < p.total) return;
    this.last = now;
    this.stream.write(`\r\x1b[2K${progressLine(p, this.stream.columns || 80)}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
