// A named logger per module. Quiet by default (warnings and errors only) so the CLI's output stays clean;
// TROVE_LOG=debug|info|warn|error|silent changes the level. Lines go to stderr, never stdout.
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function threshold(): number {
  const env = (process.env.TROVE_LOG ?? 'warn').toLowerCase();
  return env in ORDER ? ORDER[env as Level] : ORDER.warn;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(name: string): Logger {
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold()) return;
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} [${name}] ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Thresholds above which an operation is logged as slow. [Note: slow-ops] */
export const SLOW_QUERY_MS = 100;
export const SLOW_FILE_MS = 5000;
