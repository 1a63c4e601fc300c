// The results layout: justified rows, card lanes, and which rows are visible (virtualisation).
import { describe, expect, it } from 'vitest';
import { allBoxes, cardRows, clampAspect, justify, layoutResults, visibleRows, type Row } from '../../../src/renderer/lib/layout.js';

const right = (row: Row) => {
  const last = row.boxes[row.boxes.length - 1]!;
  return last.x + last.width;
};

describe('justify', () => {
  it('fills every row but the last exactly to the width, with equal heights near the target', () => {
    const aspects = [1.5, 0.75, 1.33, 1, 1.78, 1.33, 0.8, 1.5, 1.2, 1.33, 0.75, 1.6, 1, 1.5, 2.5, 0.6];
    const rows = justify(aspects, { width: 1000, rowHeight: 200, gap: 4 });
    expect(rows.flatMap((r) => r.boxes.map((b) => b.index))).toEqual(aspects.map((_, i) => i));
    for (const row of rows.slice(0, -1)) {
      expect(right(row)).toBe(1000);
      expect(row.boxes[0]!.x).toBe(0);
      for (const b of row.boxes) expect(b.height).toBe(row.height);
      expect(row.height).toBeGreaterThan(200 / 1.5);
      expect(row.height).toBeLessThan(200 * 1.5);
      // Gaps of exactly 4 px between neighbours
      for (let i = 1; i < row.boxes.length; i++) expect(row.boxes[i]!.x - (row.boxes[i - 1]!.x + row.boxes[i - 1]!.width)).toBe(4);
    }
    // Rows stack with the gap between them
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.top).toBe(rows[i - 1]!.top + rows[i - 1]!.height + 4);
  });

  it('keeps each photo close to its own aspect ratio', () => {
    const aspects = [1.5, 0.75, 1.33, 1, 1.78, 1.33, 0.8, 1.5];
    for (const row of justify(aspects, { width: 900, rowHeight: 180, gap: 4 })) {
      for (const b of row.boxes) expect(Math.abs(b.width / b.height - aspects[b.index]!)).toBeLessThan(0.05 + 2 / b.height);
    }
  });

  it('ends with a short row at the target height rather than one huge photo', () => {
    const rows = justify([1.5, 1.5, 1.5, 1.5, 1], { width: 1000, rowHeight: 200, gap: 4 });
    const last = rows[rows.length - 1]!;
    expect(last.height).toBe(200);
    expect(right(last)).toBeLessThan(1000);
    expect(justify([1], { width: 1000, rowHeight: 200, gap: 4 })).toEqual([{ top: 0, height: 200, boxes: [{ lane: 'grid', index: 0, x: 0, y: 0, width: 200, height: 200 }] }]);
  });

  it('lets a nearly full last row fill the width', () => {
    const rows = justify([1.6, 1.6, 1.6], { width: 1000, rowHeight: 200, gap: 4 });
    expect(rows).toHaveLength(1);
    expect(right(rows[0]!)).toBe(1000);
    expect(rows[0]!.height).toBeGreaterThan(200);
  });

  it('places rows from an offset, and nothing in a lane of no width', () => {
    const rows = justify([1, 1], { width: 400, rowHeight: 100, gap: 0, top: 36, left: 50 });
    expect(rows[0]!.top).toBe(36);
    expect(rows[0]!.boxes[0]!.x).toBe(50);
    expect(justify([1, 2], { width: 0, rowHeight: 100, gap: 4 })).toEqual([]);
  });

  it('clamps panoramas and slivers, and treats an unknown size as square', () => {
    expect(clampAspect(12000, 1000)).toBe(3);
    expect(clampAspect(100, 1000)).toBe(0.5);
    expect(clampAspect(null, 300)).toBe(1);
    expect(clampAspect(4000, 3000)).toBeCloseTo(4 / 3);
  });
});

describe('cards and the whole page', () => {
  it('lays cards in as many columns as fit, in rank order', () => {
    const rows = cardRows(5, { width: 1000, cardHeight: 100, minCardWidth: 320, maxColumns: 3, gap: 10 });
    expect(rows.map((r) => r.boxes.map((b) => b.index))).toEqual([[0, 1, 2], [3, 4]]);
    expect(rows[1]!.top).toBe(110);
    expect(cardRows(3, { width: 300, cardHeight: 100, minCardWidth: 320, maxColumns: 3, gap: 10 }).map((r) => r.boxes.length)).toEqual([1, 1, 1]);
  });

  it('puts cards beside the grid on a wide page and below it on a narrow one', () => {
    const wide = layoutResults([1.5, 1, 1.3, 0.8], 3, { width: 1200 });
    expect(wide.arrangement).toBe('beside');
    const gridRight = Math.max(...wide.grid.map(right));
    expect(wide.cards.every((r) => r.boxes[0]!.x > gridRight)).toBe(true);
    const narrow = layoutResults([1.5, 1, 1.3, 0.8], 3, { width: 700 });
    expect(narrow.arrangement).toBe('stacked');
    const gridBottom = Math.max(...narrow.grid.map((r) => r.top + r.height));
    expect(narrow.cards[0]!.top).toBeGreaterThan(gridBottom);
    expect(narrow.height).toBe(narrow.cards[narrow.cards.length - 1]!.top + narrow.cards[narrow.cards.length - 1]!.height);
    expect(layoutResults([], 2, { width: 1200 }).arrangement).toBe('cards-only');
    expect(layoutResults([1], 0, { width: 1200 }).arrangement).toBe('grid-only');
    expect(layoutResults([], 0, { width: 1200 })).toMatchObject({ arrangement: 'empty', height: 0 });
  });
});

describe('visibleRows', () => {
  it('finds only the rows that meet the viewport, among 10,000 results', () => {
    const aspects = Array.from({ length: 10_000 }, (_, i) => [1.5, 0.75, 1.33, 1, 1.78][i % 5]!);
    const layout = layoutResults(aspects, 0, { width: 1100 });
    const [start, end] = visibleRows(layout.grid, 50_000, 51_000);
    expect(end - start).toBeGreaterThan(2);
    expect(end - start).toBeLessThan(10);
    for (const r of layout.grid.slice(start, end)) {
      expect(r.top + r.height).toBeGreaterThan(50_000);
      expect(r.top).toBeLessThan(51_000);
    }
    expect(layout.grid[start - 1]!.top + layout.grid[start - 1]!.height).toBeLessThanOrEqual(50_000);
    expect(layout.grid[end]!.top).toBeGreaterThanOrEqual(51_000);
    const shown = layout.grid.slice(start, end).reduce((n, r) => n + r.boxes.length, 0);
    expect(shown).toBeLessThan(60);
    expect(allBoxes(layout)).toHaveLength(10_000);
  });

  it('answers the edges: before the first row, after the last, and no rows', () => {
    const rows = justify([1, 1, 1, 1, 1, 1], { width: 300, rowHeight: 100, gap: 0 });
    expect(visibleRows(rows, -500, 10)).toEqual([0, 1]);
    expect(visibleRows(rows, 10_000, 20_000)).toEqual([rows.length, rows.length]);
    expect(visibleRows([], 0, 100)).toEqual([0, 0]);
  });
});
