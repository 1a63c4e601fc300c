import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEAR_KM, parseDatePeriod, parseNear, parseQuery, tokenize } from '../../../src/shared/query.js';

describe('parseQuery', () => {
  it('keeps plain text as the text to embed', () => {
    const q = parseQuery('  kids   building a sandcastle ');
    expect(q.text).toBe('kids building a sandcastle');
    expect(q.kinds).toEqual([]);
    expect(q.after).toBeNull();
    expect(q.before).toBeNull();
    expect(q.warnings).toEqual([]);
  });

  it('pulls kind filters out of the text, with plurals and synonyms, union when repeated', () => {
    const q = parseQuery('red kind:photos car type:Recording');
    expect(q.text).toBe('red car');
    expect(q.kinds).toEqual(['photo', 'audio']);
  });

  it('warns about an unknown kind and drops it', () => {
    const q = parseQuery('red kind:video');
    expect(q.text).toBe('red');
    expect(q.kinds).toEqual([]);
    expect(q.warnings).toEqual(['unknown kind "video" (use photo, note or audio)']);
  });

  it('turns after/before/date into a UTC range', () => {
    expect(parseQuery('beach after:2024-06').after).toBe(Date.UTC(2024, 5, 1));
    expect(parseQuery('beach before:2024').before).toBe(Date.UTC(2024, 0, 1));
    const q = parseQuery('beach date:2024-02');
    expect(q.after).toBe(Date.UTC(2024, 1, 1));
    expect(q.before).toBe(Date.UTC(2024, 2, 1));
    expect(q.text).toBe('beach');
  });

  it('narrows when several date filters are given and warns when the range is empty', () => {
    const q = parseQuery('after:2020 after:2021-03 before:2022 before:2021-12-25');
    expect(q.after).toBe(Date.UTC(2021, 2, 1));
    expect(q.before).toBe(Date.UTC(2021, 11, 25));
    expect(parseQuery('after:2024 before:2023').warnings).toEqual(['the date range is empty']);
  });

  it('rejects dates that do not exist', () => {
    const q = parseQuery('snow after:2023-02-30');
    expect(q.after).toBeNull();
    expect(q.warnings[0]).toMatch(/is not a date/);
  });

  it('keeps quoted phrases together and in the text', () => {
    const q = parseQuery('"fire  engine" kind:note "unclosed quote');
    expect(q.phrases).toEqual(['fire engine', 'unclosed quote']);
    expect(q.text).toBe('fire engine unclosed quote');
    expect(q.kinds).toEqual(['note']);
  });

  it('treats an unknown key or a time as text', () => {
    expect(parseQuery('meeting at 10:30 re:budget').text).toBe('meeting at 10:30 re:budget');
  });
});

describe('parseDatePeriod', () => {
  it('covers a year, a month and a day', () => {
    expect(parseDatePeriod('2023')).toEqual({ start: Date.UTC(2023, 0, 1), end: Date.UTC(2024, 0, 1) });
    expect(parseDatePeriod('2023-12')).toEqual({ start: Date.UTC(2023, 11, 1), end: Date.UTC(2024, 0, 1) });
    expect(parseDatePeriod('2024-02-29')).toEqual({ start: Date.UTC(2024, 1, 29), end: Date.UTC(2024, 2, 1) });
  });
  it('reads years 0000–0099 as themselves, not as 1900–1999 (found by test/unit/fuzz/query.test.ts)', () => {
    const start = (value: string) => new Date(parseDatePeriod(value)!.start).toISOString();
    expect(start('0024')).toBe('0024-01-01T00:00:00.000Z');
    expect(start('0099-12')).toBe('0099-12-01T00:00:00.000Z');
    expect(new Date(parseDatePeriod('0099-12-31')!.end).toISOString()).toBe('0100-01-01T00:00:00.000Z');
    expect(start('0000-02-29')).toBe('0000-02-29T00:00:00.000Z'); // year 0 is a leap year (proleptic Gregorian)
    expect(parseDatePeriod('0100-02-29')).toBeNull();
  });
  it('refuses what is not a date', () => {
    for (const bad of ['23', '2023-13', '2023-00', '2023-02-29', 'yesterday', '2023/01/01']) {
      expect(parseDatePeriod(bad), bad).toBeNull();
    }
  });
});

describe('tokenize', () => {
  it('splits on any whitespace', () => {
    expect(tokenize('a\tb\nc').map((t) => t.token)).toEqual(['a', 'b', 'c']);
  });
});

