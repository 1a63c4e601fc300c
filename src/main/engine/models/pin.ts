// Pinning a catalogue entry: resolve its source revision to a commit and record every file's size and sha256,
// from the Hugging Face API (large files: the LFS object id is the sha256; small files are fetched and hashed).
// Run on a machine with internet: `npm run models:pin [-- id…]`. [Note: catalogue]
import { createHash } from 'node:crypto';
import { EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';
import { TroveError } from '../../../shared/errors.js';
import { fileUrl } from './manager.js';
import type { CatalogueEntry, CatalogueFile } from './pack.js';

interface TreeEntry {
  type: string;
  path: string;
  size: number;
  lfs?: { oid: string; size: number };
}

async function getJson(url: string, dispatcher: Dispatcher): Promise<unknown> {
  const r = await fetch(url, { dispatcher, headers: { accept: 'application/json' } });
  if (!r.ok) throw new TroveError(r.status === 404 ? 'MODEL_NOT_FOUND' : 'NETWORK', `${url} answered ${r.status}`);
  return r.json();
}

export async function pinEntry(
  entry: CatalogueEntry,
  baseUrl: string,
  dispatcher: Dispatcher = new EnvHttpProxyAgent(),
): Promise<CatalogueEntry> {
  const base = baseUrl.replace(/\/+$/, '');
  const info = (await getJson(`${base}/api/models/${entry.source.repo}/revision/${encodeURIComponent(entry.source.revision)}`, dispatcher)) as { sha?: unknown };
  if (typeof info.sha !== 'string' || !/^[0-9a-f]{40}$/.test(info.sha)) throw new TroveError('NETWORK', `no commit for ${entry.source.repo}@${entry.source.revision}`);
  const commit = info.sha;
  const tree = (await getJson(`${base}/api/models/${entry.source.repo}/tree/${commit}?recursive=true`, dispatcher)) as TreeEntry[];
  const byPath = new Map(tree.filter((t) => t.type === 'file').map((t) => [t.path, t]));
  const files: CatalogueFile[] = [];
  for (const f of entry.files) {
    const t = byPath.get(f.path);
    if (!t) throw new TroveError('MODEL_NOT_FOUND', `${entry.source.repo}@${commit} has no ${f.path}`);
    if (t.lfs) {
      files.push({ path: f.path, size: t.lfs.size, sha256: t.lfs.oid });
      continue;
    }
    const r = await fetch(fileUrl(base, entry.source.repo, commit, f.path), { dispatcher });
    if (!r.ok) throw new TroveError('NETWORK', `${f.path} answered ${r.status}`);
    const bytes = Buffer.from(await r.arrayBuffer());
    files.push({ path: f.path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return { ...entry, revision: commit, source: { ...entry.source, revision: commit }, files, pinned: true };
}

/** The entry as it is written back to models/<id>.json. */
export function serialiseEntry(entry: CatalogueEntry): string {
  const { pinned: _pinned, ...json } = entry;
  return `${JSON.stringify(json, null, 2)}\n`;
}
