// The main window's size, position and maximised state, remembered between launches in a small JSON file in the
// library folder (Electron's userData). Restored only where it still fits: a window saved on a monitor that has
// since been unplugged, or larger than the screen it lands on, is moved and shrunk onto a display that exists.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 720, height: 480 } as const;
/** How much of the window must lie on a display for its saved place to count as visible (a title bar's worth). */
const VISIBLE = { width: 120, height: 48 } as const;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Where the window opens, from what was saved (anything: a file may be hand-edited or from another machine) and
 * the work areas of the displays there are now. No x/y in the answer means "let the system centre it".
 */
export function restoreState(saved: unknown, workAreas: readonly Rect[]): WindowState {
  const s = (saved && typeof saved === 'object' ? saved : {}) as Record<string, unknown>;
  const maximized = s.maximized === true;
  const largest = workAreas.reduce<Rect | null>((a, b) => (!a || b.width * b.height > a.width * a.height ? b : a), null);
  const fit = (value: unknown, fallback: number, min: number, max: number | undefined) => {
    const v = finite(value) ? Math.round(value) : fallback;
    const capped = max === undefined ? v : Math.min(v, max);
    return Math.max(Math.min(min, max ?? min), capped);
  };
  let width = fit(s.width, DEFAULT_SIZE.width, MIN_SIZE.width, largest?.width);
  let height = fit(s.height, DEFAULT_SIZE.height, MIN_SIZE.height, largest?.height);
  if (!finite(s.x) || !finite(s.y)) return { width, height, maximized };

  const wanted = { x: Math.round(s.x), y: Math.round(s.y), width, height };
  // The display that holds most of the window; it must hold at least a title bar's worth to be reachable.
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlap(wanted, area);
    if (o.width >= Math.min(VISIBLE.width, width) && o.height >= Math.min(VISIBLE.height, height) && o.width * o.height > bestArea) {
      best = area;
      bestArea = o.width * o.height;
    }
  }
  if (!best) return { width, height, maximized };
  width = Math.min(width, best.width);
  height = Math.min(height, best.height);
  const x = Math.min(Math.max(wanted.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(wanted.y, best.y), best.y + best.height - height);
  return { x, y, width, height, maximized };
}

export function loadState(file: string, workAreas: readonly Rect[]): WindowState {
  let saved: unknown = null;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first launch, or a damaged file: the defaults
  }
  return restoreState(saved, workAreas);
}

/** Writes through a temporary file, so a crash mid-write never leaves half a file. */
export function saveState(file: string, state: WindowState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, file);
}

/** The part of a BrowserWindow whose state is remembered. */
export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
}

/** Saves the window's state shortly after it moves or resizes, and when it closes. */
export function trackWindow(win: TrackedWindow, file: string, onError: (error: Error) => void = () => undefined): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    try {
      // Normal bounds: what the window returns to when unmaximised, not the maximised or full-screen size.
      const b = win.getNormalBounds();
      saveState(file, { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() || win.isFullScreen() });
    } catch (error) {
      onError(error as Error);
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', save);
}
