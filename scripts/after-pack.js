// electron-builder's afterPack hook: the packaged app gets better-sqlite3 built for Electron. [Note: electron-native]
// electron-builder.yml turns its own rebuild off (npmRebuild: false), which would rebuild the project's
// node_modules in place for Electron and leave the tests and the CLI with a binary Node cannot load. Instead the
// Electron build kept under node_modules/.trove-electron (made once, scripts/electron-native.js) is copied over the
// Node build inside the package, before the package is signed and made into AppImage/deb/dmg/NSIS.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureElectronNative, moduleAbi, wantedBuild } from './electron-native.js';

const ARCHES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // electron-builder's Arch enum, by value

/** Where the packaged app keeps better-sqlite3's binary (outside app.asar: see asarUnpack). */
export function packagedBinary(appOutDir, platform, productFilename) {
  const resources = platform === 'darwin' ? join(appOutDir, `${productFilename}.app`, 'Contents', 'Resources') : join(appOutDir, 'resources');
  return join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}

export default async function afterPack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCHES[context.arch] ?? String(context.arch);
  if (platform !== process.platform) {
    throw new Error(`better-sqlite3 cannot be built for ${platform} on ${process.platform}: make each platform's package on that platform`);
  }
  const electron = context.packager.config.electronVersion || undefined;
  const binding = await ensureElectronNative({ platform, arch, electron, log: (line) => console.log(`  • ${line}`) });
  const { abi } = wantedBuild({ platform, arch, electron });
  if (abi !== null && moduleAbi(binding) !== abi) throw new Error(`${binding} is built for ABI ${moduleAbi(binding)}, not Electron's ${abi}: delete node_modules/.trove-electron and retry`);
  const target = packagedBinary(context.appOutDir, platform, context.packager.appInfo.productFilename);
  if (!existsSync(target)) throw new Error(`${target} is missing: better-sqlite3 must be in asarUnpack (electron-builder.yml)`);
  copyFileSync(binding, target);
  console.log(`  • better-sqlite3 for Electron (ABI ${moduleAbi(target)}) → ${target}`);
}
