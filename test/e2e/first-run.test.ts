// The first-run walkthrough in a real browser ([Note: first-run], [Note: ui-e2e]): a new library picks its folders
// (browser mode's path field completes existing folders), chooses the search model from the catalogue (a test's,
// through TROVE_CATALOGUE_DIR, with the fixture pack served as a Hugging Face repository on 127.0.0.1), sees the
// download advance before anything is indexed, and lands on the indexing. Offline, it says so in one sentence and
// its help panel lists the files; copies put there by hand then install. Each step is checked at 390, 1280 and
// 1600 px in light and dark: nothing sideways, every control reachable.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackManifest } from '../../src/main/engine/models/pack.js';
import { makeLibrary } from '../fixtures/make-library.js';
import { COLOURS_PACK, tempDir } from '../helpers.js';
import { startServer, type Served, type TestServer } from '../http-server.js';
import { asDesktop, layoutProblems, NO_BROWSER, screenshot, startApp, type App } from './harness.js';

const manifest = JSON.parse(readFileSync(join(COLOURS_PACK, 'trove-pack.json'), 'utf8')) as PackManifest;

function catalogue(dir: string): string {
  const { files, towers, dimensions, contextLength, licence } = manifest;
  const out = join(dir, 'catalogue');
  mkdirSync(out, { recursive: true });
  const entry = (id: string, title: string, languages: string, languageCodes: string[]) => ({ format: 1, id, revision: '1', title, licence, languages, languageCodes, dimensions, contextLength, towers, source: { repo: 'test-org/colours', revision: 'main' }, files });
  writeFileSync(join(out, 'colours-mirror.json'), JSON.stringify(entry('colours-mirror', 'Colours — sixteen colour words', 'English', ['en'])));
  writeFileSync(join(out, 'colours-wide.json'), JSON.stringify(entry('colours-wide', 'Colours wide — the same, for a second choice', 'Colour words in 12 languages, Chinese included', ['mul'])));
  return out;
}

async function open(dataDir: string, cat: string, modelBaseUrl: string): Promise<App> {
  // The Engine reads its catalogue when it opens; this test file has its own process (vitest's forks pool).
  process.env.TROVE_CATALOGUE_DIR = cat;
  try {
    // No model given: the library chooses one, as a new user's does.
    return await startApp({ dataDir, model: null, engine: { modelBaseUrl } });
  } finally {
    delete process.env.TROVE_CATALOGUE_DIR;
  }
}

/** Every width and scheme of the page as it is now: problems found, and a screenshot of each. */
async function everyWidth(app: App, url: string, prepare: (page: Page) => Promise<void>, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const width of [390, 1280, 1600]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context } = await app.newPage({ width, height: width === 390 ? 844 : 900, colorScheme });
      await page.goto(url);
      await prepare(page);
      await page.waitForTimeout(100);
      for (const p of await layoutProblems(page)) problems.push(`${name} at ${width} ${colorScheme}: ${p}`);
      await screenshot(page, `first-run-${name}-${width}-${colorScheme}`);
      await context.close();
    }
  }
  return problems;
}

