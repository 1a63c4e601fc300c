// The one opener of photos. [Note: image-formats]
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImage, uprightSize } from '../../../src/main/engine/models/image-input.js';
import { REPO } from '../../helpers.js';

/** Every .ts file under `dir`, as paths relative to the repository. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(REPO, join(e.parentPath, e.name)));
}

describe('openImage', () => {
  it('turns the size of a photo stored on its side (orientation 5–8), and only then', () => {
    expect(uprightSize(600, 400, 1)).toEqual({ width: 600, height: 400 });
    expect(uprightSize(600, 400, 3)).toEqual({ width: 600, height: 400 });
    expect(uprightSize(600, 400, 6)).toEqual({ width: 400, height: 600 });
    expect(uprightSize(600, 400, 8)).toEqual({ width: 400, height: 600 });
    expect(uprightSize(600, 400, 9)).toEqual({ width: 600, height: 400 }); // not an orientation: nothing is turned
  });

  it('opens the HEIC sign that the OCR tests read, at its size', async () => {
    const opened = await openImage(join(REPO, 'test/fixtures/photos/sign-bakery.heic'));
    expect([opened.width, opened.height]).toEqual([640, 400]);
    const { info } = await opened.pipeline().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([640, 400]);
  });

  it('is the only module of the app that decodes photos with sharp', () => {
    // Embedding, OCR and thumbnails all open photos through it; versions.ts only reads sharp's version numbers.
    const importers = sources(join(REPO, 'src/main')).filter((f) => /from 'sharp'|require\('sharp'\)|import\('sharp'\)/.test(readFileSync(join(REPO, f), 'utf8')));
    expect(importers.sort()).toEqual(['src/main/engine/models/image-input.ts', 'src/main/engine/versions.ts']);
  });
});
