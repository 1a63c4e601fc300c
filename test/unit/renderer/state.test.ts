// Routes, filters → requests, typing debounce and stale answers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dayAfter, filterWarnings, kindsOf, laneRequest, queryText, searchRequest, withKind } from '../../../src/renderer/lib/filters.js';
import { formatRoute, HOME, parseRoute, type Route } from '../../../src/renderer/lib/route.js';
import { debounce, latestOnly } from '../../../src/renderer/lib/timing.js';

describe('routes', () => {
  it('round-trips every page through the address', () => {
    const routes: Route[] = [
      HOME,
      { page: 'search', q: 'red fire "engine" & co', kinds: ['photo', 'note'], from: '2024-01-01', to: '2024-06-30', limit: 1000 },
      { page: 'item', id: 42, t: 83_000, at: null },
      { page: 'item', id: 7, t: null, at: 1234 },
      { page: 'similar', id: 3, kinds: ['audio'] },
      { page: 'similar', id: 3, kinds: [] },
      { page: 'library' },
      { page: 'settings' },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r)), formatRoute(r)).toEqual(r);
    expect(formatRoute({ page: 'search', q: 'a b', kinds: [], from: null, to: null, limit: null })).toBe('#/search?q=a%20b');
  });

  it('reads what a person may type or an old bookmark may hold, and refuses nonsense', () => {
    expect(parseRoute('')).toEqual(HOME);
    expect(parseRoute('#/')).toEqual(HOME);
    expect(parseRoute('#/nowhere')).toEqual(HOME);
    expect(parseRoute('#/item/abc')).toEqual(HOME);
    expect(parseRoute('#/item/0')).toEqual(HOME);
    expect(parseRoute('#/library/')).toEqual({ page: 'library' });
    expect(parseRoute('#/search?q=red&kinds=photo,bogus,photo&from=2024-13&limit=99999')).toEqual({ page: 'search', q: 'red', kinds: ['photo'], from: null, to: null, limit: null });
    expect(parseRoute('#/item/5?t=-1')).toEqual({ page: 'item', id: 5, t: null, at: null });
    expect(parseRoute('#/item/5?at=x')).toEqual({ page: 'item', id: 5, t: null, at: null });
  });
});

