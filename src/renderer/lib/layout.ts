// Where every result sits on the results page, computed before any image loads. [Note: ui-virtualisation]
// Photos form a justified grid: rows of equal height that fill the width exactly, each photo as wide as its aspect
// ratio allows (sizes come with the results). Notes and recordings are cards in their own lane: beside the grid on
// a wide window, below it on a narrow one, in columns when they are alone. Everything is absolute positions, so
// the page can put only the visible rows in the DOM (see `visibleRows`) and scroll 10,000 results smoothly.
// Pure, so it is unit-tested without a browser.

export interface Box {
  readonly lane: 'grid' | 'cards';
  readonly index: number; // position in its lane's list (photos or cards), in rank order
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Row {
  readonly top: number;
  readonly height: number;
  readonly boxes: readonly Box[]; // left to right
}

export interface JustifyOptions {
  readonly width: number; // of the lane
  readonly rowHeight: number; // the height rows aim for
  readonly gap: number;
  readonly top?: number; // y of the first row
  readonly left?: number; // x of the lane
}

/** A panorama or a sliver is shown cropped to this range of aspect ratios, so no row holds one tiny photo. */
export const MIN_ASPECT = 0.5;
export const MAX_ASPECT = 3;
/** How much taller than the target the last row may grow to fill the width rather than end short. */
export const LAST_ROW_STRETCH = 1.25;

export function clampAspect(width: number | null | undefined, height: number | null | undefined): number {
  if (!width || !height || width <= 0 || height <= 0) return 1; // unknown: square until it loads
  return Math.min(MAX_ASPECT, Math.max(MIN_ASPECT, width / height));
}

function placeRow(aspects: readonly number[], first: number, count: number, height: number, o: Required<JustifyOptions>, y: number, fill: boolean): Row {
  const boxes: Box[] = [];
  let x = o.left;
  const right = o.left + o.width;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const last = k === count - 1;
    // Whole pixels, the last photo of a full row taking what rounding left, so every row ends on the same edge.
    const w = last && fill ? right - x : Math.max(1, Math.round(aspects[i]! * height));
    boxes.push({ lane: 'grid', index: i, x, y, width: w, height });
    x += w + o.gap;
  }
  return { top: y, height, boxes };
}

/**
 * Rows of photos with the given aspect ratios. A row ends where adding the next photo would take its height
 * further from `rowHeight` than stopping does; a full row is then scaled to the lane's width exactly. The last row
 * fills the width too when that keeps it within LAST_ROW_STRETCH of the target; otherwise it keeps `rowHeight` and
 * ends short, left-aligned.
 */
export function justify(aspects: readonly number[], options: JustifyOptions): Row[] {
  const o: Required<JustifyOptions> = { top: 0, left: 0, ...options };
  const rows: Row[] = [];
  if (o.width <= 0) return rows;
  let y = o.top;
  let first = 0;
  while (first < aspects.length) {
    let sum = 0;
    let count = 0;
    let height = o.rowHeight;
    for (;;) {
      const next = aspects[first + count];
      if (next === undefined) {
        // Out of photos: the last row fills the width only if that leaves it near the target height.
        const natural = (o.width - o.gap * (count - 1)) / sum;
        height = natural <= o.rowHeight * LAST_ROW_STRETCH ? natural : o.rowHeight;
        break;
      }
      const withNext = (o.width - o.gap * count) / (sum + next);
      if (count > 0 && withNext < o.rowHeight) {
        const without = (o.width - o.gap * (count - 1)) / sum;
        // Compare on a log scale: 20% too tall is as far off as 20% too short.
        if (Math.abs(Math.log(without / o.rowHeight)) <= Math.abs(Math.log(withNext / o.rowHeight))) {
          height = without;
        } else {
          sum += next;
          count++;
          height = withNext;
        }
        break;
      }
      sum += next;
      count++;
    }
    const full = first + count < aspects.length || height !== o.rowHeight;
    const h = Math.max(1, Math.round(height));
    rows.push(placeRow(aspects, first, count, h, o, y, full));
    y += h + o.gap;
    first += count;
  }
  return rows;
}

export interface CardOptions {
  readonly width: number;
  readonly cardHeight: number;
  readonly minCardWidth: number;
  readonly maxColumns: number;
  readonly gap: number;
  readonly top?: number;
  readonly left?: number;
}

/** Cards in as many columns as fit (at most maxColumns), row by row in rank order. */
export function cardRows(count: number, options: CardOptions): Row[] {
  const top = options.top ?? 0;
  const left = options.left ?? 0;
  const columns = Math.max(1, Math.min(options.maxColumns, Math.floor((options.width + options.gap) / (options.minCardWidth + options.gap))));
  const w = (options.width - options.gap * (columns - 1)) / columns;
  const rows: Row[] = [];
  for (let first = 0; first < count; first += columns) {
    const y = top + rows.length * (options.cardHeight + options.gap);
    const boxes: Box[] = [];
    for (let c = 0; c < columns && first + c < count; c++) {
      boxes.push({ lane: 'cards', index: first + c, x: Math.round(left + c * (w + options.gap)), y, width: Math.round(w), height: options.cardHeight });
    }
    rows.push({ top: y, height: options.cardHeight, boxes });
  }
  return rows;
}

