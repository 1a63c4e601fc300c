// Arrow keys on the results page: move to the result that lies that way on screen. [Note: ui-keyboard]
// Left and right go along the row, then on to the next or previous result of the same lane at a row's end (reading
// order); up and down go to the nearest result in the row above or below, keeping the column. Crossing from the
// photo grid to the cards lane happens where the cards are: to the right of the grid on a wide page (right at a
// row's end) or below it on a narrow one (down from the last row). Pure, over the boxes of lib/layout.ts.
import type { Box } from './layout.js';

export type Direction = 'left' | 'right' | 'up' | 'down';

const EPS = 0.5;

function overlapsVertically(a: Box, b: Box): boolean {
  return a.y < b.y + b.height - EPS && b.y < a.y + a.height - EPS;
}

function overlapsHorizontally(a: Box, b: Box): boolean {
  return a.x < b.x + b.width - EPS && b.x < a.x + a.width - EPS;
}

const centreX = (b: Box) => b.x + b.width / 2;
const centreY = (b: Box) => b.y + b.height / 2;

/** The best candidate: smallest primary distance, then smallest secondary; null when there is none. */
function nearest(candidates: Box[], primary: (b: Box) => number, secondary: (b: Box) => number): Box | null {
  let best: Box | null = null;
  for (const c of candidates) {
    if (!best) {
      best = c;
      continue;
    }
    const p = primary(c) - primary(best);
    if (p < -EPS || (Math.abs(p) <= EPS && secondary(c) < secondary(best))) best = c;
  }
  return best;
}

/** The box to move to from `current` (an element of `boxes`), or null to stay. */
export function move(boxes: readonly Box[], current: Box, direction: Direction): Box | null {
  const others = boxes.filter((b) => b !== current);
  const lane = (b: Box) => b.lane === current.lane;
  switch (direction) {
    case 'right': {
      const beside = others.filter((b) => overlapsVertically(b, current) && b.x >= current.x + current.width - EPS);
      const found = nearest(beside, (b) => b.x - current.x, (b) => Math.abs(centreY(b) - centreY(current)));
      if (found) return found;
      // End of the row: the next result of this lane, then the first of the other lane.
      return others.find((b) => lane(b) && b.index === current.index + 1) ?? (current.lane === 'grid' ? (others.find((b) => b.lane === 'cards' && b.index === 0) ?? null) : null);
    }
    case 'left': {
      const beside = others.filter((b) => overlapsVertically(b, current) && b.x + b.width <= current.x + EPS);
      const found = nearest(beside, (b) => current.x - b.x, (b) => Math.abs(centreY(b) - centreY(current)));
      if (found) return found;
      if (current.index > 0) return others.find((b) => lane(b) && b.index === current.index - 1) ?? null;
      if (current.lane === 'cards') {
        const photos = others.filter((b) => b.lane === 'grid');
        return photos.reduce<Box | null>((last, b) => (!last || b.index > last.index ? b : last), null);
      }
      return null;
    }
    case 'down':
    case 'up': {
      const down = direction === 'down';
      const ahead = (b: Box) => (down ? b.y >= current.y + current.height - EPS : b.y + b.height <= current.y + EPS);
      const gap = (b: Box) => (down ? b.y - (current.y + current.height) : current.y - (b.y + b.height));
      const across = (b: Box) => Math.abs(centreX(b) - centreX(current));
      // Same lane first (the next row of the grid); then another lane only if it lies straight that way.
      const same = others.filter((b) => lane(b) && ahead(b));
      const found = nearest(same, gap, across);
      if (found) return found;
      const other = others.filter((b) => !lane(b) && ahead(b) && overlapsHorizontally(b, current));
      return nearest(other, gap, across);
    }
  }
}

/** The keyboard direction of a key, if it is an arrow key. */
export function directionOf(key: string): Direction | null {
  switch (key) {
    case 'ArrowLeft':
      return 'left';
    case 'ArrowRight':
      return 'right';
    case 'ArrowUp':
      return 'up';
    case 'ArrowDown':
      return 'down';
    default:
      return null;
  }
}
