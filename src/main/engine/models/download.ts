// Downloading one file: resumable, verified, atomic, with progress. [Note: downloads]
// Bytes go to `<dest>.part`; an interrupted transfer resumes from the part's length with an HTTP Range request
// (a server that ignores Range restarts the file). The sha256 is computed while the bytes stream, including the
// bytes already in the part. Only when size and sha256 match is the part renamed over the destination, so a
// half-written or corrupted file is never loaded. A checksum mismatch discards the part and fetches the file
// once more from the start; a second mismatch is an error. Proxies come from HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY (undici's EnvHttpProxyAgent). Transient failures (connection reset, 5xx, 429) are retried with backoff.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';
import { TroveError } from '../../../shared/errors.js';

export interface RemoteFile {
  readonly url: string;
  readonly dest: string; // absolute path of the finished file
  readonly size: number | null; // expected bytes, when known
  readonly sha256: string | null; // expected hex digest, when known
}

export interface TransferProgress {
  readonly url: string;
  readonly bytes: number; // of this file, resumed bytes included
  readonly total: number | null;
}

export interface DownloadResult {
  readonly size: number;
  readonly sha256: string;
  readonly resumedFrom: number; // bytes that were already there
  readonly commit: string | null; // the source revision the server says it served (Hugging Face: X-Repo-Commit)
}

export interface DownloaderOptions {
  readonly dispatcher?: Dispatcher;
  readonly retries?: number; // transient failures per file, default 4
  readonly backoffMs?: number; // first retry delay, doubled each time, default 500
  readonly onProgress?: (p: TransferProgress) => void;
  readonly signal?: AbortSignal;
  readonly userAgent?: string;
}

class Transient extends Error {}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

function causeCode(error: unknown): string | undefined {
  let e = error as { code?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

export class Downloader {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: DownloaderOptions = {}) {
    this.dispatcher = options.dispatcher ?? new EnvHttpProxyAgent();
  }

  async download(file: RemoteFile): Promise<DownloadResult> {
    mkdirSync(dirname(file.dest), { recursive: true });
    const part = `${file.dest}.part`;
    let mismatches = 0;
    let attempt = 0;
    const retries = this.options.retries ?? 4;
    for (;;) {
      try {
        const result = await this.transfer(file, part);
        if (file.sha256 !== null && result.sha256 !== file.sha256) {
          rmSync(part, { force: true });
          if (++mismatches >= 2) {
            throw new TroveError('MODEL_INVALID', `${file.url} does not match its sha256 after two downloads (corrupted at the source?)`);
          }
          continue; // fetch again from the start
        }
        renameSync(part, file.dest);
        return result;
      } catch (error) {
        if (!(error instanceof Transient) || attempt >= retries || this.options.signal?.aborted) {
          if (error instanceof Transient) throw new TroveError('NETWORK', `${file.url}: ${error.message} (gave up after ${attempt + 1} tries)`);
          throw error;
        }
        const delay = (this.options.backoffMs ?? 500) * 2 ** attempt++;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** One HTTP exchange, resuming from the part file. */
  private async transfer(file: RemoteFile, part: string): Promise<DownloadResult> {
    let offset = existsSync(part) ? statSync(part).size : 0;
    if (file.size !== null && offset > file.size) {
      truncateSync(part, 0);
      offset = 0;
    }
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'trove' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let response;
    try {
      response = await fetch(file.url, { headers, dispatcher: this.dispatcher, ...(this.options.signal ? { signal: this.options.signal } : {}) });
    } catch (error) {
      const code = causeCode(error);
      if (code && OFFLINE_CODES.has(code)) {
        throw new TroveError('NETWORK', `cannot reach ${new URL(file.url).host} (${code}): offline or blocked by a proxy?`);
      }
      throw new Transient((error as Error).message);
    }
    if (response.status === 404 || response.status === 410) {
      throw new TroveError('MODEL_NOT_FOUND', `${file.url} answered ${response.status} ${response.statusText || 'Not Found'}`);
    }
    if (response.status === 416 && offset > 0) {
      // The part already holds every byte (or the server disagrees about the length): start over to be sure.
      await response.body?.cancel();
      truncateSync(part, 0);
      throw new Transient('range not satisfiable, restarting');
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new Transient(`server answered ${response.status}`);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new TroveError('NETWORK', `${file.url} answered ${response.status} ${response.statusText}`);
    }
    const hash = createHash('sha256');
    let resumedFrom = 0;
    if (response.status === 206) {
      const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        await response.body?.cancel();
        truncateSync(part, 0);
        throw new Transient('the server resumed at the wrong place, restarting');
      }
      await hashExisting(part, hash);
      resumedFrom = offset;
    } else if (offset > 0) {
      truncateSync(part, 0); // the server ignored the Range request: the body is the whole file
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    const total = file.size ?? (Number.isFinite(length) ? resumedFrom + length : null);
    let bytes = resumedFrom;
    const out = createWriteStream(part, { flags: resumedFrom > 0 ? 'a' : 'w' });
    const finished = new Promise<void>((resolve, reject) => {
      out.on('finish', resolve);
      out.on('error', reject);
    });
    try {
      if (!response.body) throw new Transient('empty response');
      for await (const chunk of response.body) {
        const buf = chunk as Uint8Array;
        hash.update(buf);
        bytes += buf.length;
        if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
        this.options.onProgress?.({ url: file.url, bytes, total });
      }
    } catch (error) {
      out.end();
      await finished.catch(() => undefined);
      if (this.options.signal?.aborted) throw new TroveError('NETWORK', 'download cancelled');
      throw new Transient(`the transfer broke after ${bytes} bytes: ${(error as Error).message}`);
    }
    out.end();
    await finished;
    if (total !== null && bytes !== total) throw new Transient(`the transfer ended after ${bytes} of ${total} bytes`);
    return { size: bytes, sha256: hash.digest('hex'), resumedFrom, commit: response.headers.get('x-repo-commit') };
  }
}
