// Indexing work yields the CPU to queries: on Linux the indexing inference worker and the threads ONNX Runtime
// starts from it run at nice 10; the query worker and the engine's thread stay at 0. [Note: responsive]
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkerEncoder } from '../../src/main/engine/models/worker-encoder.js';
import { COLOURS_PACK } from '../helpers.js';

/** The nice value of each of this process's threads. */
function nices(): number[] {
  return readdirSync('/proc/self/task').flatMap((t) => {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // a thread that ended meanwhile
    }
  });
}

describe.skipIf(process.platform !== 'linux')('thread priorities', () => {
  it('runs the indexing worker below the query worker', async () => {
    const before = nices().filter((n) => n === 10).length;
    const encoder = await WorkerEncoder.open(COLOURS_PACK, { threads: 2 });
    try {
      await encoder.embedTexts(['red']);
      await encoder.embedQueries(['red']);
      const after = nices();
      expect(after.filter((n) => n === 10).length - before).toBeGreaterThanOrEqual(2); // the worker and its pool
      expect(after.filter((n) => n === 0).length).toBeGreaterThan(0); // this thread, the query worker
    } finally {
      await encoder.close();
    }
  });
});
