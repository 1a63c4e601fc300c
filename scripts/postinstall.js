#!/usr/bin/env node
// After `npm install`: fetch the optional native pieces that do not ship in the npm registry, without ever failing
// the install. [Note: offline-install]
//
// - Electron (>= 41) has no install script of its own any more: it downloads its binary lazily on first launch.
//   We fetch it here so a normal machine is ready for `npm start`; on a machine that reaches only the npm registry
//   the attempt fails fast and is one line. The CLI and browser mode never need it.
//   ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the attempt.
// - onnxruntime-node's own install script would fetch the CUDA execution provider from NuGet on every Linux x64
//   install and fail the whole install offline, so package.json's `allowScripts` denies it. Instead we fetch the provider here only
//   where it can be used (Linux x64 with an NVIDIA driver loaded), or when asked: `npm run cuda` (TROVE_CUDA=1).
//   TROVE_CUDA=0 never fetches it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const onlyCuda = process.argv.includes('--cuda');

function packageScript(pkg, script) {
  try {
    const file = join(dirname(require.resolve(`${pkg}/package.json`)), script);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined; // not installed (a production install without devDependencies, say)
  }
}

function run(file, env) {
  const result = spawnSync(process.execPath, [file], {
    stdio: ['ignore', onlyCuda ? 'inherit' : 'ignore', 'pipe'],
    env: { ...process.env, ...env },
    timeout: 600_000,
  });
  return { ok: result.status === 0, reason: String(result.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '' };
}

function electron() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return;
  const installer = packageScript('electron', 'install.js');
  if (!installer) return;
  if (!run(installer, {}).ok) {
    console.warn(
      'trove: the Electron binary could not be downloaded now (offline?); the CLI and browser mode work without it, ' +
        'and `npx install-electron` fetches it later for desktop mode.',
    );
  }
}

function hasNvidiaDriver() {
  return existsSync('/proc/driver/nvidia/version');
}

function cuda() {
  const wanted = process.env.TROVE_CUDA;
  if (wanted === '0') return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    if (onlyCuda) console.warn('trove: the CUDA provider is offered for Linux x64 only; DirectML (Windows) and CoreML (macOS) ship with onnxruntime-node.');
    return;
  }
  if (!onlyCuda && wanted !== '1' && !hasNvidiaDriver()) return;
  const installer = packageScript('onnxruntime-node', 'script/install.js');
  if (!installer) return;
  const result = run(installer, { ONNXRUNTIME_NODE_INSTALL: 'cuda12', npm_config_onnxruntime_node_install: 'cuda12' });
  if (result.ok) console.log('trove: CUDA execution provider installed for onnxruntime-node.');
  else {
    console.warn(`trove: the CUDA execution provider could not be downloaded (${result.reason || 'no reason given'}); Trove runs on the CPU.`);
    if (onlyCuda) process.exitCode = 1;
  }
}

if (!onlyCuda) electron();
cuda();
