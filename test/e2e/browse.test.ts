// Browsing in a real browser: the timeline on the start page (months, days, the scrubber, the recent collections), a
// filter-only query, the Collections page, a collection's page and its edits, and an item's links confirmed and
// rejected; over a lived-in library (test/fixtures/make-trips.ts) indexed with the colours pack. Screenshots of every
// page at 390, 1280 and 1600 px, light and dark, land in test-results/screenshots/. [Note: ui-e2e]
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionSummary } from '../../src/shared/types.js';
import { EnergyTranscriber } from '../fixtures/energy-transcriber.js';
import { makeTrips, type TripsLibrary } from '../fixtures/make-trips.js';
import { REPO, tempDir } from '../helpers.js';
import { NO_BROWSER, screenshot, startApp, tilesLoaded, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('browsing in a browser: timeline, collections, links', () => {
  let tmp: { dir: string; cleanup: () => void };
  let lib: string;
  let app: App;
  let page: Page;
  let trips: TripsLibrary;

  const goto = async (p: Page, hash = '') => {
    await p.goto(`${app.server.url}${hash}`);
  };
  const byTitle = async (title: string): Promise<CollectionSummary> => {
    const { collections } = await app.engine.listCollections({ includeHidden: true });
    const found = collections.find((c) => c.title === title);
    if (!found) throw new Error(`no collection "${title}" among ${collections.map((c) => c.title).join(', ')}`);
    return found;
  };
  const noSideways = (p: Page) =>
    p.evaluate(() => {
      const wide = [...document.querySelectorAll<HTMLElement>('.main, .content, .scroller, .page, .toolbar, .topbar')].filter((e) => e.scrollWidth > e.clientWidth + 1);
      return { page: document.documentElement.scrollWidth - window.innerWidth, wide: wide.map((e) => e.className) };
    });

  beforeAll(async () => {
    tmp = tempDir('e2e-browse');
    lib = join(tmp.dir, 'lib');
    trips = await makeTrips(lib);
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib], engine: { transcriber: new EnergyTranscriber() } });
    ({ page } = await app.newPage({ width: 1280, height: 860 }));
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('opens on the timeline: months newest first, days of photos and notes, the recent collections above', async () => {
    await goto(page);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.waitFor();
    // The recent collections, as cards that open them.
    const recent = page.locator('section[aria-labelledby="recent-title"] [data-collection]');
    await recent.first().waitFor();
    expect(await recent.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('section[aria-labelledby="recent-title"]').textContent()).toContain('Snow in the hills');
    // Months newest first.
    const months = await page.locator('h2.month').allTextContents();
    expect(months[0]).toMatch(/^February 2025/);
    // A day of the snow trip: its photos, its note and its memo together.
    const snow = trips.trips.find((t) => t.name === 'snow')!;
    const snowNote = (await app.engine.getItem({ path: join(lib, snow.note.path) })).id;
    await page.locator(`.card[data-id="${snowNote}"]`).waitFor();
    expect(await page.locator('h3.day', { hasText: 'Feb 15' }).count()).toBe(1);
    await tilesLoaded(page);
    await screenshot(page, 'timeline');
    // `TROVE_README_SCREENSHOT=1`: the README's picture of the timeline, before the tests below edit collections.
    if (process.env.TROVE_README_SCREENSHOT === '1') {
      await page.setViewportSize({ width: 1600, height: 900 });
      await tilesLoaded(page);
      // The wider layout asks for larger thumbnails: wait until every picture on screen has drawn.
      await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 10_000 }).catch(() => undefined);
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(REPO, 'docs/timeline.png') });
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('jumps with the scrubber: End goes to the oldest month, which loads from its own start', async () => {
    const scrubber = page.getByRole('slider', { name: 'Jump to a date' });
    await scrubber.focus();
    await page.keyboard.press('End');
    await page.locator('h2.month', { hasText: 'April 2023' }).waitFor();
    const blossom = trips.trips.find((t) => t.name === 'blossom')!;
    const first = (await app.engine.getItem({ path: join(lib, blossom.paths[0]!) })).id;
    await page.locator(`[data-id="${first}"]`).waitFor();
    expect(await scrubber.getAttribute('aria-valuetext')).toBe('April 2023');
    await page.keyboard.press('Home');
    await page.locator('h2.month', { hasText: 'February 2025' }).waitFor();
    // Only what is near the viewport is in the DOM.
    expect(await page.locator('[data-id]').count()).toBeLessThan(60);
    // Arrow keys move through the items by position; Enter opens one, Esc comes back to the same place.
    await page.keyboard.press('/');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
    expect(focused).not.toBeNull();
    await page.keyboard.press('ArrowRight');
    const next = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id ?? null);
    expect(next).not.toBe(focused);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/item/${next}`);
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Timeline' }).waitFor();
    await page.locator(`[data-id="${next}"]`).waitFor();
  });

  it('lists a query of filters only by time, newest first, with no scores', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('kind:photo after:2024-06');
    await page.getByRole('region', { name: 'Matches by date' }).waitFor();
    await page.locator('.summary', { hasText: 'Newest first' }).waitFor();
    const months = await page.locator('h2.month').allTextContents();
    expect(months[0]).toMatch(/^February 2025/);
    expect(await page.locator('.card').count()).toBe(0);
    expect(await page.locator('.tile .score').count()).toBe(0);
    const total = (await app.engine.timeline({ query: 'kind:photo after:2024-06' })).total;
    expect(await page.locator('.summary').textContent()).toContain(`${total} items`);
    // Notes with no date of their own are placed by their modification time, and say so: "≈".
    await page.locator('input[type=search]').fill('kind:note date:2024-03');
    await page.locator('.card', { hasText: 'Reading list' }).waitFor();
    expect(await page.locator('.card', { hasText: 'Reading list' }).locator('.when.approx').textContent()).toMatch(/^≈ /);
    await page.locator('input[type=search]').fill('');
    await page.getByRole('region', { name: 'Timeline' }).waitFor();
  });

  it('lists the collections as cards, pinned first, hidden ones only when asked', async () => {
    await page.getByRole('link', { name: 'Collections' }).first().click();
    await page.waitForURL('**/#/collections');
    await page.locator('h1', { hasText: 'Collections' }).waitFor();
    const forest = page.locator('.grid [data-collection]', { hasText: 'Forest walk' });
    await forest.waitFor();
    expect(await forest.textContent()).toContain('Oct 19, 2024');
    expect(await forest.locator('img').count()).toBe(1);
    const { total } = await app.engine.listCollections({});
    expect(await page.locator('.grid [data-collection]').count()).toBe(total);
    // Hide one: it leaves the list, and comes back with "Show hidden".
    const blossom = await byTitle('Cherry blossom');
    await app.engine.updateCollection({ id: blossom.id, hidden: true });
    await page.locator(`.grid [data-collection="${blossom.id}"]`).waitFor({ state: 'detached' });
    await page.getByText('Show hidden').click();
    await page.waitForURL('**/#/collections?hidden=1');
    await page.locator(`.grid [data-collection="${blossom.id}"] [aria-label="Hidden"]`).waitFor();
    await app.engine.updateCollection({ id: blossom.id, hidden: false });
    await page.getByText('Show hidden').click();
    await tilesLoadedCovers(page);
    await screenshot(page, 'collections');
  });

  it('shows a collection: its photos, its note with its opening words, pin, rename in place, take an item out', async () => {
    const forest = await byTitle('Forest walk');
    await page.locator(`.grid [data-collection="${forest.id}"]`).click();
    await page.waitForURL(`**/#/collection/${forest.id}`);
    await page.locator('h1', { hasText: 'Forest walk' }).waitFor();
    expect(await page.locator('.sub').first().textContent()).toContain('9 photos · 1 note');
    await page.locator('.card .excerpt', { hasText: 'The green of the pines' }).waitFor();
    expect(await page.locator('.tile').count()).toBe(9);
    // Pin: it comes first on the Collections page.
    await page.getByRole('button', { name: 'Pin' }).click();
    await page.locator('button[aria-pressed="true"]', { hasText: 'Pinned' }).waitFor();
    expect((await app.engine.getCollection({ id: forest.id })).pinned).toBe(true);
    // Rename in place: Enter keeps it; "Use Trove's title" gives the old one back.
    await page.getByRole('button', { name: 'Rename' }).click();
    const field = page.getByRole('textbox', { name: 'Title of the collection' });
    await field.fill('Autumn in the pines');
    await field.press('Enter');
    await page.locator('h1', { hasText: 'Autumn in the pines' }).waitFor();
    expect((await app.engine.getCollection({ id: forest.id })).title).toBe('Autumn in the pines');
    // Take one photo out: it stays in the library.
    await page.getByRole('button', { name: 'Select' }).click();
    const tick = page.locator('.tile[role=checkbox]').first();
    await tick.click();
    expect(await tick.getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Take out of the collection' }).click();
    await page.locator('.sub', { hasText: '8 photos · 1 note' }).waitFor();
    expect((await app.engine.getCollection({ id: forest.id })).counts.photo).toBe(8);
    await tilesLoaded(page);
    await screenshot(page, 'collection');
    await page.getByRole('button', { name: 'Use Trove’s title' }).click();
    await page.locator('h1', { hasText: 'Forest walk' }).waitFor();
    await page.goto(`${app.server.url}#/collections`);
    await page.locator('h2', { hasText: 'Pinned' }).waitFor();
    expect(await page.locator('.grid').first().locator('[data-collection]').first().getAttribute('data-collection')).toBe(String(forest.id));
  });

  it('merges another collection into one, and deletes one after asking', async () => {
    const sea = await byTitle('Weekend by the sea');
    const before = await app.engine.getCollection({ id: sea.id });
    const { total } = await app.engine.listCollections({ includeHidden: true });
    await goto(page, `#/collection/${sea.id}`);
    await page.locator('h1', { hasText: 'Weekend by the sea' }).waitFor();
    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('.pick').first().waitFor();
    // The nearest in time first.
    const picked = await dialog.locator('.pick .name').first().textContent();
    const other = await byTitle(picked!);
    await dialog.locator('.pick').first().click();
    await page.locator('.toast', { hasText: 'Merged' }).waitFor();
    const after = await app.engine.getCollection({ id: sea.id });
    expect(after.members.length).toBe(before.members.length + other.counts.photo + other.counts.note + other.counts.audio);
    expect((await app.engine.listCollections({ includeHidden: true })).total).toBe(total - 1);
    await page.locator('.sub', { hasText: `${after.counts.photo} photos` }).waitFor();
    // Delete: asked first; the collection goes, its items stay.
    const blossom = await byTitle('Cherry blossom');
    await goto(page, `#/collection/${blossom.id}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL('**/#/collections');
    await page.locator('.toast', { hasText: 'Deleted' }).waitFor();
    expect((await app.engine.listCollections({ includeHidden: true })).collections.some((c) => c.id === blossom.id)).toBe(false);
    expect((await app.engine.timeline({ query: 'after:2023-04 before:2023-05' })).total).toBeGreaterThan(0);
  });

  it('shows an item’s collection and its links with their reasons; confirms one and rejects another', async () => {
    const forest = trips.trips.find((t) => t.name === 'forest')!;
    const note = (await app.engine.getItem({ path: join(lib, forest.note.path) })).id;
    await goto(page, `#/item/${note}`);
    await page.locator('.prose h1', { hasText: 'Forest walk' }).waitFor();
    const collection = await byTitle('Forest walk');
    await page.locator(`a.chip[href="#/collection/${collection.id}"]`).waitFor();
    const rows = page.locator('li.link');
    await rows.nth(1).waitFor();
    const [a, b] = [rows.nth(0), rows.nth(1)];
    expect(await a.locator('.reasons').textContent()).toMatch(/same day|similar/);
    const aId = Number(await a.getAttribute('data-link'));
    const bId = Number(await b.getAttribute('data-link'));
    await a.getByRole('button', { name: 'Belongs' }).click();
    await a.locator('button[aria-pressed="true"][aria-label="Belongs"]').waitFor();
    await b.getByRole('button', { name: 'Does not belong' }).click();
    await page.locator(`li.link.rejected[data-link="${bId}"]`).waitFor();
    const verdicts = new Map((await app.engine.links({ id: note })).map((l) => [l.item.id, l.link.verdict]));
    expect(verdicts.get(aId)).toBe('confirmed');
    expect(verdicts.get(bId) ?? 'rejected').toBe('rejected');
    // What was said is kept: after a reload the buttons still say so.
    await page.reload();
    await page.locator(`li.link[data-link="${aId}"] button[aria-pressed="true"][aria-label="Belongs"]`).waitFor();
    // Items listed under "Belongs with" are not listed again as related.
    const related = await page.locator('section[aria-label^="Related"] a').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(related.map((href) => /^#\/item\/(\d+)/.exec(href ?? '')?.[1])).not.toContain(String(aId)); // a note's link adds ?at=
    await page.locator('li.link img').first().waitFor();
    await screenshot(page, 'item-links');
    // Pressing it again takes it back.
    await page.locator(`li.link[data-link="${aId}"]`).getByRole('button', { name: 'Belongs' }).click();
    await page.locator(`li.link[data-link="${aId}"] button[aria-pressed="false"][aria-label="Belongs"]`).waitFor();
    expect((await app.engine.links({ id: note })).find((l) => l.item.id === aId)?.link.verdict ?? null).toBeNull();
  });

  it('fits 390, 1280 and 1600 px wide, light and dark, with nothing sideways', async () => {
    const forest = await byTitle('Forest walk');
    const photo = (await app.engine.getCollection({ id: forest.id })).members.find((m) => m.item.kind === 'photo')!.item.id;
    const pages: [string, string][] = [
      ['timeline', ''],
      ['collections', '#/collections'],
      ['collection', `#/collection/${forest.id}`],
      ['item', `#/item/${photo}`],
      ['search', '#/search?q=forest'],
      ['nothing-close', '#/search?q=xyzzyqq'],
    ];
    for (const width of [390, 1280, 1600]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page: p, context } = await app.newPage({ width, height: width === 390 ? 844 : 900, colorScheme });
        for (const [name, hash] of pages) {
          await goto(p, hash);
          if (name === 'nothing-close') await p.getByRole('button', { name: /Show the \d+ nearest anyway/ }).waitFor();
          else await p.locator(name === 'item' ? 'img.photo.loaded' : name === 'collections' ? '.grid [data-collection]' : '[data-id]').first().waitFor();
          await tilesLoaded(p);
          const overflow = await noSideways(p);
          expect(overflow, `${name} at ${width} ${colorScheme}`).toEqual({ page: 0, wide: [] });
          const path = await screenshot(p, `${name}-${width}-${colorScheme}`);
          // `TROVE_README_SCREENSHOT=1` refreshes the README's picture of a collection (the timeline's is taken first).
          if (process.env.TROVE_README_SCREENSHOT === '1' && width === 1600 && colorScheme === 'light' && name === 'collection') {
            copyFileSync(path, join(REPO, `docs/${name}.png`));
          }
        }
        await context.close();
      }
    }
  });

  it('reported no errors in the page (uncaught exceptions, console errors, CSP violations)', () => {
    expect(app.problems).toEqual([]);
  });
});

/** Waits until every collection cover on the page has loaded (or shows that it has none). */
async function tilesLoadedCovers(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('.ccard .cover')].every((c) => c.querySelector('img.loaded') || c.querySelector('.blank')), null, { timeout: 20_000 });
}
