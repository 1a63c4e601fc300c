// The world's countries for the Places map and an item's small map: Natural Earth 1:110m shapes from the
// `world-atlas` package (TopoJSON, 108 KB, bundled: no tile server, nothing fetched). [Note: places]
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import topology from 'world-atlas/countries-110m.json';

export type Country = Feature<Geometry, { name: string }>;

let countries: FeatureCollection<Geometry, { name: string }> | null = null;

/** Every country as a GeoJSON feature (converted once). */
export function worldCountries(): FeatureCollection<Geometry, { name: string }> {
  if (!countries) {
    const world = topology as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    countries = feature(world, world.objects.countries) as FeatureCollection<Geometry, { name: string }>;
  }
  return countries;
}

/** The cell size in degrees for marks about `px` apart on a map `width` px wide at zoom `k`: a power of two, so
 * zooming a little asks again only when the cells change. */
export function cellFor(width: number, k: number, px = 44): number {
  const raw = (px * 360) / Math.max(1, width) / Math.max(1, k);
  return Math.min(64, Math.max(1 / 512, 2 ** Math.round(Math.log2(raw))));
}

/** The radius in km of `near:` for a mark of a cell: the cell's half-width on the ground, at least 1 km. */
export function nearKm(cell: number, latitude: number): number {
  return Math.max(1, Math.round((cell * 111.2 * Math.max(0.2, Math.cos((latitude * Math.PI) / 180))) / 2 * 1.4));
}
