// [Note: native-allocator] [Note: heap-growth] What glibc keeps of freed memory, how far V8's heap grows, and what
// tuneMemory and releaseMemory change.
// Each case runs in a fresh process (memory-child.ts), since the tuning is for the whole process and once.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

interface Held {
  tuning: { mmapThreshold: number | null; heapGrowingPercent: number } | null;
  made: number;
  freed: number;
  released: number;
  kept: number;
}

function child(scenario: 'native' | 'heap', mode: 'tune' | 'default'): unknown {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, scenario, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}
const run = (mode: 'tune' | 'default') => child('native', mode) as Held;

// glibc is Linux's usual C library; where it is not (musl), nothing is tuned and the cases below do not apply.
const glibc = process.platform === 'linux' && Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

describe.runIf(glibc)('the C allocator (glibc)', () => {
  it('keeps freed blocks in its heaps by default, and releaseMemory gives them back', () => {
    const held = run('default');
    expect(held.tuning).toBeNull();
    expect(held.made).toBeGreaterThan(250); // 80 × 4 MB
    // 60 of the 80 blocks freed, 240 MB: most of it still held by the process…
    expect(held.freed - held.kept * 4).toBeGreaterThan(120);
    // …until malloc_trim: what is left is the 20 blocks kept (80 MB) and little else.
    expect(held.freed - held.released).toBeGreaterThan(120);
    expect(held.released).toBeLessThan(held.kept * 4 + 30);
  });

  it('with the engine tuning, blocks of a megabyte and more go back as soon as they are freed', () => {
    const held = run('tune');
    expect(held.tuning).toEqual({ mmapThreshold: 1024 * 1024, heapGrowingPercent: 50 });
    expect(held.made).toBeGreaterThan(250);
    expect(held.freed).toBeLessThan(held.kept * 4 + 30);
  });
});

describe('memory tuning (any platform)', () => {
  it("keeps V8's heap near what is alive when groups of objects die together", () => {
    const largest = (mode: 'tune' | 'default') => (child('heap', mode) as { largestHeapMb: number }).largestHeapMb;
    const [tuned, untuned] = [largest('tune'), largest('default')];
    // Measured: ~122 MB against ~214 MB.
    expect(tuned).toBeLessThan(untuned * 0.75);
  });

  it('tuning and releasing are safe to call anywhere, and the tuning is done once', async () => {
    const { releaseMemory, tuneMemory, HEAP_GROWING_PERCENT } = await import('../../../src/main/engine/memory.js');
    const first = tuneMemory();
    expect(tuneMemory()).toBe(first);
    expect(first.mmapThreshold !== null).toBe(glibc && process.env.MALLOC_MMAP_THRESHOLD_ === undefined);
    expect(first.heapGrowingPercent).toBe(HEAP_GROWING_PERCENT);
    expect(() => releaseMemory()).not.toThrow();
  });
});
