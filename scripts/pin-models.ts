// Pins the model catalogue: `npm run models:pin [-- id…]` (needs internet, or TROVE_MODEL_BASE_URL for a mirror).
// Resolves each entry's source revision to a commit and writes every file's size and sha256 into models/<id>.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_DIR, loadCatalogue } from '../src/main/engine/models/catalogue.js';
import { DEFAULT_BASE_URL } from '../src/main/engine/models/manager.js';
import { pinEntry, serialiseEntry } from '../src/main/engine/models/pin.js';

const wanted = process.argv.slice(2);
const base = process.env.TROVE_MODEL_BASE_URL ?? DEFAULT_BASE_URL;
for (const entry of loadCatalogue()) {
  if (wanted.length && !wanted.includes(entry.id)) continue;
  const pinned = await pinEntry(entry, base);
  writeFileSync(join(CATALOGUE_DIR, `${entry.id}.json`), serialiseEntry(pinned));
  const bytes = pinned.files.reduce((s, f) => s + (f.size ?? 0), 0);
  console.log(`${entry.id}: pinned at ${pinned.revision}, ${pinned.files.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
}