export interface ResultsLayout {
  readonly arrangement: 'beside' | 'stacked' | 'grid-only' | 'cards-only' | 'empty';
  readonly grid: readonly Row[];
  readonly cards: readonly Row[];
  /** Section titles: where to draw "Photos" and "Notes and recordings". */
  readonly headings: readonly { readonly lane: 'grid' | 'cards'; readonly x: number; readonly y: number; readonly width: number }[];
  readonly height: number;
}

export interface ResultsOptions {
  readonly width: number;
  readonly rowHeight?: number;
  readonly gap?: number;
  readonly headingHeight?: number;
  readonly cardHeight?: number;
  readonly sideWidth?: number; // the cards lane beside the grid
  readonly besideFrom?: number; // narrowest page that puts cards beside the grid
}

/** The whole results page: photo grid and card lane, with the sizes the UI uses unless told otherwise. */
export function layoutResults(photoAspects: readonly number[], cardCount: number, options: ResultsOptions): ResultsLayout {
  const gap = options.gap ?? 4;
  const heading = options.headingHeight ?? 36;
  const cardHeight = options.cardHeight ?? 136;
  const side = options.sideWidth ?? 360;
  const gutter = 24;
  const rowHeight = options.rowHeight ?? (options.width < 640 ? 132 : 200);
  const width = Math.max(0, options.width);
  const photos = photoAspects.length > 0;
  const cards = cardCount > 0;
  const cardGap = 10;
  const bottom = (rows: readonly Row[], top: number) => (rows.length ? rows[rows.length - 1]!.top + rows[rows.length - 1]!.height : top);

  if (!photos && !cards) return { arrangement: 'empty', grid: [], cards: [], headings: [], height: 0 };
  if (photos && !cards) {
    const grid = justify(photoAspects, { width, rowHeight, gap, top: heading });
    return { arrangement: 'grid-only', grid, cards: [], headings: [{ lane: 'grid', x: 0, y: 0, width }], height: bottom(grid, heading) };
  }
  if (!photos) {
    const rows = cardRows(cardCount, { width, cardHeight, gap: cardGap, minCardWidth: 320, maxColumns: 3, top: heading });
    return { arrangement: 'cards-only', grid: [], cards: rows, headings: [{ lane: 'cards', x: 0, y: 0, width }], height: bottom(rows, heading) };
  }
  if (width >= (options.besideFrom ?? 960)) {
    const gridWidth = width - side - gutter;
    const grid = justify(photoAspects, { width: gridWidth, rowHeight, gap, top: heading });
    const rows = cardRows(cardCount, { width: side, cardHeight, gap: cardGap, minCardWidth: side, maxColumns: 1, top: heading, left: gridWidth + gutter });
    return {
      arrangement: 'beside',
      grid,
      cards: rows,
      headings: [
        { lane: 'grid', x: 0, y: 0, width: gridWidth },
        { lane: 'cards', x: gridWidth + gutter, y: 0, width: side },
      ],
      height: Math.max(bottom(grid, heading), bottom(rows, heading)),
    };
  }
  const grid = justify(photoAspects, { width, rowHeight, gap, top: heading });
  const cardsTop = bottom(grid, heading) + gutter;
  const rows = cardRows(cardCount, { width, cardHeight, gap: cardGap, minCardWidth: 300, maxColumns: 2, top: cardsTop + heading });
  return {
    arrangement: 'stacked',
    grid,
    cards: rows,
    headings: [
      { lane: 'grid', x: 0, y: 0, width },
      { lane: 'cards', x: 0, y: cardsTop, width },
    ],
    height: bottom(rows, cardsTop + heading),
  };
}

/**
 * The rows that meet the band [from, to) (the viewport plus some overscan): [start, end) indices into `rows`,
 * which are sorted by `top`. Binary search, so it costs the same for 10 rows or 10,000.
 */
export function visibleRows(rows: readonly Row[], from: number, to: number): readonly [number, number] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = rows[mid]!;
    if (r.top + r.height <= from) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < rows.length && rows[end]!.top < to) end++;
  return [lo, end];
}

/** Every box of a layout, grid first, for keyboard movement and scrolling a result into view. */
export function allBoxes(layout: ResultsLayout): Box[] {
  return [...layout.grid.flatMap((r) => r.boxes), ...layout.cards.flatMap((r) => r.boxes)];
}
