// Bounds and reproduction for the property tests under test/unit/fuzz. [Note: fuzzing]
// Every property runs a fixed number of cases (so the suite's time is known) and stops early after a time limit
// (so a slow machine finishes it anyway; fast-check then reports the cases it ran, and the test passes). A
// failure names the seed and the path of the shrunk case and the command that runs exactly that case again:
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run <file> -t '<test name>'
// FC_SCALE multiplies every property's runs and time limit, for a longer session by hand (FC_SCALE=20).
import fc from 'fast-check';
import { expect } from 'vitest';

const int = (name: string): number | undefined => {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' || !Number.isFinite(Number(raw)) ? undefined : Number(raw);
};

const SEED = int('FC_SEED');
const PATH = process.env.FC_PATH?.trim() || undefined;
const SCALE = Math.max(0.01, int('FC_SCALE') ?? 1);

/** The time limit of one property unless it names its own, in ms. */
const DEFAULT_LIMIT_MS = 1_500;

export interface Bounds {
  /** Cases to run (times FC_SCALE). */
  readonly runs: number;
  /** Stop after this long, in ms (times FC_SCALE); the cases run so far must all have passed. */
  readonly limitMs?: number;
  /** An async property's case fails after this long, in ms: a hang becomes a failure with a seed. */
  readonly caseMs?: number;
}

/** fast-check's parameters for these bounds, with FC_SEED and FC_PATH when they are set. */
export function parameters<Ts>(bounds: Bounds): fc.Parameters<Ts> {
  return {
    numRuns: Math.max(1, Math.round(bounds.runs * SCALE)),
    interruptAfterTimeLimit: Math.round((bounds.limitMs ?? DEFAULT_LIMIT_MS) * SCALE),
    includeErrorInReport: true, // the failed expectation, in the report Vitest prints
    ...(bounds.caseMs !== undefined ? { timeout: bounds.caseMs } : {}),
    ...(SEED !== undefined ? { seed: SEED } : {}),
    ...(PATH !== undefined ? { path: PATH } : {}),
  };
}

/**
 * Checks a property within its bounds; on failure throws fast-check's report (counterexample, seed, path, the
 * error the case threw) followed by the command that replays the shrunk case.
 */
export async function holds<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, bounds: Bounds): Promise<void> {
  const details = await fc.check(property as fc.IRawProperty<Ts>, parameters<Ts>(bounds));
  if (details.interrupted && !details.failed) console.warn(`fuzz: time limit reached after ${details.numRuns} cases (seed ${details.seed})`);
  if (!details.failed) return;
  const report = (await fc.asyncDefaultReportMessage(details)) ?? 'the property failed';
  const { testPath, currentTestName } = expect.getState();
  const file = testPath ? testPath.slice(testPath.indexOf('test/')) : 'test/unit/fuzz';
  const name = (currentTestName ?? '').split(' > ').at(-1) ?? '';
  throw new Error(
    `${report}\n\nReplay the shrunk case: FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath ?? ''} npx vitest run ${file} -t '${name}'`,
  );
}
