#!/usr/bin/env node
// `npm run demo`: make the fixture library, index it with the colours pack, then show a search and a photo's related
// items, each under a heading that says which is which.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = ['--data-dir', '.trove-demo'];

function trove(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin/trove.js'), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const fixtures = spawnSync(process.execPath, [join(root, 'bin/run-ts.js'), 'test/fixtures/make-library.ts', 'test/fixtures/library'], { cwd: root, stdio: 'inherit' });
if (fixtures.status !== 0) process.exit(fixtures.status ?? 1);
trove('index', 'test/fixtures/library', '--model', 'test/fixtures/packs/colours', ...data);
console.log('\nSearch: "red" (photos)');
trove('search', 'red', '--kind', 'photo', '--limit', '3', ...data);
console.log('\nRelated to photos/2023/IMG_0412.jpg');
trove('related', 'test/fixtures/library/photos/2023/IMG_0412.jpg', '--limit', '3', ...data);
