import { describe, expect, it } from 'vitest';
import { boundaries, findEvents, type EventItem } from '../../../src/main/engine/collections/events.js';
import type { PairStats } from '../../../src/main/engine/collections/evidence.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 4, 5, 10, 0, 0);

/** A unit vector near one of a few "subjects" (axes), with a little noise: deterministic. */
function subject(axis: number, seed: number, dims = 16): Float32Array {
  const v = new Float32Array(dims);
  let x = seed * 9301 + 49297;
  for (let i = 0; i < dims; i++) {
    x = (x * 9301 + 49297) % 233280;
    v[i] = (x / 233280 - 0.5) * 0.3;
  }
  v[axis] = (v[axis] ?? 0) + 1;
  let n = 0;
  for (const c of v) n += c * c;
  return v.map((c) => c / Math.sqrt(n));
}

let nextId = 1;
function photo(t: number, axis: number, extra: Partial<EventItem> = {}): EventItem {
  const id = nextId++;
  return { id, kind: 'photo', t, day: false, guessed: false, lat: null, lon: null, vector: subject(axis, id), ...extra };
}
function note(t: number, axis: number, extra: Partial<EventItem> = {}): EventItem {
  const id = nextId++;
  return { id, kind: 'note', t, day: false, guessed: false, lat: null, lon: null, vector: subject(axis, id), ...extra };
}

/** Unrelated items in this toy space score about 0 (noise only); related ones near 1. */
const stats = { stats: (): PairStats => ({ mean: 0.05, std: 0.08 }) };

function burst(start: number, n: number, axis: number, every = 4 * MIN): EventItem[] {
  return Array.from({ length: n }, (_, i) => photo(start + i * every + ((i * 37) % 5) * 10_000, axis));
}

const ids = (items: readonly EventItem[]) => items.map((i) => i.id).sort((a, b) => a - b);
const memberIds = (e: { members: readonly { id: number }[] }) => e.members.map((m) => m.id).sort((a, b) => a - b);

describe('boundaries (adaptive time gaps)', () => {
  it('splits a burst from the next one after a pause much longer than the local rhythm', () => {
    const times = [0, 1, 2, 3, 4, 5, 95, 96, 97, 98].map((m) => m * MIN);
    expect(boundaries(times)).toEqual([6]);
  });
  it('does not split steady shots an hour apart, and always splits a gap of days', () => {
    const steady = [0, 1, 2, 3, 4, 5, 6].map((h) => h * HOUR);
    expect(boundaries(steady)).toEqual([]);
    expect(boundaries([0, MIN, 2 * MIN, 3 * DAY, 3 * DAY + MIN])).toEqual([3]);
  });
  it('never splits under half an hour', () => {
    expect(boundaries([0, 10_000, 20_000, 25 * MIN])).toEqual([]);
  });
});

