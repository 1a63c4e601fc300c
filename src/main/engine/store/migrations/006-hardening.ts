import type { Migration } from './index.js';

// What keeps one file, one link or a second process from taking a library down. [Note: crash-retry]
// [Note: symlinks] [Note: index-lock]
// - `queue.attempts`: how many times a run started on a queued file without committing it. A run marks its files
//   before it reads them; a file the process died on twice is recorded as an error and skipped (until it changes),
//   so no file can crash-loop a library.
// - `step_tries`: the same for the later, one-at-a-time steps of an item (OCR, transcription), per content hash.
// - `skipped`: paths a scan met and did not follow (a link that leads outside its watched folder), with the reason,
//   so status and the Library page can say why a file is not there.
// - `index_lock`: which process is indexing this library, so a second one waits for it instead of doing the same
//   work at the same time. Its heartbeat tells a live holder from one that died.
export const hardening: Migration = {
  version: 6,
  name: 'hardening',
  sql: `
    ALTER TABLE queue ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE step_tries (
      item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
      step    TEXT NOT NULL CHECK (step IN ('ocr', 'transcribe')),
      hash    TEXT NOT NULL,
      tries   INTEGER NOT NULL,
      PRIMARY KEY (item_id, step)
    ) WITHOUT ROWID;

    CREATE TABLE skipped (
      root_id  INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
      rel_path TEXT NOT NULL,
      reason   TEXT NOT NULL,
      seen_at  INTEGER NOT NULL,
      PRIMARY KEY (root_id, rel_path)
    ) WITHOUT ROWID;

    CREATE TABLE index_lock (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      pid     INTEGER NOT NULL,
      host    TEXT NOT NULL,
      token   TEXT NOT NULL,
      started INTEGER NOT NULL,
      beat    INTEGER NOT NULL
    );
  `,
};