describe('exclusions and weights', () => {
  it('reads -word and -"a phrase" as what must not be there, apart from the text', () => {
    const q = parseQuery('beach -dog -"ice cream" kind:photo');
    expect(q.text).toBe('beach');
    expect(q.exclude).toEqual(['dog', 'ice cream']);
    expect(q.kinds).toEqual(['photo']);
  });

  it('keeps a hyphen that is not in front of a word as text', () => {
    expect(parseQuery('well-known - x -').text).toBe('well-known - x -');
    expect(parseQuery('well-known - x -').exclude).toEqual([]);
  });

  it('reads 2:word and 0.5:"a phrase" as weighted parts of the text', () => {
    const q = parseQuery('sunset 2:beach 0.5:"old town"');
    expect(q.text).toBe('sunset beach old town');
    expect(q.weighted).toEqual([
      { text: 'beach', weight: 2 },
      { text: 'old town', weight: 0.5 },
    ]);
    expect(q.phrases).toEqual(['old town']);
  });

  it('leaves times and ratios alone, and says when a weight is out of range', () => {
    expect(parseQuery('at 10:30 ratio 16:9').weighted).toEqual([]);
    const q = parseQuery('0:cat 50:dog');
    expect(q.weighted).toEqual([]);
    expect(q.text).toBe('0:cat 50:dog');
    expect(q.warnings).toHaveLength(2);
  });

  it('warns when only exclusions are given', () => {
    expect(parseQuery('-dog').warnings.join(' ')).toMatch(/what to look for/);
  });
});

describe('parseQuery, any input', () => {
  const word = fc.stringMatching(/^[a-z\u4e00-\u4e20]{1,8}$/);
  it('never throws, and every part it reads came from the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const q = parseQuery(input);
        return [...q.phrases, ...q.exclude, ...q.weighted.map((w) => w.text)].every((t) => input.includes(t.split(' ')[0]!));
      }),
    );
  });

  it('puts an excluded word in the exclusions and never in the text', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), word, (kept, left) => {
        fc.pre(!kept.includes(left));
        const q = parseQuery(`${kept.join(' ')} -${left}`);
        return q.exclude.includes(left) && !q.text.split(' ').includes(left) && q.text === kept.join(' ');
      }),
    );
  });

  it('reads a weight in range as itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), word, (tenths, w) => {
        const weight = tenths / 10;
        const q = parseQuery(`${weight}:${w}`);
        return weight === 1 ? q.weighted.length === 0 : q.weighted[0]?.weight === weight && q.weighted[0]?.text === w;
      }),
    );
  });
});

describe('places and cameras', () => {
  it('reads in:, near: and camera:, quoted or not, and keeps them out of the text', () => {
    const q = parseQuery('tram in:Lisbon in:"Trips 2024" camera:"EOS R5" camera:iphone near:Porto');
    expect(q.text).toBe('tram');
    expect(q.within).toEqual(['Lisbon', 'Trips 2024']);
    expect(q.cameras).toEqual(['EOS R5', 'iphone']);
    expect(q.near).toEqual({ place: 'Porto', latitude: null, longitude: null, km: NEAR_KM });
    expect(q.warnings).toEqual([]);
    expect(parseQuery('IN:葡萄牙').within).toEqual(['葡萄牙']);
  });

  it('reads a position and a radius in km, m or mi', () => {
    expect(parseNear('38.7,-9.1,20km')).toEqual({ place: null, latitude: 38.7, longitude: -9.1, km: 20 });
    expect(parseNear('38.7, -9.1')).toEqual({ place: null, latitude: 38.7, longitude: -9.1, km: NEAR_KM });
    expect(parseNear('Lisbon,500m')).toEqual({ place: 'Lisbon', latitude: null, longitude: null, km: 0.5 });
    expect(parseNear('New York, 3 mi')!.km).toBeCloseTo(4.828, 3);
    expect(parseNear('São Paulo')).toMatchObject({ place: 'São Paulo' });
  });

  it('refuses positions off the globe, radii out of range and values with no place, with a warning', () => {
    for (const bad of ['91,0', '0,181', '38.7,-9.1,0km', '38.7,-9.1,99999km', '12345', '']) expect(parseNear(bad), bad).toBeNull();
    expect(parseQuery('near:91,0').warnings.join(' ')).toMatch(/not a place or a position/);
    expect(parseQuery('near:91,0').near).toBeNull();
    expect(parseQuery('in:').warnings.join(' ')).toMatch(/say what place or folder/);
  });

  it('leaves a quoted value after an unknown key as text', () => {
    const q = parseQuery('foo:"bar baz"');
    expect(q.within).toEqual([]);
    expect(q.text).toContain('bar baz');
  });

  it('never throws on any near: value, and a position it reads is on the globe', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const n = parseNear(value);
        return n === null || (n.km > 0 && n.km <= 20_000 && (n.place !== null || (Math.abs(n.latitude!) <= 90 && Math.abs(n.longitude!) <= 180)));
      }),
    );
  });
});
