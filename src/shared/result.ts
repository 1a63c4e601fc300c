import { TroveError, toErrorInfo, type ErrorInfo } from './errors.js';

/** What every operation answers across a boundary. [Note: errors-as-values] */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(error: unknown): Result<never> {
  return { ok: false, error: toErrorInfo(error) };
}

/** The client side: a failed Result becomes a thrown TroveError with the same code. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new TroveError(result.error.code, result.error.message);
}
