import { describe, expect, it } from 'vitest';
import type { Quad } from '../../../src/main/engine/ingest/ocr-geometry.js';
import {
  bestPath,
  cropBox,
  decodePath,
  joinLines,
  joinPaths,
  overlappingSpans,
  parseDictionary,
  rectToQuad,
  type BestPath,
  type Rgba,
} from '../../../src/main/engine/ingest/ocr-recognise.js';

/** An RGBA image whose red is x, green is y and blue is x + y (mod 256). */
function ramp(width: number, height: number): Rgba {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x % 256, y % 256, (x + y) % 256, 255], (y * width + x) * 4);
  }
  return { data, width, height };
}
const pixel = (img: Rgba, x: number, y: number) => [...img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];
const quad = (...xy: number[]): Quad => [
  { x: xy[0]!, y: xy[1]! },
  { x: xy[2]!, y: xy[3]! },
  { x: xy[4]!, y: xy[5]! },
  { x: xy[6]!, y: xy[7]! },
];

describe('line crops', () => {
  it('maps the rectangle onto the box, corners to corners, straight or in perspective', () => {
    for (const q of [quad(10, 20, 110, 20, 110, 50, 10, 50), quad(10, 20, 110, 10, 120, 60, 5, 45)]) {
      const map = rectToQuad(100, 30, q);
      const corners = [map(0, 0), map(100, 0), map(100, 30), map(0, 30)];
      corners.forEach((c, i) => {
        expect(c.x).toBeCloseTo(q[i]!.x, 9);
        expect(c.y).toBeCloseTo(q[i]!.y, 9);
      });
    }
  });

  it('copies the pixels of an upright box exactly', () => {
    const img = ramp(64, 48);
    const crop = cropBox(img, quad(5, 7, 45, 7, 45, 27, 5, 27));
    expect([crop.width, crop.height]).toEqual([40, 20]);
    expect(pixel(crop, 0, 0)).toEqual(pixel(img, 5, 7));
    expect(pixel(crop, 39, 19)).toEqual(pixel(img, 44, 26));
    expect(pixel(crop, 17, 3)).toEqual(pixel(img, 22, 10));
  });

  it('samples between pixels for a leaning box, and repeats the edge beyond the image', () => {
    const img = ramp(64, 48);
    const crop = cropBox(img, quad(0, 0, 40, 2, 40, 14, 0, 12));
    expect([crop.width, crop.height]).toEqual([40, 12]);
    // Half-way along, the box's top edge is 1 px down: a smooth ramp is sampled exactly.
    expect(pixel(crop, 20, 0)).toEqual([20, 1, 21, 255]);
    const edge = cropBox(img, quad(60, 40, 64, 40, 64, 48, 60, 48));
    expect(edge.data.every((v, i) => i % 4 !== 0 || v >= 60)).toBe(true);
  });

  it('turns a tall crop a quarter anticlockwise, as the reference does', () => {
    const img = ramp(64, 64);
    const crop = cropBox(img, quad(10, 5, 20, 5, 20, 45, 10, 45));
    expect([crop.width, crop.height]).toEqual([40, 10]);
    // Output row r is input column w - r (the last column for r = 0 and 1); output column c is input row c.
    expect(pixel(crop, 0, 0)).toEqual(pixel(img, 19, 5));
    expect(pixel(crop, 0, 1)).toEqual(pixel(img, 19, 5));
    expect(pixel(crop, 7, 9)).toEqual(pixel(img, 11, 12));
  });
});

describe('CTC decoding', () => {
  const dictionary = parseDictionary('a\nb');
  /** Probabilities putting `p` on each step's class. */
  const output = (steps: [number, number][]) => {
    const probs = new Float32Array(steps.length * 4);
    steps.forEach(([c, p], t) => {
      for (let k = 0; k < 4; k++) probs[t * 4 + k] = k === c ? p : (1 - p) / 3;
    });
    return probs;
  };

  it('reads the dictionary with a space after it', () => {
    expect(dictionary).toEqual(['a', 'b', ' ']);
  });

  it('merges repeats, splits them at a blank, drops blanks, and averages the kept steps', () => {
    const line = decodePath(bestPath(output([[1, 0.9], [1, 0.8], [0, 0.99], [1, 0.7], [2, 0.6], [3, 0.5], [2, 0.9]]), 7, 4), dictionary);
    expect(line.text).toBe('aab b');
    expect(line.confidence).toBeCloseTo((0.9 + 0.7 + 0.6 + 0.5 + 0.9) / 5, 6);
  });

  it('is empty, with no confidence, when every step is blank', () => {
    expect(decodePath(bestPath(output([[0, 0.9], [0, 0.9]]), 2, 4), dictionary)).toEqual({ text: '', confidence: 0 });
  });
});

