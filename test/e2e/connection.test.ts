// Browser mode's connection ([Note: browser-mode]): when the server stops, the page says so at once, and when it is
// back on the same address and key (a restart of `trove serve`), the page reconnects by itself and carries on.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../src/main/server/server.js';
import { makeLibrary } from '../fixtures/make-library.js';
import { tempDir } from '../helpers.js';
import { NO_BROWSER, RENDERER, screenshot, startApp, type App } from './harness.js';

describe.skipIf(NO_BROWSER)('browser mode survives a server restart', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: App;
  let again: RunningServer | null = null;

  beforeAll(async () => {
    tmp = tempDir('e2e-connection');
    await makeLibrary(join(tmp.dir, 'lib'));
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [join(tmp.dir, 'lib')] });
  });

  afterAll(async () => {
    await again?.close();
    await app?.close();
    tmp?.cleanup();
  });

  it('shows a banner while the server is gone and reconnects when it is back', async () => {
    for (const width of [390, 1280]) {
      const { page, context } = await app.newPage({ width, height: 800 });
      await page.goto(`${app.server.url}#/search?q=red`);
      await page.locator('[data-id]').first().waitFor();
      const banner = page.getByRole('status').filter({ hasText: "Trove's server has stopped" });
      expect(await banner.count()).toBe(0);
      await app.server.close();
      await banner.waitFor({ timeout: 5000 });
      await screenshot(page, `server-stopped-${width}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBe(0);
      // Back on the same port with the same key, as `trove serve` does on the same library.
      again = await serve(app.engine, { port: app.server.port, token: app.server.token, staticDir: RENDERER });
      await banner.waitFor({ state: 'detached', timeout: 10_000 });
      // The page works as before: a new search answers.
      await page.getByRole('searchbox').fill('blue');
      await page.waitForFunction(() => location.hash.includes('q=blue'));
      await page.locator('[data-id]').first().waitFor();
      await context.close();
      await again.close();
      again = null;
      // The next round stops "the server" again: the harness's own is the restarted one's twin.
      (app as { server: RunningServer }).server = await serve(app.engine, { port: app.server.port, token: app.server.token, staticDir: RENDERER });
    }
  });
});
