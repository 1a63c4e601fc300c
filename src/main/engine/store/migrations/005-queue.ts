import type { Migration } from './index.js';

// The indexing queue. [Note: queue]
// One row per file that an index run found new or changed and has not committed yet. A run writes its whole list
// here before embedding; each group's transaction deletes its rows with the items it writes, so a crash leaves
// exactly the unfinished files queued and the next run takes them first. Files the watcher reports while Trove
// runs are queued with a higher priority, so they jump ahead of a backfill (and survive a crash too).
export const queue: Migration = {
  version: 5,
  name: 'queue',
  sql: `
    CREATE TABLE queue (
      root_id   INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
      rel_path  TEXT NOT NULL,
      priority  INTEGER NOT NULL DEFAULT 0,
      queued_at INTEGER NOT NULL,
      PRIMARY KEY (root_id, rel_path)
    ) WITHOUT ROWID;
    CREATE INDEX queue_order ON queue(priority DESC, queued_at);
  `,
};