describe('joining pieces into lines', () => {
  const piece = (text: string, x: number, y: number, h = 20, confidence = 0.9) => ({ text, confidence, box: quad(x, y, x + 50, y, x + 50, y + h, x, y + h) });

  it('joins pieces of one line left to right and orders lines top to bottom', () => {
    const lines = joinLines([piece('CAFE', 200, 102), piece('beach', 10, 200), piece('LIGHTHOUSE', 20, 100, 20, 0.7)]);
    expect(lines.map((l) => l.text)).toEqual(['LIGHTHOUSE CAFE', 'beach']);
    expect(lines[0]!.confidence).toBeCloseTo(0.8, 9);
  });

  it('leaves out pieces under 0.5 before joining', () => {
    expect(joinLines([piece('noise', 10, 10, 20, 0.4), piece('SIGN', 80, 12)]).map((l) => l.text)).toEqual(['SIGN']);
    expect(joinLines([piece('noise', 10, 10, 20, 0.4)])).toEqual([]);
  });
});

describe('wide lines in pieces', () => {
  it('cuts a length into overlapping pieces of whole steps, each kept from the middle of its overlaps', () => {
    expect(overlappingSpans(2000, 2560, 320, 8)).toEqual([{ start: 0, size: 2000, from: 0, to: 2000 }]);
    for (const [length, max, overlap] of [[3544, 2560, 320], [9216, 2560, 320], [2568, 2560, 320], [5000, 1280, 128]] as const) {
      const spans = overlappingSpans(length, max, overlap, 8);
      expect(spans[0]!.start).toBe(0);
      expect(spans.at(-1)!.start + spans.at(-1)!.size).toBe(length);
      spans.forEach((s, i) => {
        expect(s.size).toBeLessThanOrEqual(max);
        expect(s.start % 8 + (s.size % 8)).toBe(0);
        const next = spans[i + 1];
        if (!next) return;
        expect(s.start + s.size - next.start).toBeGreaterThanOrEqual(overlap);
        // Kept parts tile the length, each at least half the overlap from its piece's cut edges.
        expect(s.to).toBe(next.from);
        expect(s.start + s.size - s.to).toBeGreaterThanOrEqual(overlap / 2 - 1);
        expect(next.from - next.start).toBeGreaterThanOrEqual(overlap / 2 - 1);
      });
      // As few pieces as fit.
      expect(spans.length).toBe(Math.max(1, Math.ceil((length - overlap) / (max - overlap))));
    }
  });

  /** A best path from classes, each step's probability 0.9. */
  const path = (classes: number[]): BestPath => ({ classes: Int32Array.from(classes), probs: new Float32Array(classes.length).fill(0.9) });
  const dictionary = parseDictionary('a\nb\nc');

  it('reads the same as the whole line when the pieces agree', () => {
    const whole = [1, 0, 0, 2, 2, 0, 3, 0, 0, 0, 1, 0, 2, 0, 0, 3];
    const joined = joinPaths([
      { start: 0, path: path(whole.slice(0, 10)) },
      { start: 6, path: path(whole.slice(6)) },
    ]);
    expect([...joined.classes]).toEqual(whole);
    expect(decodePath(joined, dictionary).text).toBe('abcabc');
  });

  it('changes piece where both read a gap, so a character read by both a step apart comes once', () => {
    // Overlap steps 8–15, middle 12. The first piece reads 'b' at step 11, the second at step 12: cut at the
    // middle, both would be kept ('abcabbca'); both pieces are blank at 13.
    const first = path([1, 0, 2, 0, 3, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    const second = path([0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0]);
    const joined = joinPaths([
      { start: 0, path: first },
      { start: 8, path: second },
    ]);
    expect(decodePath(joined, dictionary).text).toBe('abcabca');
    expect(joined.classes.length).toBe(20);
  });

  it('keeps the likeliest class of each step and its probability, the first of equals', () => {
    const probs = Float32Array.from([0.1, 0.7, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1, 0.9, 0.05, 0.05, 0, 0.2, 0.1, 0.6, 0.1, 0.4, 0.4, 0.1, 0.1]);
    const best = bestPath(probs, 5, 4);
    expect([...best.classes]).toEqual([1, 1, 0, 2, 0]);
    expect([...best.probs].map((p) => Math.round(p * 100) / 100)).toEqual([0.7, 0.7, 0.9, 0.6, 0.4]);
    expect(decodePath(best, dictionary)).toMatchObject({ text: 'ab' });
  });
});
