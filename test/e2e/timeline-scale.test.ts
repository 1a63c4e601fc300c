// The timeline at 100,000 items in a browser: the page's `timeline` requests are answered from a synthetic library
// of 100k items over ten years (the engine's own speed at that size is measured by `npm run bench`), so this checks
// what the UI does with it: only the lines near the viewport in the DOM, a month asked for only when it comes near
// (a jump of the scrubber to the oldest month asks for that month, not the ten years before it), and what is on
// screen staying put while the months above it load. It also prints the figures behind [Note: ui-timeline].
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJson } from '../../src/shared/codec.js';
import type { ItemSummary, TimelineMonth, TimelinePage } from '../../src/shared/types.js';
import { makeLibrary } from '../fixtures/make-library.js';
import { tempDir } from '../helpers.js';
import { NO_BROWSER, startApp, type App } from './harness.js';

const ITEMS = 100_000;
const FIRST_ID = 10_000_000;
const YEARS = 10;

/** 100k items newest first: photos of mixed shapes with a note or a recording now and then, spread over ten years. */
function synthetic(): ItemSummary[] {
  const end = Date.UTC(2025, 0, 1);
  const span = YEARS * 365 * 86_400_000;
  const shapes = [
    [4000, 3000],
    [3000, 4000],
    [1920, 1080],
    [1000, 1000],
    [3000, 2000],
  ] as const;
  const out: ItemSummary[] = [];
  for (let i = 0; i < ITEMS; i++) {
    // Denser in some months than others: a sine over the years, so months hold from ~300 to ~1,400 items.
    const f = i / ITEMS;
    const t = end - 3_600_000 - Math.round(span * (f + 0.04 * Math.sin(f * 40)));
    const kind = i % 23 === 0 ? 'note' : i % 61 === 0 ? 'audio' : 'photo';
    const [w, h] = shapes[i % shapes.length]!;
    out.push({
      id: FIRST_ID + i,
      rootId: 1,
      path: `/synthetic/${i}.jpg`,
      relPath: `synthetic/${i}.jpg`,
      kind,
      title: kind === 'photo' ? `IMG_${i}` : kind === 'note' ? `Journal ${i}` : `Memo ${i}`,
      size: 1000,
      mtime: t,
      takenAt: t,
      timeSource: 'exif',
      status: 'indexed',
      error: null,
      width: kind === 'photo' ? w : null,
      height: kind === 'photo' ? h : null,
      durationMs: kind === 'audio' ? 65_000 : null,
    });
  }
  return out.sort((a, b) => b.takenAt! - a.takenAt! || b.id - a.id);
}

function months(items: readonly ItemSummary[]): TimelineMonth[] {
  const counts = new Map<string, number>();
  for (const it of items) {
    const m = new Date(it.takenAt!).toISOString().slice(0, 7);
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return [...counts].map(([month, count]) => {
    const [y, mm] = month.split('-').map(Number) as [number, number];
    return { month, count, start: Date.UTC(y, mm - 1, 1), end: Date.UTC(y, mm, 1) };
  });
}

/** The `timeline` operation over the synthetic items: keyset pages, `from`, months on the first page. */
function answer(items: readonly ItemSummary[], all: TimelineMonth[], req: { cursor?: string; from?: number; limit?: number }): TimelinePage {
  let at = 0;
  if (req.from !== undefined) {
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]!.takenAt! >= req.from) lo = mid + 1;
      else hi = mid;
    }
    at = lo;
  }
  if (req.cursor) {
    const [t, id] = req.cursor.split(':').map(Number) as [number, number];
    at = items.findIndex((x, i) => i >= at && (x.takenAt! < t || (x.takenAt === t && x.id < id)));
    if (at < 0) at = items.length;
  }
  const limit = req.limit ?? 200;
  const page = items.slice(at, at + limit);
  const last = page[page.length - 1];
  return { items: page.map((x) => ({ ...x, excerpt: x.kind === 'photo' ? null : `Words of item ${x.id}` })), next: at + limit < items.length && last ? `${last.takenAt}:${last.id}` : null, months: req.cursor === undefined ? all : null, total: items.length };
}

