// Search as you type: wait until the typing pauses (debounce), and let only the newest question's answer through
// (an older one that arrives late is dropped by its sequence number). [Note: ui-search]

export type Fresh<T> = { readonly current: true; readonly value: T } | { readonly current: false };

export interface Latest<A extends unknown[], T> {
  (...args: A): Promise<Fresh<T>>;
  /** Makes every call still on its way stale (the question was withdrawn). */
  invalidate(): void;
}

/**
 * Wraps an async function so each call gets a sequence number; a call resolves `{current: false}` when a later
 * call was made before it finished, so its answer is never shown. A current call's failure is thrown; a stale
 * one's is swallowed (nobody is waiting for it any more).
 */
export function latestOnly<A extends unknown[], T>(fn: (...args: A) => Promise<T>): Latest<A, T> {
  let seq = 0;
  const latest = (async (...args: A) => {
    const mine = ++seq;
    try {
      const value = await fn(...args);
      return mine === seq ? { current: true, value } : { current: false };
    } catch (error) {
      if (mine !== seq) return { current: false };
      throw error;
    }
  }) as Latest<A, T>;
  latest.invalidate = () => {
    seq++;
  };
  return latest;
}

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Runs a pending call now. */
  flush(): void;
  cancel(): void;
}

/** Calls `fn` with the last arguments once `ms` have passed without another call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  const debounced = ((...args: A) => {
    pending = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }) as Debounced<A>;
  debounced.flush = () => {
    if (timer !== null) clearTimeout(timer);
    run();
  };
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return debounced;
}
