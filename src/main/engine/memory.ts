// Giving memory back at the engine's few known turns, where a long step is about to start or has ended.
// [Note: release-memory] V8 collects its old generation only when the heap has grown by a factor since the last
// collection, so after chunking and embedding many megabytes of text the main heap can hold 100 MB and more of
// garbage for a while (measured on /usr/share/doc at the OCR step's start: 162 MB used of 186 committed, and 35 of
// 79 after one full collection). A full collection at such a turn costs 20–60 ms once and keeps that garbage from
// adding to the peak of the step that follows. Node has no API for it without `--expose-gc`, which cannot be passed
// to the desktop app's engine or to `npx trove`; V8 can be told to expose the function once the process runs (as
// Jest does for `--logHeapUsage`).
//
// [Note: native-allocator] Most of the engine's memory is not V8's: ONNX Runtime's arenas, sharp's pixels, SQLite,
// the buffers of files read. On Linux that is glibc's malloc, which keeps what is freed inside its heaps: over a
// `trove index` of /usr/share/doc, ~185 MB of the 465 MB the process held at the OCR step's start was free memory
// that `malloc_trim` handed back at once. Two things are asked of it, through koffi (a maintained FFI with prebuilt
// binaries for each platform; Node has no binding for either call):
// - at the engine's start, `mallopt(M_MMAP_THRESHOLD, 1 MiB)`: glibc serves blocks above the threshold with their
//   own mapping, returned whole when freed, but by default it raises the threshold to the size of each such block
//   freed (up to 32 MB), after which the 14–30 MB tensors and decoded pictures come from its heaps and stay.
//   Measured with `farm-bench -n 3` on /usr/share/doc: peak 599 → 540 MiB (BENCHMARKS.md, "The C allocator");
//   fewer arenas (`M_ARENA_MAX`) gave 577 alone and nothing more with the threshold.
// - at a turn, `malloc_trim(0)`: free pages inside glibc's heaps go back to the system (~0.1 ms). It lowers what
//   the engine holds between steps and after a run, not the peak (a step reuses free pages either way).
// Elsewhere (macOS, Windows, musl) the allocators return memory on their own terms and nothing is called.
import { createRequire } from 'node:module';
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

interface Glibc {
  mallopt(param: number, value: number): number;
  mallocTrim(pad: number): number;
}

const M_MMAP_THRESHOLD = -3; // glibc's <malloc.h>
/** Blocks from this size up get a mapping of their own, returned to the system when freed. */
export const MMAP_THRESHOLD = 1024 * 1024;

let glibc: Glibc | null | undefined;

/** glibc's allocator calls, or null where the C library is another (or koffi cannot load). */
function loadGlibc(): Glibc | null {
  if (glibc !== undefined) return glibc;
  glibc = null;
  if (process.platform !== 'linux') return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6'); // musl has no libc.so.6: nothing is tuned there
    glibc = { mallopt: libc.func('int mallopt(int param, int value)'), mallocTrim: libc.func('int malloc_trim(size_t pad)') };
  } catch {
    glibc = null;
  }
  return glibc;
}

export interface MemoryTuning {
  /** glibc's fixed mmap threshold in bytes, or null where it was left alone (not glibc, or set by the person). */
  readonly mmapThreshold: number | null;
  /** V8's heap growing percent. */
  readonly heapGrowingPercent: number;
}

/**
 * How far V8 lets the old generation grow past what survived its last full collection, in percent. [Note: heap-growth]
 * V8 picks a factor of its own, up to ×4 while a program allocates fast; the engine allocates fastest while it
 * chunks and embeds a group of long notes, whose chunks live until the group is written (so they reach the old
 * generation) and then all die at once. On /usr/share/doc the main heap then reached 182 MB committed with ~60 MB
 * alive, and that step, not OCR, became the process's peak. At ×1.5 it stays under ~120 MB: `farm-bench -n 3`,
 * peak 531 → 471 MiB, wall 67.8 → 66.9 s (25%: 469 MiB, 70.1 s); BENCHMARKS.md, "The C allocator".
 */
export const HEAP_GROWING_PERCENT = 50;

let tuning: MemoryTuning | undefined;

/**
 * Tunes the process's memory for the engine, once [Note: native-allocator] [Note: heap-growth]: glibc's mmap
 * threshold (left as it is where the person set one: `MALLOC_MMAP_THRESHOLD_`, `GLIBC_TUNABLES`) and V8's heap
 * growth (the engine's own setting: V8 cannot be asked what a flag was set to).
 */
export function tuneMemory(): MemoryTuning {
  if (tuning) return tuning;
  const thresholdSet = process.env.MALLOC_MMAP_THRESHOLD_ !== undefined || /mmap_threshold/.test(process.env.GLIBC_TUNABLES ?? '');
  const libc = thresholdSet ? null : loadGlibc();
  const tuned = libc !== null && libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) === 1;
  // V8 reads this flag at each full collection to set the next limit, so it holds for every isolate from here on.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  tuning = { mmapThreshold: tuned ? MMAP_THRESHOLD : null, heapGrowingPercent: HEAP_GROWING_PERCENT };
  return tuning;
}

/**
 * Memory back to the system at a turn of the engine [Note: release-memory] [Note: native-allocator]: a full
 * collection of this thread's heap, then glibc's free pages.
 */
export function releaseMemory(): void {
  collectGarbage();
  loadGlibc()?.mallocTrim(0);
}
