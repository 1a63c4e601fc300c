// The e2e harness: the renderer built once (and only when its sources changed), an Engine over a library with the
// fixture model pack served by browser mode, and Debian's Chromium driven by playwright-core. [Note: ui-e2e]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Engine, type EngineOptions } from '../../src/main/engine/index.js';
import { serve, type RunningServer } from '../../src/main/server/server.js';
import { OPERATION_NAMES } from '../../src/shared/api.js';
import { COLOURS_PACK, REPO } from '../helpers.js';

export const CHROMIUM = process.env.TROVE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Without a Chromium the browser tests are skipped with a warning on a developer's machine; in CI (which installs
 * Debian's chromium, see .ci/run) they run and fail loudly instead.
 */
export const NO_BROWSER = !existsSync(CHROMIUM) && !process.env.CI;
if (NO_BROWSER) console.warn(`UI tests skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set TROVE_CHROMIUM)`);
export const RENDERER = join(REPO, 'dist/renderer');
export const SCREENSHOTS = join(REPO, 'test-results/screenshots');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A hash of everything the build reads: the renderer, src/shared, the Vite config and the installed versions. */
function fingerprint(): string {
  const hash = createHash('sha256');
  const inputs = [...files(join(REPO, 'src/renderer')), ...files(join(REPO, 'src/shared')), join(REPO, 'vite.config.ts'), join(REPO, 'package-lock.json')];
  for (const f of inputs.sort()) {
    hash.update(relative(REPO, f));
    hash.update(readFileSync(f));
  }
  return hash.digest('hex');
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Builds the renderer into dist/renderer unless it is already built from these sources. Test files run in
 * parallel processes, so the build holds a lock (a folder: mkdir is atomic) and lands by rename, so no test ever
 * serves a half-written build.
 */
export async function ensureRenderer(): Promise<string> {
  const want = fingerprint();
  const stamp = join(RENDERER, '.fingerprint');
  const lock = join(REPO, 'dist/.renderer-build.lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  for (;;) {
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return RENDERER;
    try {
      mkdirSync(lock);
    } catch {
      // Another process builds; a lock older than two minutes is left over from a killed run.
      if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return RENDERER;
      const out = join(REPO, `dist/.renderer-${process.pid}`);
      const { build } = await import('vite');
      await build({ configFile: join(REPO, 'vite.config.ts'), root: join(REPO, 'src/renderer'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
      writeFileSync(join(out, '.fingerprint'), want);
      rmSync(RENDERER, { recursive: true, force: true });
      renameSync(out, RENDERER);
      return RENDERER;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export interface App {
  readonly engine: Engine;
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Problems the page reported: uncaught errors, console errors, CSP violations. */
  readonly problems: string[];
  newPage(options?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; locale?: string }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** `model: null`: no model given, so the library chooses its own as a new user's does (default: the fixture pack). */
export async function startApp(options: { dataDir: string; roots?: readonly string[]; index?: boolean; model?: string | null; engine?: Partial<EngineOptions> }): Promise<App> {
  const staticDir = await ensureRenderer();
  const engine = Engine.open({ dataDir: options.dataDir, ...(options.model === null ? {} : { model: options.model ?? COLOURS_PACK }), ocr: false, ...options.engine });
  for (const path of options.roots ?? []) await engine.addRoot({ path });
  if (options.index !== false && options.roots?.length) await engine.indexNow({});
  const server = await serve(engine, { staticDir });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    engine,
    server,
    browser,
    problems,
    async newPage(o = {}) {
      const context = await browser.newContext({ viewport: { width: o.width ?? 1360, height: o.height ?? 860 }, colorScheme: o.colorScheme ?? 'light', deviceScaleFactor: 1, reducedMotion: 'reduce', ...(o.locale ? { locale: o.locale } : {}) });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
        // Svelte's own warnings (the tests' build is a development one): each names a real defect.
        if (m.type() === 'warning' && m.text().includes('[svelte]')) problems.push(`svelte: ${m.text().replace(/%c/g, '').split('\n')[0]}`);
      });
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await server.close();
      await engine.close();
    },
  };
}

/** Waits until every photo tile on the page has its image (or shows that it has none). */
export async function tilesLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('.tile')].every((t) => t.querySelector('img.loaded') || t.querySelector('.missing')), null, { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/**
 * What does not fit the page's width: the page scrolling sideways, and controls that lie outside the viewport
 * with no container scrolling to them. Empty when everything fits. [Note: ui-e2e]
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over > 0) out.push(`the page scrolls ${over}px sideways`);
    /** A container between the control and the page that scrolls sideways to it. */
    const scrollsTo = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth) return true;
      }
      return false;
    };
    // A box whose content runs out of it (overflow visible) is drawn over what follows it: a long note over its
    // details. Its children in the flow are measured (a pop-up list placed over the page on purpose is not).
    const inFlow = (e: Element) => !['absolute', 'fixed'].includes(getComputedStyle(e).position);
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const s = getComputedStyle(el);
      if (s.overflowY !== 'visible' || !inFlow(el) || el.clientHeight === 0) continue;
      const next = el.nextElementSibling;
      if (!next || !inFlow(next) || next.getBoundingClientRect().height === 0) continue;
      const box = el.getBoundingClientRect();
      let bottom = box.bottom;
      for (const child of el.children) if (inFlow(child)) bottom = Math.max(bottom, child.getBoundingClientRect().bottom);
      const spill = Math.round(bottom - box.bottom);
      const below = next.getBoundingClientRect().top - box.bottom;
      if (spill > 4 && spill > below + 4) {
        out.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}'s content runs ${spill}px out of it, over the ${next.tagName.toLowerCase()} after it`);
      }
    }
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex="0"]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if ((r.left < -1 || r.right > window.innerWidth + 1) && !scrollsTo(el)) {
        out.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}" at ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
    }
    return out;
  });
}

/**
 * Makes a page the desktop app: a stand-in for the Electron preload with the contract over this server, failures
 * as the plain objects the real bridge rejects with, media through its own mediaUrl, and a folder picker that
 * answers `picked`. Calls are recorded in `window.bridgeCalls`.
 */
export async function asDesktop(context: BrowserContext, token: string, picked: string | null): Promise<void> {
  await context.addInitScript(
    ({ token, ops, picked }) => {
      const w = window as unknown as Record<string, unknown> & { bridgeCalls: string[] };
      w.bridgeCalls = [];
      const bridge: Record<string, unknown> = {
        on(event: string, listener: (payload: unknown) => void) {
          const source = new EventSource(`/api/events?token=${token}`);
          source.addEventListener(event, (e) => listener(JSON.parse((e as MessageEvent<string>).data)));
          return () => source.close();
        },
        mediaUrl: (id: number, variant: string, version?: string | null) => `/media/${id}/${variant}?v=${version ?? ''}&token=${token}`,
      };
      for (const op of ops) {
        bridge[op] = async (req: unknown) => {
          w.bridgeCalls.push(op);
          const res = await fetch(`/api/${op}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(req ?? {}) });
          const result = (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
          if (result.ok) return result.value;
          throw { name: 'TroveError', code: result.error!.code, message: result.error!.message };
        };
      }
      w.trove = bridge;
      w.troveShell = { pickFolder: async () => picked, showInFolder: async () => undefined, openItem: async () => undefined };
    },
    { token, ops: [...OPERATION_NAMES], picked },
  );
}