describe('filters', () => {
  it('turns the date range into the query language, "to" inclusive', () => {
    expect(dayAfter('2024-02-28')).toBe('2024-02-29');
    expect(dayAfter('2023-12-31')).toBe('2024-01-01');
    expect(dayAfter('2023-02-30')).toBeNull();
    expect(queryText({ q: ' red ', kinds: [], from: '2024-06-01', to: '2024-06-30' })).toBe('red after:2024-06-01 before:2024-07-01');
    expect(searchRequest({ q: 'red', kinds: ['photo'], from: null, to: null }, 200)).toEqual({ query: 'red', kinds: ['photo'], limit: 200 });
    expect(searchRequest({ q: 'red', kinds: [], from: null, to: '2024-01-01' }, 20)).toEqual({ query: 'red before:2024-01-02', limit: 20 });
  });

  it('asks nothing until there are words to search for', () => {
    expect(searchRequest({ q: '', kinds: ['photo'], from: '2024-01-01', to: null }, 20)).toBeNull();
    expect(searchRequest({ q: '   kind:photo ', kinds: [], from: null, to: null }, 20)).toBeNull();
  });

  it('asks for photos and for the other kinds in lanes of one request, only the lanes the filter leaves', () => {
    const f = { q: 'red', kinds: [], from: null, to: null } as const;
    expect(laneRequest(f, 200, 100)).toEqual({
      query: 'red',
      limit: 200,
      lanes: [
        { kinds: ['photo'], limit: 200 },
        { kinds: ['note', 'audio'], limit: 100 },
      ],
    });
    expect(laneRequest({ ...f, kinds: ['audio'] }, 200, 100)?.lanes).toEqual([{ kinds: ['audio'], limit: 100 }]);
    expect(laneRequest({ ...f, kinds: ['photo'] }, 200, 100)?.lanes).toEqual([{ kinds: ['photo'], limit: 200 }]);
    expect(laneRequest({ ...f, q: '' }, 200, 100)).toBeNull();
    // Kinds typed in the query choose the lanes as the toggles do.
    expect(laneRequest({ ...f, q: 'red kind:note' }, 200, 100)?.lanes).toEqual([{ kinds: ['note'], limit: 100 }]);
    expect(laneRequest({ ...f, q: 'red type:photos kind:voice' }, 200, 100)?.lanes).toEqual([
      { kinds: ['photo'], limit: 200 },
      { kinds: ['audio'], limit: 100 },
    ]);
  });

  it('lights the toggles for typed kinds, and writes the query when they are pressed', () => {
    expect(kindsOf({ q: 'lake kind:notes', kinds: [] })).toEqual(['note']);
    expect(kindsOf({ q: 'lake', kinds: ['audio'] })).toEqual(['audio']);
    expect(kindsOf({ q: 'lake is:photo', kinds: ['audio'] })).toEqual(['photo', 'audio']);
    expect(withKind('lake', 'note', true)).toBe('lake kind:note');
    expect(withKind('', 'photo', true)).toBe('kind:photo');
    expect(withKind('lake kind:notes after:2024  type:note', 'note', false)).toBe('lake after:2024');
    expect(withKind('lake kind:photo kind:note', 'photo', false)).toBe('lake kind:note');
    expect(withKind('"kind:note" lake', 'note', false)).toBe('"kind:note" lake'); // a quoted phrase is text
  });

  it('says what is wrong with the filters', () => {
    expect(filterWarnings({ q: 'x', kinds: [], from: '2024-05-01', to: '2024-04-01' })).toEqual(['The date range is empty: “from” is after “to”.']);
    expect(filterWarnings({ q: 'x kind:video', kinds: [], from: null, to: null })[0]).toMatch(/^Unknown kind "video"/);
    expect(filterWarnings({ q: 'x', kinds: [], from: null, to: null })).toEqual([]);
  });
});

describe('typing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits for a pause in typing and then runs once with the last value', () => {
    const calls: string[] = [];
    const typed = debounce((q: string) => calls.push(q), 150);
    typed('r');
    vi.advanceTimersByTime(100);
    typed('re');
    vi.advanceTimersByTime(100);
    typed('red');
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(150);
    expect(calls).toEqual(['red']);
    typed('redx');
    typed.cancel();
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['red']);
    typed('blue');
    typed.flush();
    expect(calls).toEqual(['red', 'blue']);
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['red', 'blue']);
  });
});

describe('latestOnly', () => {
  it('shows only the newest answer, however the answers arrive', async () => {
    const resolvers = new Map<string, (v: string) => void>();
    const ask = latestOnly((q: string) => new Promise<string>((r) => resolvers.set(q, r)));
    const a = ask('r');
    const b = ask('re');
    const c = ask('red');
    resolvers.get('red')!('RED');
    resolvers.get('r')!('R');
    resolvers.get('re')!('RE');
    expect(await Promise.all([a, b, c])).toEqual([{ current: false }, { current: false }, { current: true, value: 'RED' }]);
  });

  it('throws only the current failure, and drops everything when the question is withdrawn', async () => {
    const ask = latestOnly(async (q: string) => {
      await Promise.resolve();
      if (q === 'bad') throw new Error('no');
      return q;
    });
    const stale = ask('bad');
    const current = ask('ok');
    expect(await stale).toEqual({ current: false });
    expect(await current).toEqual({ current: true, value: 'ok' });
    await expect(ask('bad')).rejects.toThrow('no');
    const pending = ask('late');
    ask.invalidate();
    expect(await pending).toEqual({ current: false });
  });
});