describe.skipIf(NO_BROWSER)('the timeline at 100,000 items', () => {
  let tmp: { dir: string; cleanup: () => void };
  let app: App;
  let page: Page;
  const items = synthetic();
  const all = months(items);
  const asked: { cursor?: string; from?: number; limit?: number }[] = [];

  const domItems = () => page.locator('[data-id]').count();
  const scroller = '[aria-label="Timeline"]';
  const settle = async () => {
    // Until no month on screen is still a placeholder and no request is on its way.
    await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel)!;
        const top = el.getBoundingClientRect().top;
        const bottom = top + el.clientHeight;
        return [...el.querySelectorAll('.pending')].every((p) => {
          const r = p.getBoundingClientRect();
          return r.bottom < top || r.top > bottom;
        });
      },
      scroller,
      { timeout: 20_000 },
    );
  };

  beforeAll(async () => {
    tmp = tempDir('e2e-timeline-scale');
    const lib = join(tmp.dir, 'lib');
    await makeLibrary(lib);
    app = await startApp({ dataDir: join(tmp.dir, 'data'), roots: [lib] });
    const tile = await sharp({ create: { width: 96, height: 72, channels: 3, background: { r: 90, g: 130, b: 170 } } }).webp().toBuffer();
    ({ page } = await app.newPage({ width: 1440, height: 900 }));
    await page.route('**/api/timeline', async (route: Route) => {
      const req = JSON.parse(route.request().postData() ?? '{}') as { cursor?: string; from?: number; limit?: number };
      asked.push(req);
      await route.fulfill({ status: 200, contentType: 'application/json', body: encodeJson({ ok: true, value: answer(items, all, req) }) });
    });
    await page.route(/\/media\/1\d{7}\//, (route) => route.fulfill({ status: 200, contentType: 'image/webp', body: tile }));
  });

  afterAll(async () => {
    await app?.close();
    tmp?.cleanup();
  });

  it('shows the newest months with only the lines near the viewport in the DOM, asking for little', async () => {
    await page.goto(app.server.url);
    await page.locator('h2.month').first().waitFor();
    await settle();
    expect(await page.locator('h2.month').first().textContent()).toMatch(/^December 2024/);
    expect(await domItems()).toBeGreaterThan(10);
    expect(await domItems()).toBeLessThan(250);
    // The first page and the months near the viewport; not the library.
    expect(asked.length).toBeLessThan(6);
    expect(asked.reduce((n, r) => n + (r.limit ?? 0), 0)).toBeLessThan(4000);
  });

  it('scrolls down forty screenfuls, loading months as they come near, the DOM staying small', async () => {
    const before = asked.length;
    let most = 0;
    const frames: number[] = [];
    // Tasks over 50 ms while scrolling (the browser's own measure of a stall).
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: false });
    });
    for (let step = 0; step < 40; step++) {
      // A screenful at a time, each in one frame, timing the frame the page needs to draw it.
      frames.push(
        await page.evaluate(
          (sel) =>
            new Promise<number>((resolve) => {
              const el = document.querySelector(sel)!;
              const t0 = performance.now();
              el.scrollTop += el.clientHeight;
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
            }),
          scroller,
        ),
      );
      most = Math.max(most, await domItems());
    }
    await settle();
    most = Math.max(most, await domItems());
    expect(most).toBeLessThan(300);
    const months = asked.length - before;
    expect(months).toBeGreaterThan(0);
    expect(months).toBeLessThan(40);
    const sorted = [...frames].sort((a, b) => a - b);
    const long = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(
      `[timeline 100k] 40 screenfuls: DOM ≤ ${most} items; ${months} month requests; two frames after each jump of one screen: median ${sorted[20]!.toFixed(1)} ms, max ${sorted[39]!.toFixed(1)} ms; tasks over 50 ms: ${long.length}${long.length ? ` (longest ${Math.max(...long).toFixed(0)} ms)` : ''}`,
    );
  });

  it('jumps to the oldest month with the scrubber, asking for that month only, and keeps it in place while it loads', async () => {
    const before = asked.length;
    const slider = page.getByRole('slider', { name: 'Jump to a date' });
    await slider.focus();
    const t0 = Date.now();
    await page.keyboard.press('End');
    const oldest = all[all.length - 1]!.month;
    const [y, m] = oldest.split('-').map(Number) as [number, number];
    const label = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, 1)));
    await page.locator('h2.month', { hasText: label }).waitFor();
    await settle();
    const ms = Date.now() - t0;
    const jumps = asked.slice(before);
    // The month itself (from its end) and its neighbours on screen, never the years in between.
    expect(jumps.length).toBeLessThanOrEqual(6);
    expect(jumps.some((r) => r.from === all[all.length - 1]!.end)).toBe(true);
    expect(await slider.getAttribute('aria-valuetext')).toBe(label);
    expect(await domItems()).toBeLessThan(300);
    console.log(`[timeline 100k] End on the scrubber: ${jumps.length} requests, ${ms} ms to the oldest month drawn`);
  });

  it('clicks the middle of the scrubber: the month there loads, and what is on screen stays put as the months above settle', async () => {
    const box = (await page.getByRole('slider', { name: 'Jump to a date' }).boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await settle();
    const top = () =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel)!;
        const y = el.getBoundingClientRect().top;
        const first = [...el.querySelectorAll<HTMLElement>('[data-id]')].find((e) => e.getBoundingClientRect().bottom > y + 4);
        return first ? { id: first.dataset.id, y: Math.round(first.getBoundingClientRect().top) } : null;
      }, scroller);
    const seen = await top();
    expect(seen).not.toBeNull();
    // The months above it load when scrolled to; the anchored item does not move while they do.
    await page.evaluate((sel) => {
      document.querySelector(sel)!.scrollTop -= 40;
    }, scroller);
    await page.waitForTimeout(600);
    await settle();
    const after = await top();
    expect(after?.id === seen!.id || Math.abs((after?.y ?? 0) - seen!.y) < 200).toBe(true);
    expect(app.problems).toEqual([]);
  });
});
