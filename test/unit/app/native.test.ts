// better-sqlite3 for Electron lives beside the Node build; paths native code opens avoid app.asar.
// [Note: electron-native]
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { packagedBinary } from '../../../scripts/after-pack.js';
import { bindingPath, moduleAbi, needsRebuild, wantedBuild } from '../../../scripts/electron-native.js';
import { electronBinary } from '../../../scripts/start.js';
import { sqliteBinding, unpackedPath } from '../../../src/main/engine/packaged.js';
import { openDatabase } from '../../../src/main/engine/store/db.js';
import { REPO, tempDir } from '../../helpers.js';

const tmp = tempDir('native');
afterAll(() => tmp.cleanup());
const nodeBinary = join(createRequire(import.meta.url).resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');

describe('the Electron build of better-sqlite3', () => {
  const wanted = { electron: '45.4.1', abi: '150', platform: 'linux', arch: 'x64', 'better-sqlite3': '12.11.1' };

  it('is rebuilt only when Electron, its ABI, the platform, the arch or better-sqlite3 change', () => {
    expect(needsRebuild({ ...wanted, builtAt: 'yesterday' }, wanted)).toBe(false);
    expect(needsRebuild(null, wanted)).toBe(true);
    expect(needsRebuild('garbage', wanted)).toBe(true);
    for (const [key, value] of [['electron', '46.0.0'], ['abi', '151'], ['platform', 'darwin'], ['arch', 'arm64'], ['better-sqlite3', '13.0.0']] as const) {
      expect(needsRebuild({ ...wanted, [key]: value }, wanted), key).toBe(true);
    }
    // Built for a named Electron version (packaging), the ABI is whatever that version has.
    expect(needsRebuild({ ...wanted, abi: '999' }, { ...wanted, abi: null })).toBe(false);
  });

  it('is wanted for the installed Electron and kept under node_modules, named by what it was built for', () => {
    const w = wantedBuild();
    expect(w.electron).toMatch(/^\d+\.\d+\.\d+/);
    expect(w.abi).toMatch(/^\d+$/);
    expect(w.abi).not.toBe(process.versions.modules);
    expect(bindingPath(w)).toBe(join(REPO, 'node_modules', '.trove-electron', `better_sqlite3-electron-${w.electron}-${process.platform}-${process.arch}.node`));
  });

  it('reads the ABI an addon was built for from its registration symbol', () => {
    expect(moduleAbi(nodeBinary)).toBe(process.versions.modules);
    const fake = join(tmp.dir, 'fake.node');
    writeFileSync(fake, Buffer.from('\x7fELF....node_register_module_v150\0...'));
    expect(moduleAbi(fake)).toBe('150');
    writeFileSync(fake, 'napi only');
    expect(moduleAbi(fake)).toBeNull();
  });
});

describe('TROVE_SQLITE_BINDING', () => {
  afterEach(() => {
    delete process.env.TROVE_SQLITE_BINDING;
  });

  it('names the binary the engine loads better-sqlite3 from', () => {
    const copy = join(tmp.dir, 'copy', 'better_sqlite3.node');
    mkdirSync(join(tmp.dir, 'copy'));
    copyFileSync(nodeBinary, copy);
    process.env.TROVE_SQLITE_BINDING = copy;
    expect(sqliteBinding()).toBe(copy);
    const db = openDatabase(join(tmp.dir, 'a.db'));
    expect(db.prepare('SELECT vec_version() AS v').get()).toMatchObject({ v: expect.stringMatching(/^v\d/) });
    db.close();
    process.env.TROVE_SQLITE_BINDING = join(tmp.dir, 'missing', 'better_sqlite3.node');
    expect(() => openDatabase(join(tmp.dir, 'b.db'))).toThrow(/missing/);
  });

  it('is ignored when empty', () => {
    expect(sqliteBinding({ TROVE_SQLITE_BINDING: '' })).toBeUndefined();
    expect(sqliteBinding({})).toBeUndefined();
  });
});

describe('unpackedPath', () => {
  it('points native code at the unpacked copy of a file inside app.asar, and leaves other paths alone', () => {
    expect(unpackedPath('/opt/Trove/resources/app.asar/node_modules/sqlite-vec-linux-x64/vec0.so')).toBe(
      '/opt/Trove/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so',
    );
    expect(unpackedPath('C:\\Program Files\\Trove\\resources\\app.asar\\node_modules\\x.onnx')).toBe(
      'C:\\Program Files\\Trove\\resources\\app.asar.unpacked\\node_modules\\x.onnx',
    );
    expect(unpackedPath('/opt/Trove/resources/app.asar.unpacked/x.so')).toBe('/opt/Trove/resources/app.asar.unpacked/x.so');
    expect(unpackedPath('/home/me/app.asar-notes/x.md')).toBe('/home/me/app.asar-notes/x.md');
    expect(unpackedPath(join(REPO, 'node_modules/sqlite-vec/index.mjs'))).toBe(join(REPO, 'node_modules/sqlite-vec/index.mjs'));
  });
});

describe('electronBinary', () => {
  it('finds the executable path.txt names, and nothing when it is missing', () => {
    const root = join(tmp.dir, 'repo');
    const pkg = join(root, 'node_modules', 'electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    expect(electronBinary(root, {})).toBeNull(); // no path.txt: the binary was never downloaded
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(electronBinary(root, {})).toBeNull(); // path.txt, but no binary
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect(electronBinary(root, {})).toBe(join(pkg, 'dist', 'electron'));
    expect(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: join(tmp.dir, 'nowhere') })).toBeNull();
    expect(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: join(pkg, 'dist') })).toBe(join(pkg, 'dist', 'electron'));
  });
});

describe('the packaged app', () => {
  it('gets the Electron build of better-sqlite3 where app.asar.unpacked keeps it on each platform', () => {
    const tail = join('app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    expect(packagedBinary('/r/linux-unpacked', 'linux', 'Trove')).toBe(join('/r/linux-unpacked', 'resources', tail));
    expect(packagedBinary('/r/win-unpacked', 'win32', 'Trove')).toBe(join('/r/win-unpacked', 'resources', tail));
    expect(packagedBinary('/r/mac-arm64', 'darwin', 'Trove')).toBe(join('/r/mac-arm64', 'Trove.app', 'Contents', 'Resources', tail));
  });
});
