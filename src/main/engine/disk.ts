// A full disk is a state to wait out, never a crash or a loss. [Note: disk-full]
// SQLite answers SQLITE_FULL and rolls the transaction back; the file system answers ENOSPC. Either way nothing
// that was committed is lost: the indexer keeps the group it was writing in memory, says the disk is full (progress
// `waiting`), and tries the write again every few seconds until it goes through.
import { statfs } from 'node:fs/promises';

/** Whether an error means the disk (or the database's quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
  return typeof e.message === 'string' && /database or disk is full|no space left on device/i.test(e.message);
}

/** What a person reads when the disk that holds the library is full. */
export function diskFullMessage(dataDir: string, free: number | null = null): string {
  const left = free === null ? '' : ` (${free < 1048576 ? `${Math.round(free / 1024)} KB` : `${Math.round(free / 1048576)} MB`} free)`;
  return `the disk that holds Trove's library (${dataDir}) is full${left}: free some space there; indexing waits and goes on by itself, nothing is lost`;
}

/** Free bytes on the disk of `dir` for an unprivileged writer, or null where the OS does not say. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
