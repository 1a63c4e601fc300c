// A long note opened from a search opens at the passage that matched, marked; and typing asks the server once.
// [Note: ui-notes]
import { mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { NO_BROWSER, screenshot, startApp, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('a long note opened from a search', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: App;

  beforeAll(async () => {
    tmp = tempDir('e2e-notes');
    const lib = join(tmp.dir, 'lib');
    mkdirSync(lib);
    const days = Array.from({ length: 60 }, (_, i) =>
      i === 47 ? `**Day ${i + 1}:** the *wheelbarrow* lost a wheel; I mended it with wire from the shed.` : `Day ${i + 1}: worked on the beds again; the soil was dry and the weather mild.`,
    );
    writeFileSync(join(lib, 'garden-journal.md'), `# Garden journal\n\n## Spring\n\n${days.slice(0, 30).join('\n\n')}\n\n## Summer\n\n${days.slice(30).join('\n\n')}\n`);
    writeFileSync(join(lib, 'shopping.txt'), 'Bread, milk and a new wheel for the barrow.\n');
    // A photo of nothing the notes speak of: related to them, but not closely.
    await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toFile(join(lib, 'grey.jpg'));
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib] });
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('asks the server once for what was typed', async () => {
    const { page } = await app.newPage();
    const asked: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/search')) asked.push(r.postData() ?? '');
    });
    await page.goto(app.server.url);
    await page.keyboard.press('/');
    await page.keyboard.type('wheelbarrow');
    await page.locator('[data-key="cards-0"]').waitFor();
    await page.waitForTimeout(600); // time for a second request, if one were coming
    expect(asked.length).toBe(1);
    expect(JSON.parse(asked[0]!)).toMatchObject({ query: 'wheelbarrow' });
  });

  for (const [width, colorScheme] of [[1280, 'light'], [390, 'dark'], [1600, 'dark']] as const) {
    it(`opens at the passage that matched and marks it (${width} px, ${colorScheme})`, async () => {
      const { page } = await app.newPage({ width, height: width === 390 ? 844 : 860, colorScheme });
      await page.goto(`${app.server.url}#/search?q=wheelbarrow`);
      const card = page.locator('[data-key="cards-0"]');
      await card.waitFor();
      expect(await card.locator('.title').textContent()).toBe('Garden journal');
      await card.click();
      await page.waitForURL(/#\/item\/\d+\?at=\d+$/);
      await page.locator('.prose').waitFor();
      // The marked range is the matched chunk, on screen; the note's top is scrolled away.
      await expect.poll(() => page.evaluate(() => CSS.highlights.get('trove-passage')?.size ?? 0)).toBe(1);
      const marked = await page.evaluate(() => {
        const range = [...CSS.highlights.get('trove-passage')!][0] as Range;
        const r = range.getBoundingClientRect();
        return { text: range.toString(), top: r.top, bottom: r.bottom, height: window.innerHeight };
      });
      expect(marked.text).toContain('wheelbarrow lost a wheel');
      expect(marked.top).toBeGreaterThanOrEqual(0);
      expect(marked.top).toBeLessThan(marked.height);
      const heading = await page.locator('.prose h1').boundingBox();
      expect(heading === null || heading.y < 0).toBe(true);
      await screenshot(page, `note-passage-${width}-${colorScheme}`);
      // Opened without a passage (the note itself, from its address), it starts at its top and marks nothing.
      const plain = `${app.server.url}${new URL(page.url()).hash.replace(/\?at=\d+$/, '')}`;
      const { page: fresh } = await app.newPage({ width, height: width === 390 ? 844 : 860, colorScheme });
      await fresh.goto(plain);
      await fresh.locator('.prose').waitFor();
      await fresh.waitForTimeout(200);
      expect(await fresh.evaluate(() => CSS.highlights.get('trove-passage')?.size ?? 0)).toBe(0);
      expect((await fresh.locator('.prose h1').boundingBox())!.y).toBeGreaterThan(0);
    });
  }

  it('says "Nothing close" above a related list of less close items only, not an empty heading', async () => {
    const journal = await app.engine.getItem({ path: join(tmp.dir, 'lib', 'garden-journal.md') });
    const related = await app.engine.related({ id: journal.id });
    expect(related.hits.length).toBeGreaterThan(0);
    expect(related.hits.every((h) => !h.close)).toBe(true);
    const { page } = await app.newPage();
    await page.goto(`${app.server.url}#/item/${journal.id}`);
    const section = page.locator('section[aria-label^="Related"]');
    await section.getByText('Nothing close.').waitFor();
    await section.getByRole('button', { name: /Show \d+ more, less close/ }).click();
    await section.locator('a.thumb').first().waitFor();
    expect(await section.getByText('Nothing close.').count()).toBe(0);
  });

  it('reported no errors in the page', () => {
    expect(app.problems).toEqual([]);
  });
});
