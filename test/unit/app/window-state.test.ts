// The window comes back where it was, as long as that place is still on a screen.
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SIZE, loadState, MIN_SIZE, restoreState, saveState, trackWindow } from '../../../src/main/app/window-state.js';
import { tempDir } from '../../helpers.js';

const laptop = { x: 0, y: 0, width: 1440, height: 875 }; // work area below a 25 px menu bar
const monitor = { x: 1440, y: -200, width: 2560, height: 1400 };

describe('restoreState', () => {
  it('keeps a window that is on a display', () => {
    expect(restoreState({ x: 100, y: 80, width: 1000, height: 700, maximized: false }, [laptop])).toEqual({ x: 100, y: 80, width: 1000, height: 700, maximized: false });
    expect(restoreState({ x: 2000, y: 0, width: 1600, height: 1000, maximized: true }, [laptop, monitor])).toEqual({ x: 2000, y: 0, width: 1600, height: 1000, maximized: true });
  });

  it('forgets the place of a window whose monitor is gone, keeping a size that fits', () => {
    expect(restoreState({ x: 2000, y: 0, width: 1600, height: 1000, maximized: false }, [laptop])).toEqual({ width: 1440, height: 875, maximized: false });
  });

  it('pulls a window hanging off an edge back onto its display, and shrinks one larger than it', () => {
    expect(restoreState({ x: 1300, y: 700, width: 800, height: 600, maximized: false }, [laptop])).toEqual({ x: 640, y: 275, width: 800, height: 600, maximized: false });
    expect(restoreState({ x: -50, y: -30, width: 3000, height: 2000, maximized: false }, [laptop])).toEqual({ x: 0, y: 0, width: 1440, height: 875, maximized: false });
  });

  it('does not count a sliver as visible: the title bar must be reachable', () => {
    expect(restoreState({ x: 1430, y: 100, width: 800, height: 600, maximized: false }, [laptop])).toEqual({ width: 800, height: 600, maximized: false });
  });

  it('uses the defaults for anything missing or nonsensical', () => {
    const defaults = { width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height, maximized: false };
    expect(restoreState(null, [monitor])).toEqual(defaults);
    expect(restoreState('garbage', [monitor])).toEqual(defaults);
    expect(restoreState({ x: 'a', y: null, width: Number.NaN, height: -5 }, [monitor])).toEqual({ ...defaults, height: MIN_SIZE.height });
    expect(restoreState({ width: 10, height: 10 }, [monitor])).toEqual({ width: MIN_SIZE.width, height: MIN_SIZE.height, maximized: false });
  });

  it('copes with no display information at all', () => {
    expect(restoreState({ x: 5, y: 5, width: 900, height: 700, maximized: false }, [])).toEqual({ width: 900, height: 700, maximized: false });
  });
});

describe('the state file', () => {
  const tmp = tempDir('window-state');
  afterAll(() => tmp.cleanup());
  const file = join(tmp.dir, 'window-state.json');

  it('round-trips, and a damaged file gives the defaults', () => {
    saveState(file, { x: 10, y: 20, width: 900, height: 700, maximized: true });
    expect(loadState(file, [laptop])).toEqual({ x: 10, y: 20, width: 900, height: 700, maximized: true });
    writeFileSync(file, '{"x": 1, "wid');
    expect(loadState(file, [laptop])).toEqual({ ...DEFAULT_SIZE, maximized: false });
    expect(loadState(join(tmp.dir, 'missing.json'), [laptop])).toEqual({ ...DEFAULT_SIZE, maximized: false });
  });

  it('is written when the window closes, with its normal bounds and maximised state', () => {
    vi.useFakeTimers();
    try {
      const win = Object.assign(new EventEmitter(), {
        getNormalBounds: () => ({ x: 30, y: 40, width: 1000, height: 750 }),
        isMaximized: () => true,
        isFullScreen: () => false,
      });
      trackWindow(win, file);
      win.emit('close');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 30, y: 40, width: 1000, height: 750, maximized: true });
      win.getNormalBounds = () => ({ x: 50, y: 60, width: 800, height: 600 });
      win.emit('resize');
      vi.advanceTimersByTime(1000);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ x: 50, y: 60 });
    } finally {
      vi.useRealTimers();
    }
  });
});
