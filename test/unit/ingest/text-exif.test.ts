import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifFacts } from '../../../src/main/engine/ingest/exif.js';
import { decodeText } from '../../../src/main/engine/ingest/text.js';

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM, and UTF-16 with a BOM', () => {
    expect(decodeText(Buffer.from('héllo 世界'))).toBe('héllo 世界');
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('hi')]))).toBe('hi');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('naïve', 'utf16le')]))).toBe('naïve');
    const be = Buffer.from('ok', 'utf16le').swap16();
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('ok');
  });
  it('reads text that is not UTF-8 as Windows-1252 rather than mojibake', () => {
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]))).toBe('café €');
  });
  it('refuses binary data', () => {
    expect(() => decodeText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toThrow(/binary/);
  });
});

describe('exifFacts', () => {
  it('reads capture time, timezone, camera and GPS', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .withExif({
        IFD0: { Make: 'Canon', Model: 'Canon EOS R6' },
        IFD2: { DateTimeOriginal: '2023:07:14 18:30:05', OffsetTimeOriginal: '+02:00' },
        IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '151/1 12/1 36/1' },
      })
      .jpeg()
      .toBuffer();
    const meta = await sharp(jpeg).metadata();
    const facts = exifFacts(meta.exif);
    expect(facts.takenAt).toBe(Date.UTC(2023, 6, 14, 18, 30, 5));
    expect(facts.offsetMinutes).toBe(120);
    expect(facts.camera).toBe('Canon EOS R6');
    expect(facts.latitude).toBeCloseTo(-(33 + 52 / 60), 4);
    expect(facts.longitude).toBeCloseTo(151 + 12 / 60 + 36 / 3600, 4);
  });
  it('shrugs at missing or broken EXIF', () => {
    expect(exifFacts(undefined)).toMatchObject({ takenAt: null, camera: null });
    expect(exifFacts(Buffer.from('Exif\0\0garbage-garbage'))).toMatchObject({ takenAt: null, latitude: null });
  });
});
