// Giving memory back at the engine's few known turns, where a long step is about to start.
// [Note: release-memory] V8 collects its old generation only when the heap has grown by a factor since the last
// collection, so after chunking and embedding many megabytes of text the main heap can hold 100 MB and more of
// garbage for a while (measured on /usr/share/doc at the OCR step's start: 162 MB used of 186 committed, and 35 of
// 79 after one full collection). A full collection at such a turn costs 20–60 ms once and keeps that garbage from
// adding to the peak of the step that follows. Node has no API for it without `--expose-gc`, which cannot be passed
// to the desktop app's engine or to `npx trove`; V8 can be told to expose the function once the process runs (as
// Jest does for `--logHeapUsage`).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/** A full garbage collection of this thread's heap, when V8 allows one; otherwise nothing. */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      const existing = (globalThis as { gc?: () => void }).gc;
      if (existing) collect = existing;
      else {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      }
    } catch {
      collect = null;
    }
  }
  collect?.();
}
