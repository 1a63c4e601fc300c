import type { Migration } from './index.js';

// Transcripts of recordings. [Note: transcription]
// One row per recording: the version (content hash) and speech model it was transcribed with, the chunks so far
// as JSON, and how far it got. While `complete` is 0 the row is a checkpoint, never shown: a transcription cut
// short (a kill, a quit) goes on from `done_ms` with the chunks it has, so finished windows are not heard twice.
// When complete, the chunks are also the item's `transcript` segments; the row lets a new model's space embed
// them again without transcribing again, and says which recordings still wait.
export const transcripts: Migration = {
  version: 4,
  name: 'transcripts',
  sql: `
    CREATE TABLE transcripts (
      item_id    INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
      hash       TEXT NOT NULL,
      model      TEXT NOT NULL,
      chunks     TEXT NOT NULL DEFAULT '[]',
      done_ms    INTEGER NOT NULL DEFAULT 0,
      complete   INTEGER NOT NULL DEFAULT 0,
      language   TEXT,
      error      TEXT,
      updated_at INTEGER NOT NULL
    );
  `,
};
