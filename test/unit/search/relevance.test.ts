// What counts as a close match ([Note: relevance]): a score read against how reference texts score for the same
// candidate, so it holds whatever the model's scale; and vectors that say nothing are never matches.
import { describe, expect, it } from 'vitest';
import { meaningless, Relevance, Z_CLOSE } from '../../../src/main/engine/search/relevance.js';
import { closeness } from '../../../src/main/engine/search/search.js';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

describe('meaningless', () => {
  it('is true of zero, constant, empty and broken vectors, and false of ordinary ones', () => {
    expect(meaningless(new Float32Array(8))).toBe(true);
    expect(meaningless(new Float32Array(8).fill(0.35))).toBe(true);
    expect(meaningless(new Float32Array(0))).toBe(true);
    expect(meaningless(undefined)).toBe(true);
    expect(meaningless(Float32Array.of(1, Number.NaN, 0))).toBe(true);
    expect(meaningless(unit(1, 0, 0, 0))).toBe(false);
    expect(meaningless(unit(0.2, 0.9, -0.1, 0.3))).toBe(false);
  });
});

describe('Relevance', () => {
  // Reference texts that all sit near a generic direction (as a model's ordinary texts do), spread a little.
  const reference = Array.from({ length: 64 }, (_, i) => unit(1, 0.02 * Math.sin(i), 0.02 * Math.cos(i), 0));
  const r = new Relevance(1, reference, 64);

  it('calls a score close only when it stands out from what ordinary texts score for that candidate', () => {
    const candidate = unit(0.6, 0, 0, 0.8);
    const ordinary = reference[0]![0]! * candidate[0]!; // what a generic text scores here: 0.6
    expect(r.z(1, candidate, ordinary)).toBeLessThan(1);
    expect(r.z(1, candidate, 0.95)).toBeGreaterThanOrEqual(Z_CLOSE);
  });

  it('holds on any scale: a model whose scores bunch near 0.2 is judged like one near 0.9', () => {
    const small = reference.map((v) => v.map((x) => x * 0.25));
    const bunched = new Relevance(2, small, 64);
    const candidate = unit(1, 0, 0, 0);
    expect(bunched.z(1, candidate, 0.25)).toBeLessThan(1);
    expect(bunched.z(1, candidate, 0.35)).toBeGreaterThanOrEqual(Z_CLOSE);
  });

  it('falls back to a share of the best score without enough reference texts, and never for vectors without meaning', () => {
    const none = new Relevance(3, [], 0);
    expect(none.calibrated).toBe(false);
    const judge = closeness(none, unit(1, 0, 0, 0), false, 0.5);
    expect(judge(1, true, unit(1, 0, 0, 0), 0.4)).toBe(true);
    expect(judge(2, true, unit(1, 0, 0, 0), 0.2)).toBe(false);
    expect(judge(3, true, new Float32Array(4), 0.9)).toBe(false);
    expect(closeness(r, new Float32Array(4), false, 1)(4, true, unit(1, 0, 0, 0), 1)).toBe(false);
  });
});
