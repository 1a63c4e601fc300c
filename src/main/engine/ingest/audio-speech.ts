// Which speech pack transcribes recordings, and loading it. [Note: transcription]
// Unlike the joint-space pack, the speech pack is never downloaded behind the user's back: it is large, and
// recordings are indexed (title, duration, recording time, found by name) without it. Until it is there, status
// says how many recordings wait and the one command that fetches it; the next index run after it appears
// transcribes them.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ModelManager } from '../models/manager.js';
import type { Device } from '../models/session.js';
import type { Transcriber } from '../models/speech.js';
import { createTranscriber } from '../models/whisper.js';
import { DEFAULT_SPEECH_MODEL } from '../models/resolve.js';

export { DEFAULT_SPEECH_MODEL } from '../models/resolve.js';

export type SpeechChoice = { readonly dir: string; readonly problem?: undefined } | { readonly dir?: undefined; readonly problem: string };

const fetchIt = (id: string) => `trove models download ${id}`;

/** Where the speech pack is: a folder, or an installed pack's folder; otherwise why there is none. */
export function chooseSpeechPack(wanted: string, manager: ModelManager, cwd = process.cwd()): SpeechChoice {
  const asPath = isAbsolute(wanted) ? wanted : resolve(cwd, wanted);
  const looksLikePath = wanted.includes('/') || wanted.includes('\\') || wanted.startsWith('.');
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return { dir: asPath };
  if (looksLikePath) return { problem: `no speech pack folder at ${asPath}` };
  const installed = manager.installed(wanted);
  if (installed) return { dir: installed.path };
  if (manager.entry(wanted)) return { problem: `the speech model ${wanted} is not downloaded yet (${fetchIt(wanted)})` };
  return { problem: `no speech model "${wanted}": not a pack folder, an installed pack or in the catalogue (${fetchIt(DEFAULT_SPEECH_MODEL)})` };
}

/**
 * Loads the pack in a worker thread of its own (models/whisper.ts). Called only when a recording is to be
 * transcribed, so a library without recordings never loads a speech model.
 */
export async function openTranscriber(dir: string, options: { device: Device; threads?: number }): Promise<Transcriber> {
  return createTranscriber(dir, options);
}
