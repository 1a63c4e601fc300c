// Transcripts of recordings: checkpoints while a transcription runs, the finished chunks after. [Note: transcription]
import type { TranscriptChunk } from '../models/speech.js';
import type { Db } from './db.js';

export interface TranscriptRow {
  readonly itemId: number;
  readonly hash: string;
  readonly model: string;
  readonly chunks: TranscriptChunk[];
  readonly doneSeconds: number;
  readonly complete: boolean;
  readonly language: string | null;
  readonly error: string | null;
}

/** A recording that waits for its transcript. */
export interface AudioWork {
  readonly id: number;
  readonly rootPath: string;
  readonly relPath: string;
  readonly hash: string;
  readonly takenAt: number | null;
  readonly durationMs: number | null;
  readonly bitrate: number | null;
}

interface Row {
  item_id: number;
  hash: string;
  model: string;
  chunks: string;
  done_ms: number;
  complete: number;
  language: string | null;
  error: string | null;
}

/** Chunks as stored: [startMs, endMs, text] triples (compact; a long recording has thousands). */
function encode(chunks: readonly TranscriptChunk[]): string {
  return JSON.stringify(chunks.map((c) => [Math.round(c.start * 1000), Math.round(c.end * 1000), c.text]));
}

function decode(json: string): TranscriptChunk[] {
  try {
    const rows = JSON.parse(json) as unknown;
    if (!Array.isArray(rows)) return [];
    return rows.flatMap((r) =>
      Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number' && typeof r[2] === 'string' ? [{ start: r[0] / 1000, end: r[1] / 1000, text: r[2] }] : [],
    );
  } catch {
    return [];
  }
}

export class TranscriptsRepo {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly needingStmt;
  private readonly countStmt;
  private readonly countAnyStmt;
  private readonly durationStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[number], Row>('SELECT * FROM transcripts WHERE item_id = ?');
    this.upsertStmt = db.prepare(
      `INSERT INTO transcripts (item_id, hash, model, chunks, done_ms, complete, language, error, updated_at)
       VALUES (@itemId, @hash, @model, @chunks, @doneMs, @complete, @language, @error, @now)
       ON CONFLICT (item_id) DO UPDATE SET
         hash = excluded.hash, model = excluded.model, chunks = excluded.chunks, done_ms = excluded.done_ms,
         complete = excluded.complete, language = excluded.language, error = excluded.error, updated_at = excluded.updated_at`,
    );
    // A recording waits when it has no finished transcript of its current version by this model (any model, when
    // none is loaded: then the count says how many would be transcribed once one is).
    const needing = `FROM items i JOIN roots r ON r.id = i.root_id
       WHERE i.kind = 'audio' AND i.status = 'indexed' AND r.present = 1 AND i.hash IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM transcripts t WHERE t.item_id = i.id AND t.complete = 1 AND t.hash = i.hash
                         AND (@model IS NULL OR t.model = @model))`;
    this.needingStmt = db.prepare<[{ model: string | null; limit: number }], AudioWork>(
      `SELECT i.id, r.path AS rootPath, i.rel_path AS relPath, i.hash, i.taken_at AS takenAt, i.duration_ms AS durationMs,
              json_extract(i.meta, '$.bitrate') AS bitrate
       ${needing} ORDER BY i.id LIMIT @limit`,
    );
    this.countStmt = db.prepare<[{ model: string | null }], { n: number }>(`SELECT count(*) AS n ${needing}`);
    this.countAnyStmt = db.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM items i JOIN roots r ON r.id = i.root_id WHERE i.kind = 'audio' AND i.status = 'indexed' AND r.present = 1`,
    );
    this.durationStmt = db.prepare<[number, number]>('UPDATE items SET duration_ms = ? WHERE id = ?');
  }

  get(itemId: number): TranscriptRow | undefined {
    const r = this.getStmt.get(itemId);
    return r && {
      itemId: r.item_id,
      hash: r.hash,
      model: r.model,
      chunks: decode(r.chunks),
      doneSeconds: r.done_ms / 1000,
      complete: r.complete === 1,
      language: r.language,
      error: r.error,
    };
  }

  /** The finished transcript of this version of a recording (by any model), if there is one. */
  finished(itemId: number, hash: string): TranscriptRow | undefined {
    const t = this.get(itemId);
    return t && t.complete && t.hash === hash ? t : undefined;
  }

  /** Saves how far a transcription got; never shown, only resumed from. */
  checkpoint(itemId: number, t: { hash: string; model: string; chunks: readonly TranscriptChunk[]; doneSeconds: number; language: string | null }): void {
    this.write(itemId, { ...t, complete: false, error: null });
  }

  /** Records a finished transcript (with the reason, when the recording could only be read in part). */
  complete(itemId: number, t: { hash: string; model: string; chunks: readonly TranscriptChunk[]; doneSeconds: number; language: string | null; error: string | null }): void {
    this.write(itemId, { ...t, complete: true });
  }

  private write(itemId: number, t: { hash: string; model: string; chunks: readonly TranscriptChunk[]; doneSeconds: number; language: string | null; complete: boolean; error: string | null }): void {
    this.upsertStmt.run({
      itemId,
      hash: t.hash,
      model: t.model,
      chunks: encode(t.chunks),
      doneMs: Math.round(t.doneSeconds * 1000),
      complete: t.complete ? 1 : 0,
      language: t.language,
      error: t.error,
      now: Date.now(),
    });
  }

  /** Recordings waiting for a transcript by `model` (null: by any model), oldest first. */
  needing(model: string | null, limit: number): AudioWork[] {
    return this.needingStmt.all({ model, limit });
  }

  countNeeding(model: string | null): number {
    return this.countStmt.get({ model })!.n;
  }

  /** Indexed recordings in present folders (whether it is worth loading a speech model at all). */
  countRecordings(): number {
    return this.countAnyStmt.get()!.n;
  }

  /** The length decoding found (a header may claim more than a truncated file holds). */
  setDuration(itemId: number, durationMs: number): void {
    this.durationStmt.run(durationMs, itemId);
  }
}
