// The seam between audio ingest and the speech model. [Note: speech]
// Ingest (ingest/audio.ts) decodes a recording to 16 kHz mono and hands it over one window (≤ 30 s) at a time;
// the speech pack (models/whisper.ts) turns a window into time-stamped transcript chunks. Long recordings are
// transcribed window after window, each starting where the last complete chunk ended, so memory stays bounded
// and no word is cut in two at a window's edge.

export const SPEECH_SAMPLE_RATE = 16_000;
/** Whisper's receptive field: one window of audio is at most this long. */
export const SPEECH_WINDOW_SECONDS = 30;

export interface TranscriptChunk {
  readonly start: number; // seconds from the start of the recording
  readonly end: number;
  readonly text: string;
}

export interface WindowTranscript {
  readonly chunks: readonly TranscriptChunk[];
  /**
   * How far into the window the transcript is complete, in seconds (0 < consumed ≤ window length). The next
   * window starts at `offset + consumed`: speech cut off at the window's end is transcribed again, whole.
   */
  readonly consumedSeconds: number;
  /** The language the model heard (ISO 639-1), when it says. */
  readonly language: string | null;
}

export interface Transcriber {
  /** The pack's identity, e.g. `whisper-base@<revision>`: a transcript is redone when it changes. */
  readonly id: string;
  /**
   * Transcribes one window: `pcm` is 16 kHz mono, at most SPEECH_WINDOW_SECONDS long; `offsetSeconds` is where the
   * window starts in the recording (the chunks' times include it). `isLast` says no audio follows, so the whole
   * window counts as consumed.
   */
  transcribe(pcm: Float32Array, offsetSeconds: number, isLast: boolean): Promise<WindowTranscript>;
  close(): Promise<void>;
}