/** Step 1 by typing the folder (browser mode), then on to the model step. */
async function throughFolders(page: Page, folder: string): Promise<void> {
  await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
  await page.getByRole('combobox', { name: 'Folder to search' }).fill(folder);
  await page.waitForTimeout(250);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('list', { name: 'Folders to search' }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('label[data-model="colours-mirror"]').waitFor();
}

describe.skipIf(NO_BROWSER)('the first-run walkthrough', () => {
  let tmp: { dir: string; cleanup: () => void };
  let lib: string;
  let cat: string;
  let server: TestServer;

  beforeAll(async () => {
    tmp = tempDir('e2e-first-run');
    lib = join(tmp.dir, 'home', 'Pictures and notes');
    await makeLibrary(lib);
    mkdirSync(join(tmp.dir, 'home', 'Pets'));
    cat = catalogue(tmp.dir);
    const files: Record<string, Served> = {};
    for (const f of manifest.files) {
      // The graphs trickle in so the progress can be seen.
      files[`/test-org/colours/resolve/main/${f.path}`] = { body: readFileSync(join(COLOURS_PACK, f.path)), ...(f.path.endsWith('.onnx') ? { trickle: { bytes: 400, pauseMs: 60 } } : {}) };
    }
    server = await startServer(files);
  });

  afterAll(async () => {
    await server?.close();
    tmp?.cleanup();
  });

  it('picks folders with completion, chooses a model, shows its download, then indexes', async () => {
    const app = await open(join(tmp.dir, 'online'), cat, server.url);
    try {
      const { page } = await app.newPage();
      await page.goto(app.server.url);
      await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
      // With nothing typed the home folder is offered; a folder typed in part is completed from what exists.
      await page.getByRole('button', { name: /Home folder/ }).waitFor();
      const field = page.getByRole('combobox', { name: 'Folder to search' });
      await field.fill(join(tmp.dir, 'home', 'pi'));
      const option = page.getByRole('option', { name: 'Pictures and notes' });
      await option.waitFor();
      expect(await page.getByRole('option').count()).toBe(1); // Pets does not start with "pi"
      await field.press('ArrowDown');
      await field.press('Enter'); // takes the folder, and lists what is inside it
      await expect.poll(() => field.inputValue()).toBe(`${lib}/`);
      await field.press('Enter'); // adds it
      await page.getByRole('list', { name: 'Folders to search' }).getByText(lib).waitFor();
      // A path that is not a folder is refused in words, and nothing is added.
      await field.fill(join(tmp.dir, 'home', 'nowhere'));
      await page.waitForTimeout(300);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('alert').getByText('is not a folder on this computer').waitFor();
      expect(await page.getByRole('list', { name: 'Folders to search' }).getByRole('listitem').count()).toBe(1);
      await field.fill('');

      await page.getByRole('button', { name: 'Continue' }).click();
      const mirror = page.locator('label[data-model="colours-mirror"]');
      await mirror.waitFor();
      expect(await mirror.textContent()).toContain('8.2 kB to download');
      expect(await mirror.textContent()).toContain('Licence MIT');
      expect(await page.locator('label[data-model="colours-wide"]').textContent()).toContain('Chinese included');
      await page.getByRole('radio', { name: /Colours wide/ }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Ready to start' }).waitFor();
      expect(await page.locator('.summary').textContent()).toContain('Colours wide');

      // The download's advance, recorded from the bar as it changes; nothing is indexed before it ends.
      await page.evaluate(() => {
        const seen: number[] = [];
        (window as unknown as { seen: number[] }).seen = seen;
        new MutationObserver(() => {
          const now = Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? NaN);
          if (Number.isFinite(now) && seen.at(-1) !== now) seen.push(now);
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await page.getByRole('button', { name: /Download 8\.2 kB and start/ }).click();
      await page.getByRole('progressbar').waitFor();
      expect((await app.engine.listRoots()).length).toBe(0);
      await screenshot(page, 'first-run-downloading');
      // Then the start page shows the library being indexed, or already indexed.
      await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor({ state: 'detached', timeout: 60_000 });
      await page.getByRole('heading', { name: /Indexing your library|What are you looking for/ }).or(page.locator('[data-id]').first()).waitFor({ timeout: 60_000 });
      const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
      expect((await app.engine.listRoots()).map((r) => r.path)).toEqual([lib]);
      expect((await app.engine.getSettings()).model).toBe('colours-wide');
      await expect.poll(async () => (await app.engine.status()).counts.photo, { timeout: 60_000 }).toBeGreaterThan(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('offers first a model that searches in the language the person reads', async () => {
    const app = await open(join(tmp.dir, 'chinese'), cat, server.url);
    try {
      const toModels = async (locale: string) => {
        const { page } = await app.newPage({ locale });
        await page.goto(app.server.url);
        await throughFolders(page, lib);
        return page;
      };
      const zh = await toModels('zh-CN');
      expect(await zh.getByRole('radio', { name: /Colours wide/ }).isChecked()).toBe(true);
      expect(await zh.locator('label[data-model="colours-wide"]').textContent()).toContain('Recommended');
      expect(await zh.locator('[data-why-recommended]').textContent()).toContain('Recommended for 中文: Colours searches in English only.');
      await screenshot(zh, 'first-run-model-zh');
      const en = await toModels('en-GB');
      expect(await en.getByRole('radio', { name: /Colours — sixteen/ }).isChecked()).toBe(true);
      expect(await en.locator('[data-why-recommended]').count()).toBe(0);
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('started with a pack named (trove serve --model), offers that pack and says it is the one used', async () => {
    process.env.TROVE_CATALOGUE_DIR = cat;
    const app = await startApp({ dataDir: join(tmp.dir, 'named'), model: COLOURS_PACK, engine: { modelBaseUrl: server.url } }).finally(() => delete process.env.TROVE_CATALOGUE_DIR);
    try {
      const toModel = async (page: Page) => {
        await throughFolders(page, lib);
        await page.locator('[data-start-model]').waitFor();
      };
      const problems = await everyWidth(app, app.server.url, toModel, 'named-model');
      expect(problems).toEqual([]);
      const { page } = await app.newPage();
      await page.goto(app.server.url);
      await toModel(page);
      expect(await page.locator('[data-start-model]').textContent()).toContain(`--model ${COLOURS_PACK}`);
      // The folder choice holds the pack's path, ready to go on with; the catalogue's packs are not chosen.
      expect(await page.getByRole('radio', { name: /A model folder already on this computer/ }).isChecked()).toBe(true);
      expect(await page.getByRole('combobox', { name: 'Model folder' }).inputValue()).toBe(COLOURS_PACK);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Ready to start' }).waitFor();
      expect(await page.locator('.summary').textContent()).toContain(COLOURS_PACK);
      // Settings says so too.
      await page.goto(`${app.server.url}#/settings`);
      await page.locator('[data-start-model]').waitFor();
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('in the desktop app, picks folders with the system picker', async () => {
    const app = await open(join(tmp.dir, 'desktop'), cat, server.url);
    try {
      const { context, page } = await app.newPage();
      await asDesktop(context, app.server.token, lib);
      await page.goto(`${app.server.origin}/`);
      await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
      expect(await page.getByRole('combobox').count()).toBe(0); // no path field: the picker
      await page.getByRole('button', { name: 'Choose a folder…' }).click();
      await page.getByRole('list', { name: 'Folders to search' }).getByText(lib).waitFor();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('label[data-model="colours-mirror"]').waitFor();
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('offline: one sentence, a help panel with the files, and a copy made by hand that installs', async () => {
    const app = await open(join(tmp.dir, 'offline'), cat, 'http://127.0.0.1:59999');
    try {
      const toStep3 = (page: Page) => throughFolders(page, lib);
      const problems: string[] = [];
      // Each step, at every width, light and dark.
      problems.push(...(await everyWidth(app, app.server.url, async (page) => {
        await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor();
        await page.getByRole('combobox', { name: 'Folder to search' }).fill(join(tmp.dir, 'home') + '/');
        await page.getByRole('option', { name: 'Pets' }).waitFor();
      }, 'folders')));
      problems.push(...(await everyWidth(app, app.server.url, toStep3, 'model')));
      problems.push(...(await everyWidth(app, app.server.url, async (page) => {
        await toStep3(page);
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByRole('button', { name: /and start/ }).click();
        await page.getByRole('button', { name: 'How to install it by hand' }).click();
        await page.locator('#install-guide').waitFor();
      }, 'offline')));
      expect(problems).toEqual([]);

      const { page } = await app.newPage();
      await page.goto(app.server.url);
      // A folder that is not a model pack is refused before going on.
      await toStep3(page);
      await page.getByRole('radio', { name: /A model folder already on this computer/ }).check();
      await page.getByRole('combobox', { name: 'Model folder' }).fill(join(tmp.dir, 'home', 'Pets'));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('heading', { name: 'Ready to start' }).count()).toBe(0);
      await page.getByRole('radio', { name: /Colours — sixteen/ }).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: /and start/ }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      // One sentence that says what happened and what to do, never the engine's paragraph.
      expect((await alert.textContent())!.trim()).toBe('Trove could not reach 127.0.0.1:59999 to download Colours. Check that this computer is online and try again, or install it by hand.');
      // Another model can be chosen from here; it fails the same way offline.
      await page.getByRole('button', { name: 'Choose another model' }).click();
      await page.getByRole('heading', { name: 'How should Trove understand your photos?' }).waitFor();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: /and start/ }).click();
      await alert.waitFor();
      await page.getByRole('button', { name: 'How to install it by hand' }).click();
      const guide = page.locator('#install-guide');
      const folder = (await guide.locator('code').textContent())!;
      expect(folder).toBe(join(tmp.dir, 'offline', 'models', 'colours-mirror.download'));
      const links = await guide.locator('.files a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
      expect(links).toContainEqual(['onnx/vision_model.onnx', 'http://127.0.0.1:59999/test-org/colours/resolve/main/onnx/vision_model.onnx']);
      expect(links).toHaveLength(manifest.files.length);
      expect(await guide.textContent()).toContain('8.2 kB in all');
      // The person fetches the files elsewhere and puts them there; Try again then installs with no network.
      for (const f of manifest.files) {
        mkdirSync(dirname(join(folder, f.path)), { recursive: true });
        copyFileSync(join(COLOURS_PACK, f.path), join(folder, f.path));
      }
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(async () => (await app.engine.listRoots()).length, { timeout: 30_000 }).toBe(1);
      expect((await app.engine.getSettings()).model).toBe('colours-mirror');
      await page.getByRole('heading', { name: 'Welcome to Trove' }).waitFor({ state: 'detached', timeout: 30_000 });
      expect(app.problems).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
