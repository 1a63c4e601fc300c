// Installed model packs: list, download (on first use or on request), verify, remove. [Note: catalogue]
// A pack downloads into `<models>/<id>.download/` and is renamed to `<models>/<id>/` only when every file is
// there and verified, with its trove-pack.json written last: a pack folder that exists is complete. Files of an
// interrupted download stay in the .download folder and resume next time. An unpinned catalogue entry (no
// sizes and checksums yet) records the sizes, checksums and source revision it actually received, so the
// installed pack is pinned from then on.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroveError } from '../../../shared/errors.js';
import type { InstalledModel, InstallGuide, ModelListing, ModelProgress } from '../../../shared/types.js';
import { defaultVariant, filesFor } from './catalogue.js';
import { Downloader, type DownloaderOptions } from './download.js';
import { DEFAULT_MODEL_ID, DEFAULT_SPEECH_MODEL } from './resolve.js';
import { loadPack, MANIFEST_FILE, sha256File, verifyPack, type CatalogueEntry, type PackFile, type PackManifest, type Variant } from './pack.js';

export const DEFAULT_BASE_URL = 'https://huggingface.co';

export interface ManagerOptions {
  readonly baseUrl?: string; // a Hugging Face mirror; TROVE_MODEL_BASE_URL overrides the default
  readonly downloader?: Omit<DownloaderOptions, 'onProgress'>;
}

