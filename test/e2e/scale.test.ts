// The results page at scale: 600 photos in one answer, and only the rows near the viewport in the DOM
// (virtualisation), from the top to the bottom. Also makes the README's screenshot. [Note: ui-virtualisation]
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLibrary } from '../fixtures/make-library.js';
import { makeScenes } from '../fixtures/make-scenes.js';
import { REPO, tempDir } from '../helpers.js';
import { NO_BROWSER, screenshot, startApp, tilesLoaded, type App } from './harness.js';

const SCENES = 600;

describe.skipIf(NO_BROWSER)('600 results in a browser', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: App;
  let page: Page;

  const tiles = () => page.locator('[data-key^="grid-"]').count();

  beforeAll(async () => {
    tmp = tempDir('e2e-scale');
    const scenes = join(tmp.dir, 'Pictures');
    const notes = join(tmp.dir, 'Notes');
    await makeScenes(scenes, SCENES);
    await makeLibrary(notes);
    rmSync(join(notes, 'photos'), { recursive: true }); // its notes only: the photos are the scenes
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [scenes, notes] });
    ({ page } = await app.newPage({ width: 1440, height: 900 }));
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('keeps only the visible rows in the DOM while scrolling through all of them', async () => {
    await page.goto(`${app.server.url}#/search?q=orange&kinds=photo&limit=1000`);
    await page.locator('[data-key="grid-0"]').waitFor();
    // The close matches first; then every photo, as asked.
    await page.getByRole('button', { name: /Show \d+ more, less close/ }).click();
    const total = SCENES;
    expect(await page.locator('h2', { hasText: 'Photos' }).textContent()).toContain(String(total));
    const atTop = await tiles();
    expect(atTop).toBeGreaterThan(10);
    expect(atTop).toBeLessThan(120);
    const height = await page.evaluate(() => document.querySelector('.scroller')!.scrollHeight);
    expect(height).toBeGreaterThan(15_000);
    // Down the page in screenfuls: the DOM never holds more than a few screens of tiles.
    let most = atTop;
    for (let y = 0; y < height; y += 2500) {
      await page.evaluate((top) => document.querySelector('.scroller')!.scrollTo(0, top), y);
      await page.waitForFunction(() => document.querySelectorAll('[data-key^="grid-"]').length > 0);
      most = Math.max(most, await tiles());
    }
    expect(most).toBeLessThan(120);
    await page.evaluate(() => document.querySelector('.scroller')!.scrollTo(0, 1e9));
    await page.locator(`[data-key="grid-${total - 1}"]`).waitFor();
    expect(await page.locator('[data-key="grid-0"]').count()).toBe(0);
    expect(await tiles()).toBeLessThan(120);
    // The keyboard follows into rows that were not in the DOM: Home of the results is a scroll away.
    await page.locator(`[data-key="grid-${total - 1}"]`).focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowUp');
    const key = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key ?? '');
    expect(Number(key.slice(5))).toBeLessThan(total - 6);
  });

  it('makes the README screenshot: search across photos and notes', async () => {
    const { page: shot } = await app.newPage({ width: 1440, height: 900 });
    await shot.goto(`${app.server.url}#/search?q=${encodeURIComponent(process.env.TROVE_README_QUERY ?? 'blue')}`);
    await shot.locator('[data-key="grid-0"]').waitFor();
    await shot.locator('[data-key="cards-0"]').waitFor();
    await tilesLoaded(shot);
    await shot.locator('[data-key="grid-2"]').hover();
    await shot.waitForTimeout(150);
    const path = await screenshot(shot, 'readme');
    // `TROVE_README_SCREENSHOT=1 npx vitest run test/e2e/scale.test.ts` refreshes the committed one.
    if (process.env.TROVE_README_SCREENSHOT === '1') copyFileSync(path, join(REPO, 'docs/screenshot.png'));
    expect(app.problems).toEqual([]);
  });
});
