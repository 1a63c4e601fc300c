#!/usr/bin/env node
// `npm start`: build and launch the desktop app; where there is no Electron binary, browser mode. [Note: electron-build]
//
//   node scripts/start.js [--browser] [--no-build] [--no-open] [--port N] [-- <Electron arguments>]
//
// Desktop: builds the UI (npm run build:renderer, skipped when dist/renderer is newer than its sources) and the
// app (scripts/build-app.js), makes sure better-sqlite3 is built for Electron's ABI (scripts/electron-native.js:
// once, in a separate copy, so Node's build stays as it is for the tests and the CLI), then runs Electron.
// Without the Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD, or a machine that reaches only the npm registry),
// or with --browser: one line says so, and `trove serve --open` serves the same UI in the default browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp, REPO } from './build-app.js';
import { ensureElectronNative } from './electron-native.js';

/**
 * The Electron executable, or null when it is not there. Read from node_modules/electron/path.txt as the electron
 * package itself does, without requiring the package: since Electron 41 `require('electron')` downloads a missing
 * binary, which here would mean minutes of retries and pages of errors. ELECTRON_OVERRIDE_DIST_PATH is honoured.
 */
export function electronBinary(root = REPO, env = process.env) {
  const dir = join(root, 'node_modules', 'electron');
  let relative = null;
  try {
    relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    relative = null;
  }
  const file = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || (process.platform === 'win32' ? 'electron.exe' : 'electron'))
    : relative && join(dir, 'dist', relative);
  return file && existsSync(file) ? file : null;
}

function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return latest;
}

/** Builds the renderer unless its build is newer than every source it is made from; its output only on failure. */
function buildRenderer() {
  const scripts = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts ?? {};
  if (!scripts['build:renderer']) return;
  const built = join(REPO, 'dist', 'renderer', 'index.html');
  const inputs = ['src/renderer', 'src/shared'].map((d) => newest(join(REPO, d)));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...inputs)) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build:renderer'], { cwd: REPO, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error('the interface did not build (npm run build:renderer)');
  }
}

/** Runs a child with our stdio, passing Ctrl+C and termination on, and resolves with its exit code. */
function run(command, args, env) {
  const child = spawn(command, args, { cwd: REPO, stdio: 'inherit', env });
  const forward = (signal) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, forward(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { browser: { type: 'boolean' }, 'no-build': { type: 'boolean' }, 'no-open': { type: 'boolean' }, port: { type: 'string' } },
    allowPositionals: true,
  });
  const build = !values['no-build'];
  const electron = values.browser ? null : electronBinary();
  if (!electron) {
    if (!values.browser) {
      process.stderr.write('Electron is not installed here (node_modules/electron has no binary), so Trove starts in browser mode instead.\n');
    }
    if (build) buildRenderer();
    const args = ['bin/trove.js', 'serve', ...(values['no-open'] ? [] : ['--open']), ...(values.port ? ['--port', values.port] : [])];
    return run(process.execPath, args, process.env);
  }
  if (build) {
    buildRenderer();
    await buildApp();
  }
  const binding = await ensureElectronNative({ log: (line) => process.stderr.write(`${line}\n`) });
  const env = { ...process.env, TROVE_SQLITE_BINDING: binding };
  delete env.ELECTRON_RUN_AS_NODE; // would make Electron a plain Node
  return run(electron, ['.', ...positionals], env);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`trove: ${error.message}\n`);
      process.exit(1);
    },
  );
}