export function fileUrl(baseUrl: string, repo: string, revision: string, path: string): string {
  const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${enc(repo)}/resolve/${encodeURIComponent(revision)}/${enc(path)}`;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

export class ModelManager {
  private readonly baseUrl: string;

  constructor(
    readonly modelsDir: string,
    readonly catalogue: readonly CatalogueEntry[],
    private readonly options: ManagerOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? process.env.TROVE_MODEL_BASE_URL ?? DEFAULT_BASE_URL;
  }

  entry(id: string): CatalogueEntry | undefined {
    return this.catalogue.find((e) => e.id === id);
  }

  dir(id: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new TroveError('INVALID_ARGUMENT', `"${id}" is not a model id`);
    return join(this.modelsDir, id);
  }

  installed(id: string): InstalledModel | null {
    const dir = this.dir(id);
    if (!existsSync(join(dir, MANIFEST_FILE))) return null;
    try {
      const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as PackManifest;
      return { id, title: m.title, licence: m.licence, dimensions: m.dimensions, revision: m.revision, variant: m.variant ?? null, path: dir, bytes: folderBytes(dir) };
    } catch {
      return null;
    }
  }

  private installedInfo(id: string): { task: 'embedding' | 'speech'; languages: string | null; languageCodes: readonly string[] | null } {
    try {
      const m = JSON.parse(readFileSync(join(this.dir(id), MANIFEST_FILE), 'utf8')) as PackManifest;
      const codes = Array.isArray(m.languageCodes) && m.languageCodes.every((c) => typeof c === 'string') ? m.languageCodes : null;
      return { task: m.task ?? 'embedding', languages: typeof m.languages === 'string' ? m.languages : null, languageCodes: codes };
    } catch {
      return { task: 'embedding', languages: null, languageCodes: null };
    }
  }

  list(): ModelListing[] {
    const listed: ModelListing[] = this.catalogue.map((e) => {
      const { files } = filesFor(e, defaultVariant(e, false));
      return {
        id: e.id,
        title: e.title,
        licence: e.licence,
        languages: e.languages ?? null,
        languageCodes: e.languageCodes ?? null,
        recommended: false,
        isDefault: e.id === DEFAULT_MODEL_ID || e.id === DEFAULT_SPEECH_MODEL,
        dimensions: e.dimensions,
        task: e.task ?? 'embedding',
        source: `${e.source.repo}@${e.source.revision}`,
        pinned: e.pinned,
        downloadBytes: e.pinned ? files.reduce((s, f) => s + (f.size ?? 0), 0) : null,
        installed: this.installed(e.id),
      };
    });
    if (existsSync(this.modelsDir)) {
      for (const name of readdirSync(this.modelsDir).sort()) {
        if (listed.some((l) => l.id === name) || name.endsWith('.download')) continue;
        const installed = this.installed(name);
        if (installed) {
          const { task, languages, languageCodes } = this.installedInfo(name);
          listed.push({ id: name, title: installed.title, licence: installed.licence, languages, languageCodes, recommended: false, isDefault: false, dimensions: installed.dimensions, task, source: null, pinned: true, downloadBytes: null, installed });
        }
      }
    }
    return listed;
  }

  /** Downloads a catalogue pack (resuming what an earlier attempt left) and installs it atomically. */
  async install(id: string, opts: { variant?: Variant; gpu?: boolean; onProgress?: (p: ModelProgress) => void; signal?: AbortSignal } = {}): Promise<InstalledModel> {
    const entry = this.entry(id);
    if (!entry) throw new TroveError('MODEL_NOT_FOUND', `no model "${id}" in the catalogue (trove models list)`);
    const variant = opts.variant ?? defaultVariant(entry, opts.gpu ?? false);
    const { files, towers } = filesFor(entry, variant);
    const staging = `${this.dir(id)}.download`;
    mkdirSync(staging, { recursive: true });
    const total = files.every((f) => f.size !== null) ? files.reduce((s, f) => s + f.size!, 0) : null;
    let done = 0;
    const started = Date.now();
    const downloaded: PackFile[] = [];
    let commit: string | null = null;
    for (const [i, f] of files.entries()) {
      const url = fileUrl(this.baseUrl, entry.source.repo, entry.source.revision, f.path);
      const dest = join(staging, ...f.path.split('/'));
      const downloader = new Downloader({
        ...this.options.downloader,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) => {
          const bytes = done + p.bytes;
          const seconds = (Date.now() - started) / 1000;
          opts.onProgress?.({ id, file: f.path, fileIndex: i + 1, files: files.length, bytes, total, ratePerSecond: seconds > 0 ? Math.round(bytes / seconds) : 0 });
        },
      });
      let result;
      if (existsSync(dest) && (f.size === null || statSync(dest).size === f.size)) {
        // Finished by an earlier attempt, or put there by hand on an offline machine; checksums are verified below.
        result = { size: statSync(dest).size, sha256: f.sha256 ?? (await sha256File(dest)), commit: null };
      } else {
        try {
          result = await downloader.download({ url, dest, size: f.size, sha256: f.sha256 });
        } catch (error) {
          if (error instanceof TroveError && error.code === 'NETWORK') throw this.offline(entry, files, error);
          throw error;
        }
      }
      commit ??= result.commit;
      done += result.size;
      downloaded.push({ path: f.path, size: result.size, sha256: result.sha256 });
    }
    const manifest: PackManifest = {
      format: 1,
      id: entry.id,
      // The space's identity: the pinned revision, or the commit the server reports it served.
      revision: entry.pinned ? entry.revision : (commit ?? entry.revision),
      title: entry.title,
      licence: entry.licence,
      ...(entry.languages ? { languages: entry.languages } : {}),
      ...(entry.languageCodes ? { languageCodes: entry.languageCodes } : {}),
      ...(entry.task ? { task: entry.task } : {}),
      dimensions: entry.dimensions,
      contextLength: entry.contextLength,
      towers,
      files: downloaded,
      source: { repo: entry.source.repo, revision: commit ?? entry.source.revision },
      variant,
    };
    await verifyPack(staging, manifest, 'full');
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const final = this.dir(id);
    rmSync(final, { recursive: true, force: true });
    renameSync(staging, final);
    return this.installed(id)!;
  }

  /** Re-hashes every file of an installed pack. */
  async verify(id: string): Promise<InstalledModel> {
    const installed = this.installed(id);
    if (!installed) throw new TroveError('MODEL_NOT_FOUND', `model "${id}" is not installed`);
    await loadPack(installed.path, 'full');
    return installed;
  }

  remove(id: string): boolean {
    const dir = this.dir(id);
    const existed = existsSync(dir) || existsSync(`${dir}.download`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.download`, { recursive: true, force: true });
    return existed;
  }

  /**
   * How to install a catalogue pack by hand on a machine that cannot download it: every file's address and size,
   * and the folder to put them in (keeping their sub-folders). The next download checks what is there against the
   * pinned sizes and checksums and fetches only what is missing, so a hand-made copy installs like a download.
   */
  guide(id: string, opts: { variant?: Variant; gpu?: boolean } = {}): InstallGuide {
    const entry = this.entry(id);
    if (!entry) throw new TroveError('MODEL_NOT_FOUND', `no model "${id}" in the catalogue (trove models list)`);
    const variant = opts.variant ?? defaultVariant(entry, opts.gpu ?? false);
    const { files } = filesFor(entry, variant);
    const listed = files.map((f) => ({ path: f.path, url: fileUrl(this.baseUrl, entry.source.repo, entry.source.revision, f.path), bytes: f.size }));
    return {
      id: entry.id,
      title: entry.title,
      variant,
      page: `${this.baseUrl.replace(/\/+$/, '')}/${entry.source.repo}/tree/${entry.source.revision}`,
      folder: `${this.dir(id)}.download`,
      files: listed,
      totalBytes: listed.every((f) => f.bytes !== null) ? listed.reduce((s, f) => s + f.bytes!, 0) : null,
    };
  }

  /** The one clear message for a machine that cannot download: what to fetch, and where to put it. */
  private offline(entry: CatalogueEntry, files: CatalogueEntry['files'], cause: TroveError): TroveError {
    const base = `${this.baseUrl}/${entry.source.repo}/tree/${entry.source.revision}`;
    return new TroveError(
      'NETWORK',
      `cannot download model "${entry.id}" (${cause.message}). Download ${files.map((f) => f.path).join(', ')} from ${base} ` +
        `into ${this.dir(entry.id)}.download/ (keeping their folders) and run again, or pass --model <pack folder>.`,
    );
  }
}
