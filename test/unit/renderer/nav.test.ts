// Arrow keys over the results: along rows, between rows by column, and across to the cards lane.
import { describe, expect, it } from 'vitest';
import { allBoxes, layoutResults, type Box } from '../../../src/renderer/lib/layout.js';
import { directionOf, move } from '../../../src/renderer/lib/nav.js';

const key = (b: Box | null) => (b ? `${b.lane}-${b.index}` : null);

describe('move', () => {
  // 1000 px grid: three rows of four squares (about 247 px each) and, beside it, three cards.
  const wide = layoutResults(Array(12).fill(1), 3, { width: 1000 + 24 + 360, rowHeight: 247 });
  const boxes = allBoxes(wide);
  const at = (lane: 'grid' | 'cards', index: number) => boxes.find((b) => b.lane === lane && b.index === index)!;

  it('goes along a row and wraps to the next row at its end when nothing is beside it', () => {
    expect(wide.arrangement).toBe('beside');
    expect(wide.grid.map((r) => r.boxes.length)).toEqual([4, 4, 4]);
    expect(key(move(boxes, at('grid', 0), 'right'))).toBe('grid-1');
    expect(key(move(boxes, at('grid', 1), 'left'))).toBe('grid-0');
    expect(key(move(boxes, at('grid', 0), 'left'))).toBeNull();
  });

  it('goes up and down by column', () => {
    expect(key(move(boxes, at('grid', 1), 'down'))).toBe('grid-5');
    expect(key(move(boxes, at('grid', 6), 'up'))).toBe('grid-2');
    expect(key(move(boxes, at('grid', 9), 'down'))).toBeNull();
    expect(key(move(boxes, at('grid', 2), 'up'))).toBeNull();
  });

  it('crosses to the cards beside the grid at a row end, and back to that row', () => {
    expect(key(move(boxes, at('grid', 3), 'right'))).toBe('cards-0');
    const back = move(boxes, at('cards', 0), 'left');
    expect(key(back)).toBe('grid-3');
    expect(key(move(boxes, at('cards', 0), 'down'))).toBe('cards-1');
    expect(key(move(boxes, at('cards', 2), 'down'))).toBeNull();
  });

  it('on a narrow page goes down from the grid into the cards below and back up', () => {
    const narrow = layoutResults(Array(6).fill(1), 4, { width: 700, rowHeight: 170 });
    const all = allBoxes(narrow);
    expect(narrow.arrangement).toBe('stacked');
    const lastRow = narrow.grid[narrow.grid.length - 1]!;
    const down = move(all, lastRow.boxes[0]!, 'down');
    expect(down?.lane).toBe('cards');
    expect(key(move(all, down!, 'up'))?.startsWith('grid-')).toBe(true);
    // The last photo's right neighbour is the first card
    const lastPhoto = all.filter((b) => b.lane === 'grid').at(-1)!;
    expect(key(move(all, lastPhoto, 'right'))).toBe('cards-0');
    expect(key(move(all, all.find((b) => b.lane === 'cards' && b.index === 0)!, 'left'))).toBe(`grid-${lastPhoto.index}`);
  });
});

describe('directionOf', () => {
  it('knows the arrow keys and nothing else', () => {
    expect(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Enter', 'a'].map(directionOf)).toEqual(['left', 'right', 'up', 'down', null, null]);
  });
});
