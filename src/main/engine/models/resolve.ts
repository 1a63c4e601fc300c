// Which model pack to load: `--model` as a folder, or as the id of an installed or catalogued pack.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TroveError } from '../../../shared/errors.js';
import type { ModelManager } from './manager.js';

/** The pack Trove uses when none was ever chosen. */
export const DEFAULT_MODEL_ID = 'clip-vit-b32';
/** The speech pack Trove uses when none was chosen. */
export const DEFAULT_SPEECH_MODEL = 'whisper-base';

export type ModelChoice = { readonly kind: 'folder'; readonly dir: string } | { readonly kind: 'installed'; readonly dir: string } | { readonly kind: 'download'; readonly id: string };

/** A folder path is used as it is; an id is an installed pack, or a catalogue pack to download first. */
export function chooseModel(model: string, manager: ModelManager, cwd = process.cwd()): ModelChoice {
  const asPath = isAbsolute(model) ? model : resolve(cwd, model);
  const looksLikePath = model.includes('/') || model.includes('\\') || model.startsWith('.');
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return { kind: 'folder', dir: asPath };
  if (looksLikePath) throw new TroveError('MODEL_NOT_FOUND', `no model pack folder at ${asPath}`);
  const installed = manager.installed(model);
  if (installed) return { kind: 'installed', dir: installed.path };
  if (manager.entry(model)) return { kind: 'download', id: model };
  throw new TroveError(
    'MODEL_NOT_FOUND',
    `no model "${model}": it is neither a pack folder, an installed pack in ${manager.modelsDir}, nor in the catalogue (trove models list)`,
  );
}
