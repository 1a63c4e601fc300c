// Times for libraries indexed before migration 7, without re-indexing anything. [Note: item-times]
// Rows written before it have time_source NULL; taken_at was then EXIF (photos), the tags (recordings) or nothing.
// Each is settled by the same precedence as indexing (chooseTime): a photo's or a recording's taken_at is its own
// (exif, tags); a Markdown note's front matter is read again (its first 64 KB, through the link rule); else the name,
// else the file's mtime as the store has it. A PDF's CreationDate is not read again (that needs pdf.js): it is
// dated by name or mtime until the file changes. The vectors' taken_at follows in the same transaction, so date
// filters see the new times at once. Work goes in batches, one transaction each, with the event loop let go between.
import { extname } from 'node:path';
import type { Store } from '../store/index.js';
import type { UntimedItem } from '../store/items.js';
import { splitFrontMatter } from './chunk.js';
import { openConfined } from './confine.js';
import { decodeText } from './text.js';
import { chooseTime, frontMatterDate, type ChosenTime, type OwnTime } from './when.js';

/** How much of a note is read for its front matter (splitFrontMatter looks no further). */
const HEAD_BYTES = 64 * 1024;
/** Notes read at once (each reads at most HEAD_BYTES). */
const READS_AT_ONCE = 8;

export interface BackfillOptions {
  /** Items per transaction; the event loop runs between transactions. */
  readonly yieldEvery?: number;
  /** Stop between batches (the engine is closing); what is left is done at the next open. */
  readonly stopped?: () => boolean;
}

/** The front matter date of a Markdown note on disk; null when it has none or cannot be read now. */
async function noteOwnTime(item: UntimedItem): Promise<OwnTime | null> {
  const ext = extname(item.relPath).toLowerCase();
  if (ext !== '.md' && ext !== '.markdown') return null;
  try {
    const { handle } = await openConfined(item.rootPath, item.relPath);
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      let head = buffer.subarray(0, bytesRead);
      if (bytesRead === HEAD_BYTES) head = head.subarray(0, head.lastIndexOf(0x0a) + 1); // no character cut in two
      const { frontMatter } = splitFrontMatter(decodeText(head));
      const found = frontMatter !== null ? frontMatterDate(frontMatter) : null;
      return found ? { takenAt: found.takenAt, source: 'frontmatter', day: found.day } : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null; // gone, unreadable, a link that leads outside: the name or the mtime will do
  }
}

async function timeOf(item: UntimedItem): Promise<ChosenTime> {
  const own: OwnTime | null =
    item.kind === 'photo' ? { takenAt: item.takenAt, source: 'exif' } : item.kind === 'audio' ? { takenAt: item.takenAt, source: 'tags' } : await noteOwnTime(item);
  return chooseTime(own, item.relPath, item.mtime);
}

/**
 * Settles the time of every indexed item that has no time source (a library indexed before migration 7): items and
 * their vectors in every space. Returns the ids it changed. Safe to run while indexing: an item indexed meanwhile
 * already has its time and is left alone.
 */
export async function backfillTimes(store: Store, options: BackfillOptions = {}): Promise<number[]> {
  const batch = Math.max(1, Math.trunc(options.yieldEvery ?? 500));
  const changed: number[] = [];
  let after = 0;
  for (;;) {
    if (options.stopped?.()) break;
    const items = store.items.untimed(after, batch);
    const last = items.at(-1);
    if (last === undefined) break;
    after = last.id;
    const times: { id: number; time: ChosenTime }[] = [];
    for (let i = 0; i < items.length; i += READS_AT_ONCE) {
      const some = items.slice(i, i + READS_AT_ONCE);
      const settled = await Promise.all(some.map(timeOf));
      some.forEach((item, j) => times.push({ id: item.id, time: settled[j]! }));
    }
    store.transaction(() => {
      for (const { id, time } of times) {
        if (!store.items.fillTime(id, time)) continue;
        store.spaces.setTakenAt(id, time.takenAt);
        changed.push(id);
      }
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return changed;
}
