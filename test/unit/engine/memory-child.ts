// Run by memory.test.ts in a process of its own: 80 blocks of 4 MB are made and three in four freed, leaving holes
// between the ones kept, as a step's buffers and tensors do. Prints what the process held over its start after the
// blocks were made, after they were freed, and after releaseMemory. `tune` calls tuneAllocator first.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage, releaseMemory, tuneAllocator } from '../../../src/main/engine/memory.js';

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const tuning = process.argv[2] === 'tune' ? tuneAllocator() : null;

// One block larger than the rest, freed first: glibc's default raises its mmap threshold to its size, so blocks of
// the size below then come from its heaps.
Buffer.allocUnsafeSlow(8 << 20).fill(1); // dropped at once: freed by the next collection
collectGarbage();
await sleep(100); // V8 frees array buffers' memory off the thread that collected them
const start = rssMb();
let blocks: Buffer[] | null = Array.from({ length: 80 }, () => Buffer.allocUnsafeSlow(4 << 20).fill(2));
const made = rssMb() - start;
const kept = blocks.filter((_, i) => i % 4 === 3);
blocks = null;
collectGarbage();
await sleep(300);
collectGarbage();
const freed = rssMb() - start;
releaseMemory();
const released = rssMb() - start;
console.log(JSON.stringify({ tuning, made, freed, released, kept: kept.length }));
