// The offline gazetteer: a position to the town it is in, a name to a position. [Note: places]
import { describe, expect, it } from 'vitest';
import { countryName, countryNames, foldName, kmBetween, localNames, MAX_PLACE_KM, nearestTown, townById, townNamed, townRadiusKm } from '../../../src/main/engine/places/gazetteer.js';

describe('gazetteer', () => {
  it('finds the town a position is in, preferring a city that covers it over a nearer small point', () => {
    expect(nearestTown(38.7105, -9.1399)).toMatchObject({ name: 'Lisbon', country: 'PT' });
    expect(nearestTown(41.1496, -8.611)).toMatchObject({ name: 'Porto', country: 'PT' });
    expect(nearestTown(48.8584, 2.2945)).toMatchObject({ name: 'Paris', country: 'FR' }); // the Eiffel Tower
    expect(nearestTown(39.9163, 116.3972)).toMatchObject({ name: 'Beijing', country: 'CN' }); // the Forbidden City
  });

  it('never names a neighbourhood for a position, nor a town out of reach', () => {
    expect(nearestTown(40.758, -73.9855)!.name).not.toBe("Hell's Kitchen"); // Times Square
    expect(nearestTown(0.5, -30.2)).toBeNull(); // mid-Atlantic
    expect(nearestTown(-82, 40)).toBeNull(); // Antarctica
    expect(nearestTown(Number.NaN, 0)).toBeNull();
    expect(nearestTown(91, 0)).toBeNull();
    const far = nearestTown(38.5244, -8.8882)!; // Setúbal
    expect(kmBetween(38.5244, -8.8882, far.latitude, far.longitude)).toBeLessThanOrEqual(MAX_PLACE_KM);
  });

  it('grows a town’s reach with its population', () => {
    expect(townRadiusKm(1000)).toBe(1);
    expect(townRadiusKm(8_000_000)).toBeGreaterThan(townRadiusKm(500_000));
  });

  it('finds the most populous town of a name, folded as search folds words', () => {
    expect(townNamed('Lisbon')).toMatchObject({ country: 'PT' }); // not Lisbon, Ohio
    expect(townNamed('sao paulo')).toMatchObject({ name: 'São Paulo', country: 'BR' });
    expect(townNamed('ZÜRICH')).toMatchObject({ name: 'Zürich' });
    expect(townNamed('Xyzzyqq')).toBeNull();
    expect(townNamed('  ')).toBeNull();
  });

  it('knows towns by their names in Chinese, Japanese and Korean, simplified or traditional', () => {
    const lisbon = townNamed('Lisbon')!;
    expect(localNames(lisbon.id)).toEqual(expect.arrayContaining(['里斯本', 'リスボン', '리스본']));
    expect(localNames(lisbon.id).every((n) => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(n))).toBe(true);
    expect(townNamed('里斯本')).toMatchObject({ name: 'Lisbon', country: 'PT' });
    expect(townNamed('リスボン')).toMatchObject({ name: 'Lisbon' });
    expect(townNamed('東京')).toMatchObject({ country: 'JP' }); // traditional form, folded to 东京
    expect(townNamed('东京')).toMatchObject({ country: 'JP' });
    expect(townById(lisbon.id)).toEqual(lisbon);
    expect(townById(-1)).toBeNull();
    expect(localNames(-1)).toEqual([]);
  });

  it('names countries in English and in the languages people search in', () => {
    expect(countryName('PT')).toBe('Portugal');
    expect(countryNames('PT')).toEqual(expect.arrayContaining(['Portugal', '葡萄牙', 'ポルトガル', '포르투갈']));
    expect(countryNames('PT')[0]).toBe('Portugal');
    expect(foldName('São  Paulo,')).toBe('sao paulo');
  });

  it('measures great-circle distances', () => {
    expect(kmBetween(38.7223, -9.1393, 41.1579, -8.6291)).toBeCloseTo(274, -1); // Lisbon–Porto
    expect(kmBetween(0, 179.9, 0, -179.9)).toBeLessThan(25); // across the antimeridian
  });
});
