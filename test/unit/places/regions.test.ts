// Regions ([Note: places]): a town's state, province or district from GeoNames, shown between the town and the
// country and found by in: and by words, without repeating a name the town or the country already says.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nearestTown, regionName } from '../../../src/main/engine/places/gazetteer.js';
import { ftsQuery, itemsHolding, lexicalTerms } from '../../../src/main/engine/search/lexical.js';
import { knnScope, scopeOf } from '../../../src/main/engine/search/scope.js';
import { noFacts, toSummary } from '../../../src/main/engine/store/items.js';
import { Store } from '../../../src/main/engine/store/index.js';
import { parseQuery } from '../../../src/shared/query.js';
import { placeLabel } from '../../../src/shared/types.js';
import { tempDir } from '../../helpers.js';

describe('regions', () => {
  it('names the region a town is in, from GeoNames’ admin1 names', () => {
    expect(nearestTown(37.7749, -122.4194)).toMatchObject({ name: 'San Francisco', region: 'California', country: 'US' });
    expect(nearestTown(38.8029, -9.3817)).toMatchObject({ name: 'Sintra', region: 'Lisbon', country: 'PT' });
    expect(nearestTown(48.8584, 2.2945)).toMatchObject({ name: 'Paris', region: 'Île-de-France' });
    expect(nearestTown(-33.8688, 151.2093)).toMatchObject({ region: 'New South Wales', country: 'AU' });
    expect(nearestTown(31.2304, 121.4737)).toMatchObject({ region: 'Shanghai', country: 'CN' });
    expect(regionName('PT', '14')).toBe('Lisbon');
    expect(regionName('PT', '00')).toBeNull(); // GeoNames' "no region"
    expect(regionName('PT', '')).toBeNull();
    expect(regionName('XX', '01')).toBeNull();
  });

  it('says a place as a person reads it, never the same name twice', () => {
    expect(placeLabel({ name: 'Sintra', region: 'Lisbon', countryName: 'Portugal' })).toBe('Sintra, Lisbon, Portugal');
    expect(placeLabel({ name: 'Lisbon', region: 'Lisbon', countryName: 'Portugal' })).toBe('Lisbon, Portugal');
    expect(placeLabel({ name: 'Setúbal', region: 'Setubal', countryName: 'Portugal' })).toBe('Setúbal, Portugal'); // accents aside
    expect(placeLabel({ name: 'Taipei', region: 'Taiwan', countryName: 'Taiwan' })).toBe('Taipei, Taiwan');
    expect(placeLabel({ name: 'Porto', region: null, countryName: 'Portugal' })).toBe('Porto, Portugal');
    expect(placeLabel({ name: 'Sintra', region: 'Lisbon', countryName: 'Portugal' }, '葡萄牙')).toBe('Sintra, Lisbon, 葡萄牙');
  });

  describe('in a library', () => {
    const tmp = tempDir('regions');
    const store = Store.open(join(tmp.dir, 'library.db'));
    afterAll(() => {
      store.close();
      tmp.cleanup();
    });
    const root = store.roots.add('/photos', []);
    const spaceId = store.spaces.ensure('words-only', '1', 4).id;
    const photo = (rel: string, latitude: number, longitude: number) => {
      const id = store.transaction(() => {
        const item = store.items.upsertIndexed({ rootId: root.id, relPath: rel, kind: 'photo', size: 1, mtime: 0, hash: rel }, { ...noFacts(rel), latitude, longitude });
        store.segments.replace(item, spaceId, [{ kind: 'image', text: null, breadcrumb: [], start: 0, end: 1 }]);
        return item;
      });
      return id;
    };
    const sf = photo('a.jpg', 37.7749, -122.4194);
    const la = photo('b.jpg', 34.0522, -118.2437);
    const sintra = photo('c.jpg', 38.8029, -9.3817);
    const paris = photo('d.jpg', 48.8584, 2.2945);
    const within = (q: string) => [...(knnScope(store, scopeOf(store, parseQuery(q)).scope!, { kinds: null, after: null, before: null }).items ?? [])].sort();
    const holding = (q: string) => [...itemsHolding(store, ftsQuery(lexicalTerms(parseQuery(q)))!, { spaceId, kinds: null, after: null, before: null })].sort();

    it('keeps each place’s region, for the API', () => {
      expect(toSummary(store.items.get(sintra)!).place).toMatchObject({ name: 'Sintra', region: 'Lisbon', country: 'PT', countryName: 'Portugal' });
      expect(toSummary(store.items.get(sf)!).place?.region).toBe('California');
    });

    it('finds photos by in: a region, and by its name as a word', () => {
      expect(within('in:California')).toEqual([sf, la].sort());
      expect(within('in:"ile de france"')).toEqual([paris]);
      expect(within('in:Île-de-France')).toEqual([paris]);
      expect(within('in:Lisbon')).toEqual([sintra]); // the district: Sintra is in it
      expect(holding('California')).toEqual([sf, la].sort());
    });
  });
});
