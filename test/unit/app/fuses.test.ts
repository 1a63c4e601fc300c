// The Electron fuses of the packaged app, as electron-builder will read them. [Note: electron-fuses]
// electron-builder.yml is loaded and checked by electron-builder's own loader and schema (app-builder-lib, the
// version electron-builder pins), not by a YAML parser of the test's choosing: a misspelt fuse is refused here just
// as `npm run dist` would refuse it, and a fuse dropped or turned back on fails by name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** What Trove requires of each fuse (see electron-builder.yml for the reasons). */
const REQUIRED = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
} as const;

const config = await getConfig(ROOT, null, null);

describe('electron-builder.yml', () => {
  it('is what electron-builder’s schema accepts', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('sets every fuse as Trove requires', () => {
    const fuses: Record<string, unknown> = { ...config.electronFuses };
    for (const [fuse, value] of Object.entries(REQUIRED)) expect(fuses[fuse], fuse).toBe(value);
  });

  it('re-signs a macOS build ad hoc after flipping, so an unsigned Apple silicon build still starts', () => {
    expect(config.electronFuses?.resetAdHocDarwinSignature).toBe(true);
  });

  it('keeps what the asar fuses depend on: an app.asar, with its integrity embedded', () => {
    expect(config.asar).toBe(true);
    expect(config.disableAsarIntegrity ?? false).toBe(false);
  });
});

/** The TypeScript files under a folder, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('code that runs inside the packaged app', () => {
  // The main process, the preload, and the engine in its utility process. (The CLI and browser mode run in plain
  // Node, where no fuse applies.) With runAsNode off, child_process.fork from Electron starts another Trove instead
  // of a Node; with nodeOptions and nodeCliInspect off, execArgv and NODE_OPTIONS are ignored.
  const files = ['src/main/app', 'src/main/preload', 'src/main/engine', 'src/shared'].flatMap((dir) => sources(join(ROOT, dir)));

  it('needs nothing that a fuse switches off', () => {
    expect(files.length).toBeGreaterThan(10);
    const offending: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').trim();
          if (code.startsWith('*')) return; // inside a block comment
          // `execArgv: []` gives a worker thread no flags at all (the PDF reader's, so no loader reaches pdf.js): it
          // asks for nothing a fuse turns off.
          const asked = code.replace(/\bexecArgv: \[\]/g, '');
          if (/\bchild_process\b|\bexecArgv\b|\bNODE_OPTIONS\b|\bELECTRON_RUN_AS_NODE\b/.test(asked)) offending.push(`${relative(ROOT, file)}:${i + 1}: ${code}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
