// A full disk is a state to wait out, never a crash or a loss. [Note: disk-full]
// SQLite answers SQLITE_FULL and rolls the transaction back; the file system answers ENOSPC. Either way nothing
// that was committed is lost: the indexer keeps the group it was writing in memory, says the disk is full (progress
// `waiting`), and tries the write again every few seconds until it goes through.
// SQLite does not always say "full": the -shm file (the WAL index) is grown by writing into it, and on a full disk
// that fails as SQLITE_IOERR_SHMSIZE, "disk I/O error" (opening a library whose -shm is not there yet, or a WAL
// past 4096 frames). An I/O error on a disk with next to no room left is taken for what it is: a full disk.
import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';

/** Below this many free bytes, an SQLite I/O error on the library's disk is a full disk (the -shm grows by 32 KB). */
const NEARLY_FULL = 1024 * 1024;

/**
 * Whether an error means the disk (or the database's quota) is full. With `dir`, the folder the failed write went
 * to, an SQLite I/O error there also counts when that disk has next to no room left.
 */
export function isDiskFull(error: unknown, dir?: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
  if (typeof e.message === 'string' && /database or disk is full|no space left on device|disk quota exceeded/i.test(e.message)) return true;
  if (dir === undefined || typeof e.code !== 'string' || !e.code.startsWith('SQLITE_IOERR')) return false;
  const free = freeBytesSync(dir);
  return free !== null && free < NEARLY_FULL;
}

/**
 * What a person reads when the disk that holds the library is full: where, how much is left, what to do, and what
 * happens next (`then`; by default what the indexer does).
 */
export function diskFullMessage(dataDir: string, free: number | null = null, then = 'indexing waits and goes on by itself, nothing is lost'): string {
  const left = free === null ? '' : ` (${free < 1048576 ? `${Math.round(free / 1024)} KB` : `${Math.round(free / 1048576)} MB`} free)`;
  return `the disk that holds Trove's library (${dataDir}) is full${left}: free some space there; ${then}`;
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

/** freeBytes, for the synchronous paths (opening the database). */
export function freeBytesSync(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/**
 * Runs a write; while the disk is full, says so through `say` and tries again with a growing pause (up to 5 s) until
 * it goes through, or `stopped` says to give up (the error is then thrown). `say(null)` once it went through after
 * waiting. A write refused for a full disk is rolled back whole by SQLite, so trying it again is safe.
 */
export async function untilRoom<T>(write: () => T, dir: string, say: (message: string | null) => void, stopped?: () => boolean): Promise<T> {
  let waited = false;
  for (let delay = 250; ; delay = Math.min(5000, delay * 2)) {
    try {
      const result = write();
      if (waited) say(null);
      return result;
    } catch (error) {
      if (!isDiskFull(error, dir) || stopped?.()) throw error;
      waited = true;
      say(diskFullMessage(dir, await freeBytes(dir)));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
