import { describe, expect, it } from 'vitest';
import { robustStats } from '../../../src/main/engine/collections/calibrate.js';
import { distanceM, evidenceOf, linkInfo, linkScore, meaningStrength, MIN_LINK_SCORE, type Placed } from '../../../src/main/engine/collections/evidence.js';

const HOUR = 3_600_000;
const base: Placed = { kind: 'photo', takenAt: Date.UTC(2024, 4, 5, 10), guessed: false, day: false, latitude: null, longitude: null, folder: '1:photos' };
const stats = { mean: 0.2, std: 0.03 };

describe('link evidence', () => {
  it('measures distance on the globe', () => {
    expect(distanceM(47.3769, 8.5417, 46.948, 7.4474)).toBeGreaterThan(94_000);
    expect(distanceM(47.3769, 8.5417, 46.948, 7.4474)).toBeLessThan(96_000);
    expect(distanceM(10, 20, 10, 20)).toBe(0);
  });

  it('reads meaning as distance above unrelated pairs, not as a raw cosine', () => {
    expect(meaningStrength(0.2, stats)).toBe(0);
    expect(meaningStrength(0.245, stats)).toBe(0); // 1.5 σ: nothing yet
    expect(meaningStrength(0.335, stats)).toBe(1); // 4.5 σ
    expect(meaningStrength(0.29, stats)).toBeCloseTo(0.5, 5);
    // The same cosine says nothing where unrelated texts already score that high.
    expect(meaningStrength(0.29, { mean: 0.75, std: 0.05 })).toBe(0);
  });

  it('puts the note of the same day above a note of another day about the same thing, and says why', () => {
    const sameDay = evidenceOf(base, { ...base, kind: 'note', takenAt: Date.UTC(2024, 4, 5), day: true, folder: '1:journal' }, 0.29, stats);
    const otherDay = evidenceOf(base, { ...base, kind: 'note', takenAt: Date.UTC(2024, 8, 1), day: true, folder: '1:journal' }, 0.31, stats);
    expect(linkScore(sameDay, true)).toBeGreaterThan(linkScore(otherDay, true));
    expect(linkInfo(sameDay, true, null).reasons).toEqual(['same day', 'similar']);
    expect(linkInfo(otherDay, true, null).reasons).toEqual(['very similar']);
  });

  it('gives place and folder their say, ignores a time that is only a modification time, and puts a confirmation first', () => {
    const near = evidenceOf({ ...base, latitude: 47.37, longitude: 8.54 }, { ...base, kind: 'audio', takenAt: base.takenAt! + 2 * HOUR, latitude: 47.38, longitude: 8.54 }, null, null);
    expect(near.distanceM).toBeGreaterThan(1000);
    expect(linkInfo(near, false, null).reasons).toEqual(['2 h apart', 'same folder', '1.1 km away']);
    const guessed = evidenceOf(base, { ...base, kind: 'note', guessed: true }, null, null);
    expect(guessed.gapMs).toBeNull();
    expect(linkScore(guessed, false)).toBeLessThan(MIN_LINK_SCORE); // a shared folder alone is not a link
    const confirmed = linkInfo(guessed, false, 'confirmed');
    expect(confirmed.score).toBe(1);
    expect(confirmed.reasons[0]).toBe('you linked these');
  });
});

describe('calibration', () => {
  it('takes the centre and spread of unrelated pairs even when many pairs are related', () => {
    const values: number[] = [];
    for (let i = 0; i < 200; i++) values.push(0.3 + ((i % 21) - 10) * 0.003); // unrelated: 0.27..0.33
    for (let i = 0; i < 90; i++) values.push(0.9); // a third related
    const s = robustStats(values)!;
    expect(s.mean).toBeGreaterThan(0.29);
    expect(s.mean).toBeLessThan(0.33);
    expect(s.std).toBeLessThan(0.05);
    expect(meaningStrength(0.9, s)).toBe(1);
  });

  it('says nothing from too few pairs, and never takes a spread of zero', () => {
    expect(robustStats([0.5, 0.5])).toBeNull();
    expect(robustStats(new Array(50).fill(0.5))!.std).toBeGreaterThan(0);
  });
});
