// better-sqlite3 built for Electron, kept apart from the one built for Node. [Note: electron-native]
//
// better-sqlite3 is the one native module of Trove tied to a runtime's ABI (sharp and onnxruntime-node use N-API,
// which every runtime shares; sqlite-vec is a SQLite extension, loaded by SQLite). Rebuilding it in place for
// Electron would break it for Node, and so for `npm test` and the CLI, and rebuilding it back and forth costs a
// compile each way. Instead a copy of the package is rebuilt for Electron under node_modules/.trove-electron/, and
// only its binary is used:
// - `npm start` passes it to the engine's utility process as TROVE_SQLITE_BINDING (better-sqlite3's
//   `nativeBinding` option; src/main/engine/store/db.ts);
// - `npm run dist` copies it over the packaged app's better-sqlite3 binary (scripts/after-pack.js).
// native.json beside it records what it was built for (Electron version and ABI, platform, arch, better-sqlite3
// version), so the rebuild runs once and again only when one of those changes. node_modules/ holds it because a
// fresh `npm ci` must also drop it.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = 'better-sqlite3';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** What the binary must be built for, from the installed packages. */
export function wantedBuild({ root = REPO, platform = process.platform, arch = process.arch, electron } = {}) {
  const electronDir = join(root, 'node_modules', 'electron');
  const installed = readJson(join(electronDir, 'package.json')).version;
  return {
    electron: electron ?? installed,
    // The installed electron package records its NODE_MODULE_VERSION; for another version it is not known here.
    abi: !electron || electron === installed ? readFileSync(join(electronDir, 'abi_version'), 'utf8').trim() : null,
    platform,
    arch,
    [MODULE]: readJson(join(root, 'node_modules', MODULE, 'package.json')).version,
  };
}

/**
 * The NODE_MODULE_VERSION a native addon was built for, from the registration symbol every non-N-API addon
 * exports (`node_register_module_v<ABI>`); null when there is none.
 */
export function moduleAbi(file) {
  const m = /node_register_module_v(\d+)/.exec(readFileSync(file).toString('latin1'));
  return m ? m[1] : null;
}

/** Whether the recorded build (native.json, or null) differs from the wanted one. */
export function needsRebuild(recorded, wanted) {
  if (!recorded || typeof recorded !== 'object') return true;
  return ['electron', 'platform', 'arch', MODULE].some((k) => recorded[k] !== wanted[k]) || (wanted.abi !== null && recorded.abi !== wanted.abi);
}

export function cacheDir(root = REPO) {
  return join(root, 'node_modules', '.trove-electron');
}

export function bindingPath(wanted, root = REPO) {
  return join(cacheDir(root), `better_sqlite3-electron-${wanted.electron}-${wanted.platform}-${wanted.arch}.node`);
}

/**
 * The path of better_sqlite3.node built for Electron, building it first if needed (a no-op when native.json says
 * it is current). Building needs the network (Electron's headers, or a prebuilt binary from GitHub) and, for a
 * build from source, a C++ toolchain.
 */
export async function ensureElectronNative({ root = REPO, platform, arch, electron, log = () => {} } = {}) {
  const wanted = wantedBuild({ root, platform, arch, electron });
  const marker = join(cacheDir(root), 'native.json');
  const binary = bindingPath(wanted, root);
  const recorded = existsSync(marker) ? readJson(marker) : null;
  if (!needsRebuild(recorded, wanted) && existsSync(binary)) return binary;

  log(`building ${MODULE} ${wanted[MODULE]} for Electron ${wanted.electron} (${wanted.platform}-${wanted.arch}); this happens once`);
  const buildDir = join(cacheDir(root), 'build');
  rmSync(buildDir, { recursive: true, force: true });
  const copy = join(buildDir, 'node_modules', MODULE);
  mkdirSync(copy, { recursive: true });
  // The sources, not the Node build: @electron/rebuild builds the copy as if it were a project's only dependency.
  const source = join(root, 'node_modules', MODULE);
  cpSync(source, copy, { recursive: true, dereference: true, filter: (src) => !/^[\\/]build([\\/]|$)/.test(src.slice(source.length)) });
  writeFileSync(join(buildDir, 'package.json'), JSON.stringify({ name: 'trove-electron-native', private: true, dependencies: { [MODULE]: wanted[MODULE] } }));
  const { rebuild } = await import('@electron/rebuild');
  // npm hands its `nodedir` setting to scripts as npm_config_nodedir; node-gyp would then build against Node's
  // headers, not Electron's, and make a binary Electron refuses. The build must see none.
  const saved = {};
  for (const key of Object.keys(process.env).filter((k) => k.toLowerCase() === 'npm_config_nodedir')) {
    saved[key] = process.env[key];
    delete process.env[key];
  }
  try {
    await rebuild({ buildPath: buildDir, electronVersion: wanted.electron, arch: wanted.arch, platform: wanted.platform, onlyModules: [MODULE], force: true });
  } finally {
    Object.assign(process.env, saved);
  }
  const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`@electron/rebuild finished but ${built} is missing`);
  const abi = moduleAbi(built);
  if (wanted.abi !== null && abi !== wanted.abi) throw new Error(`${MODULE} was built for ABI ${abi}, not Electron's ${wanted.abi}`);
  copyFileSync(built, binary);
  writeFileSync(marker, `${JSON.stringify({ ...wanted, abi, builtAt: new Date().toISOString() }, null, 2)}\n`);
  rmSync(buildDir, { recursive: true, force: true });
  return binary;
}
