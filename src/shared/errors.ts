// Error codes that cross the API boundary. [Note: errors-as-values]
// Every operation answers a Result (see result.ts); a failure carries one of these codes and a one-line message
// written for a person. Clients turn a failed Result back into a thrown TroveError.

export const ERROR_CODES = [
  'INVALID_ARGUMENT', // a request that does not make sense (empty query, limit out of range, unknown kind)
  'NOT_FOUND', // an item, root or path that Trove does not know
  'ROOT_NOT_FOUND', // a folder that does not exist on disk or is not a directory
  'ROOT_OVERLAPS', // a folder inside (or containing) a root that is already watched
  'MODEL_NOT_FOUND', // no model pack at that path or with that id
  'MODEL_INVALID', // a pack whose manifest, files or checksums are wrong
  'MODEL_MISMATCH', // a pack that cannot answer this request (no text tower, other embedding space)
  'NETWORK', // a download could not reach its server (offline, proxy, DNS) or the server failed
  'NO_INDEX', // a query before anything was indexed with any model
  'DB_TOO_NEW', // the database was written by a newer Trove
  'DB_CORRUPT', // the database cannot be opened or read
  'UNKNOWN_OPERATION', // a front door asked for an operation the contract does not have
  'UNAUTHORIZED', // a caller that did not prove who it is (browser mode: no valid token)
  'FORBIDDEN', // a caller that is not allowed (wrong sender, wrong origin, a path outside its folder)
  'DISK_FULL', // the disk holding the library is full: nothing was lost, work resumes once space is freed
  'INTERNAL', // a bug: the message says what failed, the log has the rest
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
}

export class TroveError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TroveError';
    this.code = code;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Any thrown value as an ErrorInfo: TroveErrors keep their code, anything else is INTERNAL. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof TroveError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  // SQLite's SQLITE_FULL and the file system's ENOSPC, from whichever layer met them. [Note: disk-full]
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /database or disk is full/i.test(message)) {
    return { code: 'DISK_FULL', message: 'the disk that holds Trove\'s library is full: free some space there and try again (nothing was lost)' };
  }
  return { code: 'INTERNAL', message };
}
