// Downloading a model pack from the Settings page in a real browser: the catalogue (a test's, through
// TROVE_CATALOGUE_DIR) offers the fixture colours pack as if it were a Hugging Face repository on 127.0.0.1, sent in
// small pieces with pauses so the progress can be watched; a second entry's server lacks one file, and the page says
// so. [Note: ui-e2e] [Note: catalogue]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackManifest } from '../../src/main/engine/models/pack.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';
import { startServer, type Served, type TestServer } from '../http-server.js';
import { NO_BROWSER, screenshot, startApp, type App } from './harness.js';

const manifest = JSON.parse(readFileSync(join(COLOURS_PACK, 'trove-pack.json'), 'utf8')) as PackManifest;
const TOTAL = manifest.files.reduce((s, f) => s + f.size, 0);
const MISSING = 'onnx/text_model.onnx';

/** A catalogue entry for the fixture pack, pinned to its sizes and checksums, served from `repo`. */
function entry(id: string, title: string, repo: string): object {
  const { files, towers, dimensions, contextLength, licence } = manifest;
  return { format: 1, id, revision: '1', title, licence, dimensions, contextLength, towers, source: { repo, revision: 'main' }, files };
}

describe.skipIf(NO_BROWSER)('downloading a model pack from Settings', () => {
  let tmp: { dir: string; cleanup: () => void };
  let server: TestServer;
  let app: App;
  let page: Page;

  beforeAll(async () => {
    tmp = tempDir('e2e-download');
    const catalogue = join(tmp.dir, 'catalogue');
    mkdirSync(catalogue);
    writeFileSync(join(catalogue, 'colours-mirror.json'), JSON.stringify(entry('colours-mirror', 'Colours, from a mirror', 'test-org/colours')));
    writeFileSync(join(catalogue, 'colours-broken.json'), JSON.stringify(entry('colours-broken', 'Colours, half published', 'test-org/colours-broken')));
    const files: Record<string, Served> = {};
    for (const f of manifest.files) {
      const body = readFileSync(join(COLOURS_PACK, f.path));
      // The graphs (5 kB of the 8 kB) trickle in 150-byte pieces every 70 ms: about 2.5 s in all.
      const trickle = f.path.endsWith('.onnx') ? { trickle: { bytes: 150, pauseMs: 70 } } : {};
      files[`/test-org/colours/resolve/main/${f.path}`] = { body, ...trickle };
      if (f.path !== MISSING) files[`/test-org/colours-broken/resolve/main/${f.path}`] = { body };
    }
    server = await startServer(files);
    // The Engine reads its catalogue when it opens; this test file has its own process (vitest's forks pool).
    process.env.TROVE_CATALOGUE_DIR = catalogue;
    try {
      app = await startApp({ dataDir: join(tmp.dir, 'data'), engine: { modelBaseUrl: server.url } });
    } finally {
      delete process.env.TROVE_CATALOGUE_DIR;
    }
    ({ page } = await app.newPage());
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    tmp?.cleanup();
  });

  it('lists the pack with its size, shows the download advance, and then offers it installed', async () => {
    await page.goto(`${app.server.url}#/settings`);
    const row = page.locator('li[data-model="colours-mirror"]');
    await row.waitFor();
    expect(TOTAL).toBe(8167);
    expect(await row.textContent()).toContain('8.2 kB to download');
    // Every percentage the bar reports, recorded from the DOM as it changes.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { seen: number[] }).seen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('li[data-model="colours-mirror"] [role=progressbar]');
        const now = Number(bar?.getAttribute('aria-valuenow') ?? NaN);
        if (Number.isFinite(now) && seen.at(-1) !== now) seen.push(now);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await row.getByRole('button', { name: 'Download' }).click();
    const bar = row.getByRole('progressbar');
    await bar.waitFor();
    // Mid-download: part of the pack is here, and the line under the bar says how much, how fast and what is left.
    await page.waitForFunction(() => {
      const now = Number(document.querySelector('li[data-model="colours-mirror"] [role=progressbar]')?.getAttribute('aria-valuenow'));
      return now >= 25 && now <= 85;
    });
    const line = await row.locator('.dl-text').textContent();
    expect(line).toMatch(/\d+(\.\d)? kB of 8\.2 kB/);
    expect(line).toMatch(/B\/s/);
    expect(line).toMatch(/vision_model\.onnx|text_model\.onnx/);
    await screenshot(page, 'settings-download');
    // Installed: the bar goes, the size on disk shows, and it can be chosen.
    await row.locator('.faint', { hasText: /installed \(\d/ }).waitFor({ timeout: 20_000 });
    expect(await bar.count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Download' }).count()).toBe(0);
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // it never goes back
    await page.locator('.toast', { hasText: 'Colours, from a mirror is installed.' }).waitFor();
    expect(app.engine.models.installed('colours-mirror')).toMatchObject({ variant: 'fp32', revision: '1' });
    await row.getByRole('button', { name: 'Use' }).click();
    await row.locator('.pill', { hasText: 'Chosen' }).waitFor();
    expect((await app.engine.getSettings()).model).toBe('colours-mirror');
  });

  it('says why a download failed (the server lacks a file) beside the pack, and lets it be tried again', async () => {
    const row = page.locator('li[data-model="colours-broken"]');
    await row.getByRole('button', { name: 'Download' }).click();
    const alert = row.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain('could not be downloaded');
    expect(text).toContain(`/test-org/colours-broken/resolve/main/${MISSING} answered 404`);
    expect(await row.getByRole('progressbar').count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Try again' }).isEnabled()).toBe(true);
    expect(app.engine.models.installed('colours-broken')).toBeNull();
    await screenshot(page, 'settings-download-failed');
  });

  it('reported no errors in the page (uncaught exceptions, console errors, CSP violations)', () => {
    expect(app.problems).toEqual([]);
  });
});
