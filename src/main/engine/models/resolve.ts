// Which model pack to load: `--model` as a folder, or as the id of a pack in the data folder's models/.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { TroveError } from '../../../shared/errors.js';

/** The pack Trove uses when none was ever chosen (catalogued and downloaded by the model-runtime issue). */
export const DEFAULT_MODEL_ID = 'clip-vit-b32';

export function resolvePackDir(model: string, modelsDir: string, cwd = process.cwd()): string {
  const asPath = isAbsolute(model) ? model : resolve(cwd, model);
  const looksLikePath = model.includes('/') || model.includes('\\') || model.startsWith('.');
  if (existsSync(asPath) && statSync(asPath).isDirectory()) return asPath;
  if (looksLikePath) throw new TroveError('MODEL_NOT_FOUND', `no model pack folder at ${asPath}`);
  const installed = join(modelsDir, model);
  if (existsSync(installed) && statSync(installed).isDirectory()) return installed;
  throw new TroveError(
    'MODEL_NOT_FOUND',
    `model pack "${model}" is not installed in ${modelsDir}; put a pack folder there or pass --model <pack folder>`,
  );
}
