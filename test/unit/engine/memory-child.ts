// Run by memory.test.ts in a process of its own, since the tuning is for the whole process and done once.
// `native <tune|default>`: blocks of 4 MB are made and three in four freed, leaving holes between the ones kept, as a
// step's buffers and tensors do; prints what the process held over its start after the blocks were made, after they
// were freed, and after releaseMemory.
// `heap <tune|default>`: groups of small objects are held while more is allocated (so they reach V8's old
// generation), then dropped, as a group of long notes' chunks are; prints the largest the heap grew.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectGarbage, releaseMemory, tuneMemory } from '../../../src/main/engine/memory.js';

const [scenario, mode] = process.argv.slice(2);
const tuning = mode === 'tune' ? tuneMemory() : null;

async function native() {
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
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
  return { made, freed, released, kept: kept.length };
}

function heap() {
  const stays = Array.from({ length: 100_000 }, (_, i) => `kept ${i}`.padEnd(60, '.'));
  let largest = 0;
  for (let round = 0; round < 40; round++) {
    const group: { text: string; start: number }[] = [];
    for (let i = 0; i < 60_000; i++) {
      group.push({ text: `${round}:${i}`.padEnd(100, 'x'), start: i });
      if (i % 100 === 0) for (let j = 0; j < 200; j++) void { j }; // short-lived garbage beside it
    }
    largest = Math.max(largest, process.memoryUsage().heapTotal);
    group.length = 0;
  }
  return { largestHeapMb: largest / 1048576, stays: stays.length };
}

console.log(JSON.stringify({ tuning, ...(scenario === 'heap' ? heap() : await native()) }));
