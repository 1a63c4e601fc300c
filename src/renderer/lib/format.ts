// How numbers, times and places read on screen. Pure; dates follow the person's locale where it matters.

/** A position in a recording: m:ss, or h:mm:ss from an hour on. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** A size in bytes, the way a file manager shows it (decimal units). */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

/** Time left, roughly: "about 40 s", "about 3 min", "about 2 h 5 min". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** Files per second, with one decimal under ten. */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '';
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}

/** 1234567 → "1,234,567" (grouping by locale). */
export function count(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "1 photo", "3 photos". */
export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${count(n, locale)} ${n === 1 ? one : many}`;
}

/**
 * A capture time as stored: the local wall-clock time it was taken, written as if it were UTC (see
 * src/shared/query.ts), so it is formatted in UTC to show the time the camera showed.
 */
export function takenDate(ms: number, locale?: string, withTime = true): string {
  const options: Intl.DateTimeFormatOptions = withTime
    ? { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale, options).format(new Date(ms));
}

/** A file's modification time, in the person's own time zone. */
export function fileDate(ms: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(ms));
}

/** 51.50722, -0.1275 → "51.5072° N, 0.1275° W". */
export function place(latitude: number, longitude: number): string {
  const fmt = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(4)}° ${v >= 0 ? pos : neg}`;
  return `${fmt(latitude, 'N', 'S')}, ${fmt(longitude, 'E', 'W')}`;
}

/** A cosine similarity as shown on hover: two decimals. */
export function score(value: number): string {
  return value.toFixed(2);
}

/** The folder part of a relative path ("photos/2023/IMG.jpg" → "photos/2023"), '' at the top. */
export function folderOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

/** The last part of a path, whichever separator it uses. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
