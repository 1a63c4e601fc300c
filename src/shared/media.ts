// Where the page finds an item's pixels and sound: one path shape for both front doors. [Note: media]
// Electron serves it on the `trove-media:` protocol, browser mode under the same path on 127.0.0.1; both answer
// only for indexed items inside watched folders (the Engine's `mediaFile` decides), never for an arbitrary path.

export const MEDIA_VARIANTS = ['small', 'large', 'original'] as const;
/** `small` and `large` are photo thumbnails (WebP, 256 and 1024 px); `original` is the file itself (audio, photos). */
export type MediaVariant = (typeof MEDIA_VARIANTS)[number];

export function isMediaVariant(value: unknown): value is MediaVariant {
  return typeof value === 'string' && (MEDIA_VARIANTS as readonly string[]).includes(value);
}

/** `/media/<item id>/<variant>`; thumbnails are named by content, so `v` (the hash) busts caches when a file changes. */
export function mediaPath(id: number, variant: MediaVariant, version?: string | null): string {
  const base = `/media/${id}/${variant}`;
  return version ? `${base}?v=${encodeURIComponent(version)}` : base;
}

export function parseMediaPath(pathname: string): { readonly id: number; readonly variant: MediaVariant } | null {
  const m = /^\/media\/([1-9][0-9]{0,15})\/([a-z]+)$/.exec(pathname);
  if (!m) return null;
  const id = Number(m[1]);
  const variant = m[2];
  if (!Number.isSafeInteger(id) || !isMediaVariant(variant)) return null;
  return { id, variant };
}
