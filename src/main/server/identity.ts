// Browser mode's key and port, kept in the library's data folder, so that a restart of `trove serve` on the same
// library keeps an open tab working: the same address, the same key in its cookie, its event stream reconnecting by
// itself. `trove serve --new-key` makes a new key (every open tab must be opened again from the new address).
// The file is 0600 like the database: the key opens the whole library to whoever holds it. [Note: browser-mode]
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IDENTITY_FILE = 'serve.json';

export interface ServeIdentity {
  readonly token: string;
  /** The port it served on last; null before the first serve. */
  readonly port: number | null;
}

const newToken = () => randomBytes(24).toString('base64url');

/** What the data folder holds, or null when nothing (or nothing readable) is there. */
export function readServeIdentity(dataDir: string): ServeIdentity | null {
  try {
    const raw = JSON.parse(readFileSync(join(dataDir, IDENTITY_FILE), 'utf8')) as { token?: unknown; port?: unknown };
    if (typeof raw.token !== 'string' || !/^[A-Za-z0-9_-]{32,}$/.test(raw.token)) return null;
    const port = typeof raw.port === 'number' && Number.isInteger(raw.port) && raw.port > 0 && raw.port < 65536 ? raw.port : null;
    return { token: raw.token, port };
  } catch {
    return null;
  }
}

/** The key and port to serve with: those kept, or a new key (asked for, or none kept yet). */
export function serveIdentity(dataDir: string, options: { readonly newKey?: boolean } = {}): ServeIdentity {
  const kept = readServeIdentity(dataDir);
  if (kept && !options.newKey) return kept;
  return { token: newToken(), port: kept?.port ?? null };
}

/** Keeps the key and the port served on, 0600, written whole or not at all. */
export function rememberServeIdentity(dataDir: string, identity: ServeIdentity): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, IDENTITY_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ token: identity.token, port: identity.port })}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
