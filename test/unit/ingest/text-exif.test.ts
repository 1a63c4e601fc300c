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
    // 'Ça coûte 10 € — très cher.' in Windows-1252
    expect(decodeText(Buffer.from('c76120636ffb746520313020802097207472e87320636865722e', 'hex'))).toBe('Ça coûte 10 € — très cher.');
  });
  it('detects Chinese, Japanese and Korean legacy encodings instead of showing mojibake', () => {
    // '今天天气很好，我们去了海边。海水是蓝色的，沙滩上有很多人在玩。' in GB18030, and its traditional form in Big5 (bytes from Python's codecs)
    const gb = Buffer.from('bdf1ccecccecc6f8badcbac3a3acced2c3c7c8a5c1cbbaa3b1dfa1a3baa3cbaecac7c0b6c9abb5c4a3acc9b3ccb2c9cfd3d0badcb6e0c8cbd4dacde6a1a3', 'hex');
    expect(decodeText(gb)).toBe('今天天气很好，我们去了海边。海水是蓝色的，沙滩上有很多人在玩。');
    const big5 = Buffer.from('a4b5a4d1a4d1aef0abdca66ea141a7daadcca568a446aefcc3e4a143aefca4f4ac4fc2c5a6e2aabaa141a846c579a457a6b3abdca668a448a662aab1a143', 'hex');
    expect(decodeText(big5)).toBe('今天天氣很好，我們去了海邊。海水是藍色的，沙灘上有很多人在玩。');
    const sjis = Buffer.from('8da193fa82cd82c682c482e097c782a293568b4382c582b781428e8482bd82bf82cd8a4382c98d7382ab82dc82b582bd81428a4382cd90c282a982c182bd82c582b78142', 'hex');
    expect(decodeText(sjis)).toBe('今日はとても良い天気です。私たちは海に行きました。海は青かったです。');
  });

  it('reads UTF-16 without a BOM when the text says so', () => {
    const text = 'Meeting notes: the harbour walk was lovely, we should go again in spring.';
    expect(decodeText(Buffer.from(text, 'utf16le'))).toBe(text);
    expect(decodeText(Buffer.from(text, 'utf16le').swap16())).toBe(text);
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