describe('findEvents', () => {
  it('makes one event per outing, with its journal note, and keeps loose photos out', () => {
    const lake = burst(T0, 8, 0);
    const harbour = burst(T0 + 3 * DAY + 5 * HOUR, 6, 1);
    const autumn = burst(T0 + 130 * DAY, 5, 0); // same subject as the lake, months later
    const lakeNote = note(Date.UTC(2024, 4, 5), 0, { day: true });
    const harbourNote = note(T0 + 3 * DAY + 9 * HOUR, 1); // written that evening
    const autumnNote = note(Date.UTC(2024, 8, 12), 0, { day: true });
    const loose = [photo(T0 + 40 * DAY, 2), photo(T0 + 55 * DAY, 3)];
    const strayNote = note(T0 + 70 * DAY, 0, { day: true }); // about the lake, on a day with no photos
    const all = [...lake, ...harbour, ...autumn, lakeNote, harbourNote, autumnNote, ...loose, strayNote];
    const events = findEvents([...all].reverse(), stats);
    expect(events.map(memberIds)).toEqual([ids([...lake, lakeNote]), ids([...harbour, harbourNote]), ids([...autumn, autumnNote])]);
    expect(events[0]!.members.find((m) => m.id === lakeNote.id)!.role).toBe('attached');
    // Deterministic: the same input in any order gives the same events.
    expect(findEvents(all, stats).map(memberIds)).toEqual(events.map(memberIds));
  });

  it('attaches a note of the day to the event it speaks of, not to another that day', () => {
    const morning = burst(T0, 6, 0);
    const evening = burst(T0 + 8 * HOUR, 6, 1);
    const diary = note(Date.UTC(2024, 4, 5), 1, { day: true }); // about the evening
    const events = findEvents([...morning, ...evening, diary], stats);
    expect(events.map(memberIds)).toEqual([ids(morning), ids([...evening, diary])]);
  });

  it('does not attach a note dated only by its modification time unless it clearly fits', () => {
    const lake = burst(T0, 6, 0);
    const unrelated = note(T0 + HOUR, 2, { guessed: true });
    const fitting = note(T0 + HOUR, 0, { guessed: true });
    const [event] = findEvents([...lake, unrelated, fitting], stats);
    expect(memberIds(event!)).toEqual(ids([...lake, fitting]));
  });

  it('joins a lunch break back into one outing when both halves show the same thing', () => {
    const before = burst(T0, 10, 0, MIN);
    const after = burst(T0 + 10 * MIN + 2 * HOUR, 10, 0, MIN);
    expect(findEvents([...before, ...after], stats).map(memberIds)).toEqual([ids([...before, ...after])]);
  });

  it('keeps one subject in one piece across a pause even when the calibration saw mostly related pairs', () => {
    const morning = burst(T0, 5, 0, 2 * MIN);
    const later = burst(T0 + 10 * MIN + 50 * MIN, 5, 0, 2 * MIN);
    const skewed = { stats: (): PairStats => ({ mean: 0.95, std: 0.02 }) }; // a library of one outing
    const events = findEvents([...morning, ...later], skewed);
    expect(events.map(memberIds)).toEqual([ids([...morning, ...later])]);
  });

  it('joins the days of a trip across a night, but never chains alike days past a few', () => {
    const sat = burst(T0, 6, 0, 10 * MIN);
    const sun = burst(T0 + 22 * HOUR, 6, 0, 10 * MIN);
    expect(findEvents([...sat, ...sun], stats).map(memberIds)).toEqual([ids([...sat, ...sun])]);
    const days = Array.from({ length: 8 }, (_, d) => burst(T0 + d * 22 * HOUR, 4, 0, 10 * MIN));
    const events = findEvents(days.flat(), stats);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) expect(e.end - e.start).toBeLessThanOrEqual(4 * DAY);
  });

  it('splits by place: the same afternoon in two towns', () => {
    const a = burst(T0, 5, 0).map((p) => ({ ...p, lat: 47.37, lon: 8.54 }));
    const b = burst(T0 + 3 * HOUR, 5, 0).map((p) => ({ ...p, lat: 46.2, lon: 6.14 }));
    expect(findEvents([...a, ...b], stats).map(memberIds)).toEqual([ids(a), ids(b)]);
  });

  it('makes an event of a day of writing about one thing', () => {
    const day = Date.UTC(2024, 2, 3);
    const a = note(day, 2, { day: true });
    const b = note(day + 3 * HOUR, 2);
    const other = note(day + 4 * HOUR, 3);
    const events = findEvents([a, b, other], stats);
    expect(events.map(memberIds)).toEqual([ids([a, b])]);
  });

  it('keeps items without vectors by time alone, and leaves single photos out', () => {
    const blind = burst(T0, 4, 0).map((p) => ({ ...p, vector: null }));
    expect(findEvents([...blind, photo(T0 + 10 * DAY, 0)], stats).map(memberIds)).toEqual([ids(blind)]);
  });
});
