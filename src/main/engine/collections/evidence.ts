// What links two items, and how strongly: meaning, time, place, folder. Pure. [Note: links]
//
// Each kind of evidence becomes a strength in 0..1; the link's score is their noisy-OR, each weighted by how much it
// says on its own (a shared day says more than a shared folder). Meaning is calibrated per space and pair of kinds
// (see calibrate.ts): a cosine means nothing by itself — 0.30 is a strong match between a photo and a text in CLIP
// and an unremarkable one between two texts — so it is read as how far above the similarity of unrelated items it
// lies, in standard deviations of that distribution.
import type { ItemKind, LinkEvidence, LinkInfo, LinkVerdict } from '../../../shared/types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The similarity of unrelated items of a pair of kinds, in one space. */
export interface PairStats {
  readonly mean: number;
  readonly std: number;
}

/** z-score → strength: as similar as unrelated items (z ≤ 1.5) is nothing; 4.5 standard deviations above is all. */
export const MEANING_Z_FLOOR = 1.5;
export const MEANING_Z_FULL = 4.5;

export function meaningStrength(similarity: number, stats: PairStats): number {
  const z = (similarity - stats.mean) / Math.max(stats.std, 1e-4);
  return clamp01((z - MEANING_Z_FLOOR) / (MEANING_Z_FULL - MEANING_Z_FLOOR));
}

/** The pair key of two kinds, order-free: 'note-photo', 'photo-photo'… */
export function pairKey(a: ItemKind, b: ItemKind): string {
  return a <= b ? `${a}-${b}` : `${b}-${a}`;
}

export interface Placed {
  readonly kind: ItemKind;
  readonly takenAt: number | null;
  /** The time is a guess from the file's modification time: it is not evidence. */
  readonly guessed: boolean;
  readonly day: boolean; // only the day is known
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly folder: string; // root id and folder, e.g. "3:2024/Lake"
}

/** Great-circle distance in metres (haversine). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const dLat = r(lat2 - lat1);
  const dLon = r(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(r(lat1)) * Math.cos(r(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const dayOf = (t: number) => Math.floor(t / DAY);

export function evidenceOf(a: Placed, b: Placed, similarity: number | null, stats: PairStats | null): LinkEvidence {
  const timed = a.takenAt !== null && b.takenAt !== null && !a.guessed && !b.guessed;
  const placed = a.latitude !== null && a.longitude !== null && b.latitude !== null && b.longitude !== null;
  return {
    meaning: similarity !== null && stats ? round(meaningStrength(similarity, stats)) : null,
    similarity: similarity === null ? null : round(similarity),
    gapMs: timed ? Math.abs(a.takenAt! - b.takenAt!) : null,
    sameDay: timed && dayOf(a.takenAt!) === dayOf(b.takenAt!),
    distanceM: placed ? Math.round(distanceM(a.latitude!, a.longitude!, b.latitude!, b.longitude!)) : null,
    sameFolder: a.folder === b.folder,
  };
}

/** Time → strength: within hours is strong, the same day less so, the next day a little. */
export function timeStrength(e: LinkEvidence, dayOnly: boolean): number {
  if (e.gapMs === null) return 0;
  if (!dayOnly && e.gapMs <= 3 * HOUR) return 1;
  if (e.sameDay) return dayOnly ? 0.9 : 0.8;
  if (e.gapMs <= 36 * HOUR) return 0.45;
  if (e.gapMs <= 4 * DAY) return 0.15;
  return 0;
}

export function placeStrength(e: LinkEvidence): number {
  const d = e.distanceM;
  if (d === null) return 0;
  if (d <= 1000) return 1;
  if (d <= 10_000) return 0.6;
  if (d <= 50_000) return 0.3;
  return 0;
}

/** How much each kind of evidence can say on its own. */
export const WEIGHTS = { meaning: 0.75, time: 0.6, place: 0.45, folder: 0.3 } as const;

export function linkScore(e: LinkEvidence, dayOnly: boolean): number {
  const parts = [
    WEIGHTS.meaning * (e.meaning ?? 0),
    WEIGHTS.time * timeStrength(e, dayOnly),
    WEIGHTS.place * placeStrength(e),
    WEIGHTS.folder * (e.sameFolder ? 1 : 0),
  ];
  return round(1 - parts.reduce((p, x) => p * (1 - x), 1));
}

/** Below this a pair is not kept as a link (one same folder alone, or a faint likeness, is not enough). */
export const MIN_LINK_SCORE = 0.35;

function formatDistance(m: number): string {
  if (m < 1000) return `${Math.max(10, Math.round(m / 10) * 10)} m away`;
  if (m < 10_000) return `${(m / 1000).toFixed(1).replace(/\.0$/, '')} km away`;
  return `${Math.round(m / 1000)} km away`;
}

function formatGap(ms: number): string {
  if (ms < HOUR) return 'within the hour';
  if (ms < 36 * HOUR) return `${Math.round(ms / HOUR)} h apart`;
  return `${Math.round(ms / DAY)} days apart`;
}

/** The reasons a person reads, strongest first. */
export function reasonsOf(e: LinkEvidence, dayOnly: boolean, verdict: LinkVerdict | null): string[] {
  const parts: { text: string; strength: number }[] = [];
  if (verdict === 'confirmed') parts.push({ text: 'you linked these', strength: 2 });
  const t = timeStrength(e, dayOnly);
  if (t > 0 && e.gapMs !== null) {
    const close = !dayOnly && e.gapMs <= 3 * HOUR; // within hours says more than "same day"
    parts.push({ text: close || !e.sameDay ? formatGap(e.gapMs) : 'same day', strength: WEIGHTS.time * t });
  }
  const m = e.meaning ?? 0;
  if (m > 0) parts.push({ text: m >= 0.6 ? 'very similar' : 'similar', strength: WEIGHTS.meaning * m });
  const p = placeStrength(e);
  if (p > 0 && e.distanceM !== null) parts.push({ text: formatDistance(e.distanceM), strength: WEIGHTS.place * p });
  if (e.sameFolder) parts.push({ text: 'same folder', strength: WEIGHTS.folder });
  return parts.sort((a, b) => b.strength - a.strength).map((p) => p.text);
}

export function linkInfo(e: LinkEvidence, dayOnly: boolean, verdict: LinkVerdict | null): LinkInfo {
  return { score: verdict === 'confirmed' ? 1 : linkScore(e, dayOnly), evidence: e, reasons: reasonsOf(e, dayOnly, verdict), verdict };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
