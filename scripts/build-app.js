#!/usr/bin/env node
// `npm run build:app`: the Electron side of Trove, into dist/. [Note: electron-build]
//
// - dist/main/{app,engine,server}/**.js and dist/shared/**.js: the TypeScript of src/, transpiled file by file
//   with esbuild, keeping the source tree's shape. Not bundled, on purpose: the engine finds things relative to
//   its own files (`new URL('./inference-worker.js', import.meta.url)` for its worker threads, the model catalogue
//   at ../../../../models, package.json for its version), and those paths hold in dist/ exactly as in src/ only if
//   every file stays at the same depth. The worker entries (inference-worker, ocr-worker) are emitted as .js, which
//   the engine prefers over the .ts it uses in a checkout, so no TypeScript loader (tsx) runs in the app. The
//   plain-JavaScript worker files (.mjs) are copied as they are.
//   Packages stay in node_modules and load as usual: nothing native is bundled, so none can break.
// - dist/main/preload.cjs: the preload, bundled into one CommonJS file, because a sandboxed preload can require
//   nothing but `electron`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Node versions and Chromium inside Electron 45. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

function tsFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** The preload bundle alone (the tests build it to check what it exposes). */
export async function buildPreload(outfile, root = REPO) {
  await build({
    entryPoints: [join(root, 'src/main/preload/preload.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: CHROME_TARGET,
    external: ['electron'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/** Everything the Electron app runs, into `out` (default dist/); dist/renderer is the renderer build's, left alone. */
export async function buildApp({ root = REPO, out = join(root, 'dist') } = {}) {
  for (const dir of ['main', 'shared']) rmSync(join(out, dir), { recursive: true, force: true });
  const sources = ['src/main/app', 'src/main/engine', 'src/main/server', 'src/shared'].flatMap((d) => tsFiles(join(root, d)));
  await build({
    entryPoints: sources,
    outbase: join(root, 'src'),
    outdir: out,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: NODE_TARGET,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // Plain-JavaScript worker entries, copied as they are: the bootstrap of the TypeScript workers, and the PDF reader
  // (which must never run under a TypeScript loader, see [Note: pdf]).
  const plain = ['main/engine/models/worker-bootstrap.mjs', 'main/engine/ingest/pdf-worker.mjs'];
  for (const file of plain) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(root, 'src', file), join(out, file));
  }
  await buildPreload(join(out, 'main/preload.cjs'), root);
  return { files: sources.length + plain.length + 1, out };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outArg = process.argv.indexOf('--out');
  const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : undefined;
  const started = Date.now();
  const { files, out: dir } = await buildApp(out ? { out } : {});
  const renderer = existsSync(join(REPO, 'dist/renderer/index.html')) ? '' : ' (the UI is not built: npm run build:renderer)';
  console.log(`built the app: ${files} files in ${relative(process.cwd(), dir) || '.'} in ${Date.now() - started} ms${renderer}`);
}
