// One generic dispatcher and one generic client, shared by every transport. [Note: errors-as-values]
import { isOperationName, OPERATION_NAMES, type OperationName, type TroveApi } from './api.js';
import { TroveError } from './errors.js';
import { fail, ok, unwrap, type Result } from './result.js';
import { parseRequest } from './schemas.js';

/** Server side: run one named operation on an implementation, answering a Result whatever happens. */
export async function dispatch(api: TroveApi, op: unknown, req: unknown): Promise<Result<unknown>> {
  if (!isOperationName(op)) {
    return fail(new TroveError('UNKNOWN_OPERATION', `unknown operation: ${String(op).slice(0, 80)}`));
  }
  if (req === undefined || req === null) req = {};
  if (typeof req !== 'object' || Array.isArray(req)) {
    return fail(new TroveError('INVALID_ARGUMENT', `the request for ${op} must be an object`));
  }
  // Every request is parsed against its operation's schema before the implementation runs. [Note: requests]
  const parsed = parseRequest(op, req);
  if (!parsed.ok) return fail(new TroveError('INVALID_ARGUMENT', `${op}: ${parsed.message}`));
  try {
    const call = api[op] as (r: unknown) => Promise<unknown>;
    return ok(await call.call(api, parsed.value));
  } catch (error) {
    return fail(error);
  }
}

/**
 * The API of an implementation in this process, through the dispatcher: requests are validated exactly as they are
 * for the other front doors, and failures come back as TroveErrors. What the CLI holds.
 */
export function inProcess(api: TroveApi): TroveApi {
  return createClient((op, req) => dispatch(api, op, req));
}

/** A transport sends one operation and returns the Result the other side answered. */
export type Transport = (op: OperationName, req: unknown) => Promise<Result<unknown>>;

/** Client side: the whole API over a transport; failed Results are re-thrown as TroveErrors. */
export function createClient(transport: Transport): TroveApi {
  const client: Record<string, (req: unknown) => Promise<unknown>> = {};
  for (const op of OPERATION_NAMES) {
    client[op] = async (req: unknown) => unwrap(await transport(op, req ?? {}));
  }
  return client as unknown as TroveApi;
}
