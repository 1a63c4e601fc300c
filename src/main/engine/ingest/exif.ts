// The EXIF facts Trove keeps: capture time, camera, GPS. Pure over exif-reader's output.
import exifReader from 'exif-reader';

export interface ExifFacts {
  takenAt: number | null; // local wall-clock time written as UTC ms (see src/shared/query.ts)
  offsetMinutes: number | null; // the timezone, when the camera recorded it
  camera: string | null;
  latitude: number | null;
  longitude: number | null;
}

type Tags = Record<string, unknown>;

function dms(value: unknown, ref: unknown): number | null {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  const [d, m, s] = value as [number, number, number];
  const deg = d + m / 60 + s / 3600;
  return ref === 'S' || ref === 'W' ? -deg : deg;
}

function parseOffset(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function exifFacts(buffer: Buffer | undefined): ExifFacts {
  const none: ExifFacts = { takenAt: null, offsetMinutes: null, camera: null, latitude: null, longitude: null };
  if (!buffer || buffer.length < 8) return none;
  let tags: { Image?: Tags; Photo?: Tags; GPSInfo?: Tags };
  try {
    tags = exifReader(buffer) as typeof tags;
  } catch {
    return none; // broken EXIF is common and harmless: the photo itself is fine
  }
  const date = tags.Photo?.DateTimeOriginal ?? tags.Photo?.DateTimeDigitized ?? tags.Image?.DateTime;
  const takenAt = date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null;
  const make = typeof tags.Image?.Make === 'string' ? tags.Image.Make.trim() : '';
  const model = typeof tags.Image?.Model === 'string' ? tags.Image.Model.trim() : '';
  const camera = model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`.trim();
  const latitude = dms(tags.GPSInfo?.GPSLatitude, tags.GPSInfo?.GPSLatitudeRef);
  const longitude = dms(tags.GPSInfo?.GPSLongitude, tags.GPSInfo?.GPSLongitudeRef);
  const valid = latitude !== null && longitude !== null && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 && !(latitude === 0 && longitude === 0);
  return {
    takenAt,
    offsetMinutes: parseOffset(tags.Photo?.OffsetTimeOriginal ?? tags.Photo?.OffsetTime),
    camera: camera || null,
    latitude: valid ? latitude : null,
    longitude: valid ? longitude : null,
  };
}
