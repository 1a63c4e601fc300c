// Places and near-duplicates in a browser ([Note: places], [Note: duplicates]): the Duplicates page with its groups
// and the photo to keep, an item's town in its details, and a photo found by its country's name saying "Taken in";
// screenshots at 390, 1280 and 1600 px, light and dark, with nothing sideways.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUPLICATE_PHOTOS, makeDuplicatesLibrary } from '../fixtures/make-duplicates.js';
import { makePlacesLibrary, PLACED_PHOTOS } from '../fixtures/make-places.js';
import { REPO, tempDir } from '../helpers.js';
import { NO_BROWSER, screenshot, startApp, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('places and duplicates in a browser', () => {
  let tmp: { dir: string; cleanup: () => void };
  let lib: string;
  let app: App;
  let page: Page;
  const imagesDrawn = (p: Page) => p.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 15_000 });
  const sideways = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  beforeAll(async () => {
    tmp = tempDir('e2e-places');
    lib = join(tmp.dir, 'lib');
    await makeDuplicatesLibrary(join(lib, 'dups'));
    await makePlacesLibrary(join(lib, 'places'));
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib] });
    ({ page } = await app.newPage({ width: 1280, height: 860 }));
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('lists near-duplicates from the sidebar, the one to keep first and why', async () => {
    await page.goto(app.server.url);
    await page.getByRole('link', { name: 'Duplicates' }).click();
    await page.getByRole('heading', { name: 'Duplicates', level: 1 }).waitFor();
    const groups = page.locator('li.group');
    await groups.first().waitFor();
    expect(await groups.count()).toBe(3);
    expect(await page.locator('.sub').textContent()).toMatch(/3 groups of near-identical photos among 16/);
    const lake = groups.filter({ hasText: 'lake-small.jpg' });
    expect(await lake.locator('.why').textContent()).toMatch(/most pixels \(1600 × 1200\)/);
    expect(await lake.locator('.badge').allTextContents()).toEqual(['Keep', 'Resized copy']);
    expect(await groups.filter({ hasText: DUPLICATE_PHOTOS.burst1.split('/')[1]! }).locator('.badge').allTextContents()).toEqual(['Keep', 'Similar shot', 'Similar shot']);
    await imagesDrawn(page);
    // A member opens its item.
    await lake.locator('a.dtile').nth(1).click();
    await page.locator('img.photo.loaded').waitFor();
    expect(page.url()).toMatch(/#\/item\/\d+/);
  });

  it('shows the town a photo was taken in, and says so when its country was searched', async () => {
    const tram = await app.engine.getItem({ path: join(lib, 'places', PLACED_PHOTOS.tram.path) });
    await page.goto(`${app.server.url}#/item/${tram.id}`);
    await page.locator('img.photo.loaded').waitFor();
    const place = page.locator('.row', { has: page.locator('dt', { hasText: 'Place' }) }).locator('dd');
    expect(await place.textContent()).toMatch(/^Lisbon, Portugal · 38\.71\d*° N, 9\.13\d*° W$/);
    // A small map of where, Portugal drawn around the dot.
    expect(await page.getByRole('img', { name: 'Map: Lisbon, Portugal' }).locator('circle').count()).toBe(1);
    await page.goto(`${app.server.url}#/search?q=${encodeURIComponent('葡萄牙')}`);
    await page.locator('[data-id]').first().waitFor();
    expect(await page.getByText('Taken in').count()).toBeGreaterThan(0);
  });

  it('puts the photos with a place on a world map, zooms to a country, and opens a mark’s photos', async () => {
    await page.goto(app.server.url);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Places' }).click();
    await page.getByRole('heading', { name: 'Places', level: 1 }).waitFor();
    await page.locator('a.mark').first().waitFor();
    expect(await page.locator('.sub').textContent()).toMatch(/6 photos on the map/); // the one taken at sea too
    // The world at once: Portugal's photos gather into one mark, Tokyo's is its own.
    const labels = await page.locator('a.mark').evaluateAll((marks) => marks.map((m) => m.getAttribute('aria-label')));
    expect(labels).toEqual(expect.arrayContaining(['4 photos near Portugal', '1 photo near Tokyo, Japan', '1 photo']));
    expect(await page.locator('.places .place').count()).toBe(labels.length);
    // A country zooms in: Portugal's towns part.
    // (Its mark lies over it at this zoom, so the click goes to the country's shape itself.)
    await page.locator('path.country', { has: page.locator('title', { hasText: /^Portugal$/ }) }).dispatchEvent('click');
    await page.waitForFunction(() => document.querySelectorAll('a.mark').length >= 2 && [...document.querySelectorAll('a.mark')].every((m) => !m.getAttribute('aria-label')?.startsWith('4 ')), undefined, { timeout: 10_000 });
    await screenshot(page, 'places-portugal');
    // A mark opens its photos: a near: search, listed by time.
    const lisbon = page.locator('a.mark', { hasText: '2' }).first();
    await lisbon.click();
    await page.waitForURL(/#\/search\?q=near%3A38\.7/);
    await page.locator('[data-id]').first().waitFor();
    expect(await page.locator('[data-id]').count()).toBeGreaterThanOrEqual(2);
  });

  it('fits 390, 1280 and 1600 px wide, light and dark, with nothing sideways', async () => {
    const tram = await app.engine.getItem({ path: join(lib, 'places', PLACED_PHOTOS.tram.path) });
    const pages: [string, string][] = [
      ['duplicates', '#/duplicates'],
      ['item-place', `#/item/${tram.id}`],
      ['search-place', `#/search?q=${encodeURIComponent('Portugal')}`],
      ['places', '#/places'],
    ];
    for (const width of [390, 1280, 1600]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page: p, context } = await app.newPage({ width, height: width === 390 ? 844 : 900, colorScheme });
        for (const [name, hash] of pages) {
          await p.goto(`${app.server.url}${hash}`);
          await p.locator(name === 'duplicates' ? 'li.group' : name === 'item-place' ? 'img.photo.loaded' : name === 'places' ? 'a.mark' : '[data-id]').first().waitFor();
          await imagesDrawn(p);
          expect(await sideways(p), `${name} at ${width} ${colorScheme}`).toBe(0);
          if (name === 'places') {
            // No mark of the whole world's view lies under the zoom buttons (Tokyo's did at 390 px).
            const under = await p.evaluate(() => {
              const c = document.querySelector('.controls')!.getBoundingClientRect();
              return [...document.querySelectorAll('a.mark')].filter((m) => {
                const r = m.getBoundingClientRect();
                return r.right > c.left && r.left < c.right && r.bottom > c.top && r.top < c.bottom;
              }).length;
            });
            expect(under, `marks under the zoom buttons at ${width} ${colorScheme}`).toBe(0);
          }
          const path = await screenshot(p, `${name}-${width}-${colorScheme}`);
          // `TROVE_README_SCREENSHOT=1` refreshes the README's picture of the Duplicates page.
          if (process.env.TROVE_README_SCREENSHOT === '1' && name === 'duplicates' && width === 1280 && colorScheme === 'light') copyFileSync(path, join(REPO, 'docs/duplicates.png'));
        }
        await context.close();
      }
    }
  });

  it('reported no errors in the page', () => {
    expect(app.problems).toEqual([]);
  });
});
