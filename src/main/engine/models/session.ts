// ONNX Runtime sessions: execution provider choice with fallback, explicit threads. [Note: providers]
// 'auto' tries the platform's GPU provider first (CUDA on Linux, DirectML on Windows, CoreML on macOS) and falls
// back to the CPU with the reason logged; 'gpu' insists on a GPU provider; 'cpu' never tries one.
// Threads are set explicitly per session (see defaultThreads), never left to ONNX Runtime's defaults: with an
// indexing worker, a query worker and an OCR worker in one process, defaults would oversubscribe the machine.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TroveError } from '../../../shared/errors.js';
import { createLogger } from '../log.js';

const log = createLogger('models/session');

export type Device = 'auto' | 'cpu' | 'gpu';

export interface SessionOptions {
  readonly device?: Device;
  readonly intraOpThreads?: number;
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly provider: string;
}

export function gpuProviders(platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'linux') return ['cuda'];
  if (platform === 'win32') return ['dml'];
  if (platform === 'darwin') return ['coreml'];
  return [];
}

/**
 * Whether a GPU provider can be tried at all. CUDA's provider library is not in the npm package (see
 * [Note: offline-install]); trying it when absent only makes ONNX Runtime print errors, so 'auto' skips it.
 */
export function providerInstalled(provider: string, platform: NodeJS.Platform = process.platform): boolean {
  if (provider !== 'cuda') return true;
  if (platform !== 'linux') return false;
  try {
    const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return existsSync(join(dirname(pkg), 'bin', 'napi-v6', 'linux', process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** Providers to try, in order. */
export function providerChain(
  device: Device,
  platform: NodeJS.Platform = process.platform,
  installed: (provider: string) => boolean = (p) => providerInstalled(p, platform),
): string[] {
  if (device === 'cpu') return ['cpu'];
  if (device === 'gpu') return gpuProviders(platform);
  return [...gpuProviders(platform).filter(installed), 'cpu'];
}

/**
 * Intra-op threads for indexing inference: one per core. Measured on 2 cores with 12 MP JPEGs (BENCHMARKS.md):
 * leaving a core to decoding reached 70% of the CPU bound, because inference then waits on one thread while
 * decoding does not fill the other; one thread per core reached 93%, decoding filling the gaps between runs.
 * Never more than the cores, which is what oversubscribes. The query worker uses one thread.
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, cores);
}

export async function openSession(file: string, options: SessionOptions = {}): Promise<OpenedSession> {
  const chain = providerChain(options.device ?? 'auto');
  if (chain.length === 0) throw new TroveError('MODEL_INVALID', `no GPU execution provider exists for ${process.platform}; use --device auto or cpu`);
  const reasons: string[] = [];
  for (const provider of chain) {
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        intraOpNumThreads: options.intraOpThreads ?? defaultThreads(),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      if (reasons.length) log.info(`using ${provider} for ${file}`, { fellBackFrom: reasons });
      return { session, provider };
    } catch (error) {
      const reason = `${provider}: ${(error as Error).message.split('\n')[0] ?? 'failed'}`;
      reasons.push(reason);
      log.info(`execution provider unavailable, trying the next`, { reason });
    }
  }
  throw new TroveError('MODEL_INVALID', `cannot open ${file} on any execution provider (${reasons.join('; ')})`);
}
