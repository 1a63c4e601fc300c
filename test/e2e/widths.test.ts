// Every page at every width ([Note: ui-e2e]): at 390, 1280 and 1600 px, light and dark, no page scrolls sideways
// and every control on it can be reached (it lies across the viewport's width, or inside a container that scrolls
// to it). Screenshots land in test-results/screenshots/widths-<page>-<width>-<scheme>.png.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnergyTranscriber } from '../fixtures/energy-transcriber.js';
import { makeTrips } from '../fixtures/make-trips.js';
import { tempDir } from '../helpers.js';
import { layoutProblems, NO_BROWSER, screenshot, startApp, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('every page at every width', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: App;
  const pages: [string, string, string][] = []; // name, address, what shows it is drawn

  beforeAll(async () => {
    tmp = tempDir('e2e-widths');
    const lib = join(tmp.dir, 'lib');
    const trips = await makeTrips(lib);
    // A long note: at 390 px its text must push its details down, not run under them.
    const days = Array.from({ length: 40 }, (_, i) => `Day ${i + 1}: worked in the garden again; the soil was dry and the weather mild.`);
    writeFileSync(join(lib, 'garden-journal.md'), `# Garden journal\n\n${days.join('\n\n')}\n`);
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib], engine: { transcriber: new EnergyTranscriber() } });
    const item = async (path: string) => (await app.engine.getItem({ path: join(lib, path) })).id;
    const sea = trips.trips.find((t) => t.name === 'sea')!;
    const photo = await item(sea.paths[0]!);
    const note = await item(sea.note.path);
    const memo = await item(sea.memo!);
    const journal = await item('garden-journal.md');
    const { collections } = await app.engine.listCollections({});
    pages.push(
      ['timeline', '', '[data-id]'],
      ['search', '#/search?q=sea', '[data-id]'],
      ['filters', '#/search?q=kind%3Anote', '[data-id]'],
      ['photo', `#/item/${photo}`, 'img.photo.loaded'],
      ['note', `#/item/${note}`, '.prose'],
      ['long note', `#/item/${journal}`, '.prose'],
      ['recording', `#/item/${memo}`, 'audio'],
      ['similar', `#/similar/${photo}`, '[data-id]'],
      ['collections', '#/collections', '[data-collection]'],
      ['collection', `#/collection/${collections[0]!.id}`, '[data-id]'],
      ['duplicates', '#/duplicates', 'h1'],
      ['places', '#/places', 'h1'],
      ['library', '#/library', 'h1'],
      ['settings', '#/settings', 'h1'],
    );
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('fits 390, 1280 and 1600 px, light and dark: nothing sideways, every control reachable', async () => {
    const problems: string[] = [];
    for (const width of [390, 1280, 1600]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, context } = await app.newPage({ width, height: width === 390 ? 844 : 900, colorScheme });
        for (const [name, hash, ready] of pages) {
          await page.goto(`${app.server.url}${hash}`);
          await page.locator(ready).first().waitFor({ state: 'attached' });
          await page.waitForTimeout(150);
          const found = await layoutProblems(page);
          for (const f of found) problems.push(`${name} at ${width} ${colorScheme}: ${f}`);
          await screenshot(page, `widths-${name}-${width}-${colorScheme}`);
        }
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });

  it('reported no errors in the page', () => {
    expect(app.problems).toEqual([]);
  });
});
