// The UI in a real browser (Debian's Chromium through playwright-core) against browser mode, over the fixture
// library indexed with the fixture model pack. Screenshots land in test-results/screenshots/. [Note: ui-e2e]
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/main/engine/index.js';
import { serve } from '../../src/main/server/server.js';
import { writeFileSync } from 'node:fs';
import { EnergyTranscriber } from '../fixtures/energy-transcriber.js';
import { LIBRARY, makeLibrary } from '../fixtures/make-library.js';
import { composeSpeech, missingSpeechTools, SENTENCES, wavBytes } from '../fixtures/make-speech.js';
import { makeScenes } from '../fixtures/make-scenes.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';
import { asDesktop, NO_BROWSER, RENDERER, screenshot, startApp, tilesLoaded, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('the app in a browser', () => {
  let tmp: { dir: string; cleanup: () => void };
  let lib: string;
  let extra: string;
  let app: App;
  let page: Page;
  const ids = { red: 0, redNote: 0, cyan: 0 };
  // A recording, transcribed by the test transcriber (passages found by loudness) when espeak-ng can speak it.
  const speechTools = missingSpeechTools();
  let said: { start: number }[] = [];

  const activeKey = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key ?? document.activeElement?.tagName ?? null);
  const goto = async (hash = '') => {
    await page.goto(`${app.server.url}${hash}`);
  };

  beforeAll(async () => {
    tmp = tempDir('e2e');
    lib = join(tmp.dir, 'lib');
    extra = join(tmp.dir, 'holiday');
    await makeLibrary(lib);
    await makeScenes(extra, 30);
    if (speechTools.length === 0) {
      const speech = composeSpeech(SENTENCES);
      said = speech.utterances.map((u) => ({ start: u.start * 1000 }));
      writeFileSync(join(lib, 'Harbour walk.wav'), wavBytes(speech.samples, speech.rate));
    }
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib], engine: { transcriber: new EnergyTranscriber() } });
    ids.red = (await app.engine.getItem({ path: join(lib, LIBRARY.photos.red) })).id;
    ids.redNote = (await app.engine.getItem({ path: join(lib, LIBRARY.notes.red) })).id;
    ids.cyan = (await app.engine.getItem({ path: join(lib, LIBRARY.photos.cyan) })).id;
    ({ page } = await app.newPage());
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('answers "red" as you type, the red photo first, the note about red first among the cards', async () => {
    await goto();
    // The start page of a library with items is its timeline (test/e2e/browse.test.ts looks at it closely).
    await page.getByRole('region', { name: 'Timeline' }).waitFor();
    // The token left the address bar as soon as the page took it.
    expect(page.url()).not.toContain('token=');
    await page.keyboard.press('/');
    await page.keyboard.type('red');
    const first = page.locator('[data-key="grid-0"]');
    await first.waitFor();
    expect(await first.getAttribute('data-id')).toBe(String(ids.red));
    expect(await page.locator('[data-key="cards-0"]').getAttribute('data-id')).toBe(String(ids.redNote));
    // Why it matched: the note's chunk with the word marked; the score on hover.
    expect(await page.locator('[data-key="cards-0"] mark').first().textContent()).toBe('red');
    await first.hover();
    expect(Number(await first.locator('.score').textContent())).toBeGreaterThan(0.5);
    expect(page.url()).toMatch(/#\/search\?q=red$/);
    await tilesLoaded(page);
    await page.mouse.move(0, 0);
    await screenshot(page, 'search');
  });

  it('opens the red photo with its details, and the note about red among its related items; Esc goes back', async () => {
    await page.locator('[data-key="grid-0"]').click();
    await page.waitForURL(`**/#/item/${ids.red}`);
    // The note about red belongs with it: under "Belongs with" (a link) or among the related items.
    await page.locator('.aside a', { hasText: 'Fire station open day' }).first().waitFor();
    expect(await page.locator('dl').textContent()).toContain('4000 × 3000');
    await page.locator('img.photo.loaded').waitFor();
    await screenshot(page, 'item');
    await page.keyboard.press('Escape');
    await page.waitForURL(/#\/search\?q=red$/);
    await page.locator('[data-key="grid-0"]').waitFor();
  });

  it('views a photo: zoom loads the original, 0 fits, i hides the panel, a swipe goes to the next result', async () => {
    await page.locator('[data-key="grid-0"]').click();
    await page.waitForURL(`**/#/item/${ids.red}`);
    await page.locator('img.photo.loaded').waitFor();
    expect(await page.locator('img.original').count()).toBe(0); // the large thumbnail is enough at first
    await page.keyboard.press('+');
    await page.locator('img.original.loaded').waitFor(); // 4000 × 3000: the original, once zoomed in
    expect(await page.locator('.frame').evaluate((e) => getComputedStyle(e).transform)).not.toBe('none');
    await screenshot(page, 'viewer-zoomed');
    await page.keyboard.press('0');
    await page.waitForFunction(() => /matrix\(1, 0, 0, 1, 0, 0\)|none/.test(getComputedStyle(document.querySelector('.frame')!).transform));
    await page.keyboard.press('i');
    await page.locator('aside.aside.hidden').waitFor({ state: 'attached' });
    expect(await page.getByRole('button', { name: 'Details' }).getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.press('i');
    await page.locator('aside.aside:not(.hidden)').waitFor();
    // A swipe to the left: the next result.
    const box = (await page.locator('div.stage').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    await page.waitForURL((url) => /#\/item\/\d+$/.test(url.hash) && !url.hash.endsWith(`/${ids.red}`));
    await page.keyboard.press('Escape');
    await page.waitForURL(/#\/search\?q=red$/);
    await page.locator('[data-key="grid-0"]').waitFor();
  });

  it('moves through results with the keyboard, with a visible focus ring, and opens one with Enter', async () => {
    // Only the close matches show at first (the engine judges them); the weaker ones wait behind one button.
    const before = await page.locator('[data-key^="grid-"]').count();
    await page.getByRole('button', { name: /Show \d+ more, less close/ }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-key^="grid-"]').length > n, before);
    await page.keyboard.press('Control+k');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await page.keyboard.press('ArrowDown');
    expect(await activeKey()).toBe('grid-0');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await page.keyboard.press('ArrowRight');
    expect(await activeKey()).toBe('grid-1');
    await page.keyboard.press('ArrowDown');
    const below = await activeKey();
    expect(below).toMatch(/^grid-\d+$/);
    expect(Number(below!.slice(5))).toBeGreaterThan(1);
    await page.keyboard.press('ArrowUp');
    expect(await activeKey()).toMatch(/^grid-[0-3]$/);
    // Right along the row, then across to the cards beside the grid.
    let key = await activeKey();
    for (let i = 0; i < 8 && !key?.startsWith('cards-'); i++) {
      await page.keyboard.press('ArrowRight');
      key = await activeKey();
    }
    expect(key).toMatch(/^cards-\d+$/);
    const id = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.id);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/item/${id}(\\?at=\\d+)?$`)); // a note opens at its matched passage
    await page.locator('.prose').waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(/#\/search\?q=red$/);
    // Back on the result that was open, focused and selected.
    await page.waitForFunction((want) => (document.activeElement as HTMLElement | null)?.dataset.id === want, id);
    expect(await activeKey()).toBe(key);
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
  });

  it('filters by kind and by a date range', async () => {
    // The toggle writes the query, and the headings follow it.
    const notes = page.getByRole('button', { name: 'Notes' });
    await notes.click();
    await page.waitForURL(/q=red(%20|\+)kind%3Anote/);
    expect(await page.locator('input[type=search]').inputValue()).toBe('red kind:note');
    await page.waitForFunction(() => !document.querySelector('[data-key^="grid-"]') && !!document.querySelector('[data-key^="cards-"]'));
    expect(await page.locator('h2.heading').first().textContent()).toMatch(/^Notes\d/);
    await notes.click();
    await page.waitForURL(/q=red$/);
    await page.waitForFunction(() => !!document.querySelector('[data-key^="grid-"]'));
    // Typing a kind lights its toggle.
    await page.locator('input[type=search]').fill('red kind:audio');
    await page.waitForFunction(() => document.querySelector('button.chip[aria-pressed="true"]')?.textContent?.trim() === 'Audio');
    expect(await notes.getAttribute('aria-pressed')).toBe('false');
    await page.locator('input[type=search]').fill('red');
    await page.waitForURL(/q=red$/);
    await page.waitForFunction(() => !!document.querySelector('[data-key^="grid-"]'));
    // Two photos are from June 2024: the cyan one (EXIF) and the blue one (a date in its name, PXL_20240612_…).
    await page.locator('input[type=search]').fill('cyan');
    await page.getByRole('button', { name: /Any date/ }).click();
    await page.locator('input[type=date]').first().fill('2024-06-01');
    await page.locator('input[type=date]').nth(1).fill('2024-06-30');
    await page.keyboard.press('Escape');
    await page.waitForURL(/from=2024-06-01&to=2024-06-30/);
    // The cyan photo is the close match; the blue one of the same month is only near, behind "show more".
    await page.waitForFunction(
      (id) => document.querySelectorAll('[data-key^="grid-"]').length === 1 && document.querySelector('[data-key="grid-0"]')?.getAttribute('data-id') === id,
      String(ids.cyan),
    );
    await page.getByRole('button', { name: /Show 1 more, less close/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-key^="grid-"]').length === 2 && !document.querySelector('[data-key^="cards-"]'));
    await page.getByRole('button', { name: /Jun/ }).click();
    await page.getByRole('button', { name: 'Any date' }).click();
    // Every date again: the cyan photo close, the rest of the photos (more of them now) behind "show more".
    await page.getByRole('button', { name: /Show \d+ more, less close/ }).waitFor();
    await page.waitForFunction((id) => document.querySelector('[data-key="grid-0"]')?.getAttribute('data-id') === id, String(ids.cyan));
  });

  it('searches by a photo dropped on the search bar: a file from the computer, or one of the results', async () => {
    await goto('#/search?q=');
    // A file from a file manager: a red picture, drawn in the page.
    await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 96;
      c.height = 64;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = 'rgb(217, 26, 26)';
      ctx.fillRect(0, 0, 96, 64);
      const blob = await new Promise<Blob>((resolve) => c.toBlob((b) => resolve(b!), 'image/png'));
      const dt = new DataTransfer();
      dt.items.add(new File([blob], 'red.png', { type: 'image/png' }));
      const target = document.querySelector('label.search')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction((id) => document.querySelector('[data-key="grid-0"]')?.getAttribute('data-id') === id, String(ids.red));
    expect(await page.locator('.by-image img').getAttribute('alt')).toBe('Searching by red.png');
    await screenshot(page, 'search-by-photo');
    // One of the results, dragged onto the bar: it is not its own match.
    await page.evaluate((id) => {
      const dt = new DataTransfer();
      dt.setData('application/x-trove-item', String(id));
      dt.setData('text/plain', 'IMG_0412');
      const target = document.querySelector('label.search')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, ids.red);
    await page.waitForFunction(() => document.querySelector('.by-image img')?.getAttribute('alt') === 'Searching by IMG_0412');
    await page.waitForFunction((id) => !!document.querySelector('[data-key^="grid-"], [data-key^="cards-"], .more') && !document.querySelector(`[data-id="${id}"]`), String(ids.red));
    await page.getByRole('button', { name: 'Stop searching by this photo' }).click();
    await page.waitForFunction(() => !document.querySelector('.by-image'));
  });

  it('shows a note as a page with its related photos, and "more like this" for it', async () => {
    await goto(`#/item/${ids.redNote}`);
    await page.locator('.prose h2', { hasText: 'What we learned' }).waitFor();
    expect(await page.locator('.prose li').count()).toBe(3);
    await page.locator(`.aside a[href="#/item/${ids.red}"]`).first().waitFor();
    await screenshot(page, 'note');
    await page.getByRole('link', { name: 'More like this' }).click();
    await page.waitForURL(`**/#/similar/${ids.redNote}`);
    await page.locator('text=More like').waitFor();
    await page.locator('[data-key="grid-0"]').waitFor();
    expect(await page.locator('[data-key="grid-0"]').getAttribute('data-id')).toBe(String(ids.red));
  });

  it.skipIf(speechTools.length > 0)('finds words said in a recording, and plays it from the line clicked in its transcript', async () => {
    await goto('#/search?q=passage%20two&kinds=audio');
    const card = page.locator('[data-key="cards-0"]');
    await card.waitFor();
    expect(await card.locator('.title').textContent()).toBe('Harbour walk');
    expect(await card.locator('.where').textContent()).toMatch(/Said at 00:0\d/);
    expect(await card.locator('mark').allTextContents()).toEqual(['passage', 'two']);
    await card.click();
    await page.locator('ol.lines li').nth(2).waitFor();
    expect(await page.locator('ol.lines .words').allTextContents()).toEqual(['passage one', 'passage two', 'passage three']);
    // Opened from the line that matched: the player is already there.
    await page.waitForFunction(() => (document.querySelector('audio')?.readyState ?? 0) >= 1);
    const at = () => page.evaluate(() => document.querySelector('audio')!.currentTime * 1000);
    expect(Math.abs((await at()) - said[1]!.start)).toBeLessThan(400);
    expect(await page.locator('.line.active .words').textContent()).toBe('passage two');
    await page.locator('ol.lines .line').nth(2).click();
    expect(Math.abs((await at()) - said[2]!.start)).toBeLessThan(400);
    await page.locator('.line.active .words', { hasText: 'passage three' }).waitFor();
    await page.evaluate(() => document.querySelector('audio')!.pause());
    await screenshot(page, 'audio');
  });

  it('adds a folder from the Library page, pauses and resumes, shows indexing reach done, and removes it after asking', async () => {
    await goto('#/library');
    await page.locator('h1', { hasText: 'Library' }).waitFor();
    // Every phase the progress panel shows, recorded from the DOM as it changes.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { phases: Set<string> }).phases = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll<HTMLElement>('[data-phase]')) seen.add(el.dataset.phase!);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    // Paused before it starts, so the page shows a run waiting: then Resume lets it finish.
    await app.engine.pauseIndexing();
    await page.locator('#add-folder-path').fill(extra);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const resume = page.getByRole('button', { name: 'Resume' });
    await resume.waitFor();
    expect(await page.locator('section[aria-label="Indexing progress"] .phase').textContent()).toBe('Paused');
    await resume.click();
    const done = page.locator('[data-phase="done"]');
    await done.waitFor({ timeout: 60_000 });
    expect(await done.textContent()).toContain('30 of 30 files');
    const phases = await page.evaluate(() => [...(window as unknown as { phases: Set<string> }).phases]);
    expect(phases.some((p) => p === 'scanning' || p === 'embedding')).toBe(true);
    const root = page.locator(`li[data-root="${extra}"]`);
    await root.locator('.items', { hasText: '30 items' }).waitFor();
    await screenshot(page, 'library');
    // The new photos are searchable at once.
    await page.keyboard.press('/');
    await page.keyboard.type('orange');
    await page.locator('[data-key^="grid-"]').first().waitFor();
    const weaker = page.getByRole('button', { name: /Show \d+ more, less close/ });
    if (await weaker.count()) await weaker.click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-key^="grid-"]')].length > 11);
    await goto('#/library');
    await page.getByRole('button', { name: `Remove ${extra}` }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('30 items leave');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await root.waitFor({ state: 'detached' });
  });

  it('changes settings: the device, and the ignore patterns and text reading of a folder', async () => {
    await goto('#/settings');
    await page.locator('h2', { hasText: 'Search model' }).waitFor();
    await page.locator('.model.current', { hasText: 'In use' }).waitFor();
    await page.getByRole('radio', { name: 'CPU' }).click();
    await page.locator('[role=radio][aria-checked=true]', { hasText: 'CPU' }).waitFor();
    expect((await app.engine.getSettings()).device).toBe('cpu');
    await page.getByRole('radio', { name: 'Automatic' }).click();
    await page.locator('[role=radio][aria-checked=true]', { hasText: 'Automatic' }).waitFor();
    const folder = page.locator('.folder', { hasText: lib });
    await folder.locator('textarea').fill('**/drafts/**\n*.tmp');
    await folder.locator('.switch').click();
    await folder.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast', { hasText: 'Saved' }).waitFor();
    const root = (await app.engine.listRoots()).find((r) => r.path === lib)!;
    expect(root.ignore).toEqual(['**/drafts/**', '*.tmp']);
    expect(root.ocr).toBe(false);
    await page.evaluate(() => document.querySelector('.page')?.scrollTo(0, 0));
    await screenshot(page, 'settings');
    await app.engine.updateRoot({ id: root.id, ignore: [], ocr: true });
  });

  it('turns away a request without the token (401), and says so instead of showing a blank page', async () => {
    const bare = await fetch(`${app.server.origin}/api/status`, { method: 'POST', body: '{}' });
    expect(bare.status).toBe(401);
    expect((await fetch(`${app.server.origin}/media/${ids.red}/small`)).status).toBe(401);
    const { page: stranger } = await app.newPage();
    await stranger.goto(`${app.server.origin}/`);
    await stranger.locator('text=This page needs its key').waitFor();
    await screenshot(stranger, 'no-token');
  });

  it('follows the system dark theme', async () => {
    const { page: dark } = await app.newPage({ colorScheme: 'dark' });
    await dark.goto(`${app.server.url}#/search?q=red`);
    await dark.locator('[data-key="grid-0"]').waitFor();
    expect(await dark.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(20, 20, 22)');
    await tilesLoaded(dark);
    await screenshot(dark, 'search-dark');
    await dark.goto(`${app.server.url}#/item/${ids.red}`);
    await dark.locator('img.photo.loaded').waitFor();
    await screenshot(dark, 'item-dark');
  });

  it('in the desktop app uses window.trove and window.troveShell: calls, media URLs, errors and the folder picker', async () => {
    // A stand-in for the Electron preload: the contract over this server, failures as the plain objects the real
    // bridge rejects with, media through its own mediaUrl, and a folder picker that answers a set path.
    const { context, page: desk } = await app.newPage();
    await asDesktop(context, app.server.token, extra);
    await desk.goto(`${app.server.origin}/#/search?q=red`);
    await desk.locator('[data-key="grid-0"] img.loaded').waitFor();
    expect(await desk.locator('[data-key="grid-0"] img').getAttribute('src')).toMatch(/&token=/);
    expect(await desk.evaluate(() => (window as unknown as { bridgeCalls: string[] }).bridgeCalls)).toEqual(expect.arrayContaining(['status', 'search']));
    // A failure keeps its code across the bridge: NOT_FOUND reads as an item that is gone.
    await desk.goto(`${app.server.origin}/#/item/999999`);
    await desk.locator('text=This item is not in the library any more').waitFor();
    // The native picker instead of a path field; "show in folder" and "open" on an item.
    await desk.goto(`${app.server.origin}/#/library`);
    expect(await desk.locator('#add-folder-path').count()).toBe(0);
    await desk.getByRole('button', { name: 'Add a folder…' }).click();
    await desk.locator(`li[data-root="${extra}"] .items`, { hasText: '30 items' }).waitFor({ timeout: 60_000 });
    await desk.goto(`${app.server.origin}/#/item/${ids.red}`);
    await desk.getByRole('button', { name: 'Show in folder' }).waitFor();
    const root = (await app.engine.listRoots()).find((r) => r.path === extra)!;
    await app.engine.removeRoot({ id: root.id });
  });

  it('greets an empty library with the first-run walkthrough', async () => {
    const empty = Engine.open({ dataDir: join(tmp.dir, 'empty'), model: COLOURS_PACK, ocr: false });
    const served = await serve(empty, { staticDir: RENDERER });
    try {
      const { page: fresh } = await app.newPage();
      await fresh.goto(served.url);
      await fresh.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
      await screenshot(fresh, 'empty');
    } finally {
      await served.close();
      await empty.close();
    }
  });

  it('reported no errors in the page (uncaught exceptions, console errors, CSP violations)', () => {
    expect(app.problems).toEqual([]);
  });
});
