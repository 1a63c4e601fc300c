// The progress bar on a terminal: redraws one line on stderr at most ten times a second; silent when not a TTY.
import type { IndexProgress, ModelProgress } from '../../shared/types.js';
import { downloadLine, progressLine } from './format.js';

export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: IndexProgress): void {
    this.draw(p.done >= p.total, () => progressLine(p, this.stream.columns || 80));
  }

  download(p: ModelProgress): void {
    this.draw(p.total !== null && p.bytes >= p.total, () => downloadLine(p, this.stream.columns || 80));
  }

  private draw(final: boolean, line: () => string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && !final) return;
    this.last = now;
    this.stream.write(`\r\x1b[2K${line()}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
