// Recognising a recording's format from its bytes, its recording time from its tags, and FLAC frames in pieces.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioError, decodeAudio, recordingTime, sniffAudio, type AudioFormat } from '../../../src/main/engine/ingest/audio.js';
import { FlacFrames, isFrameHeader } from '../../../src/main/engine/ingest/audio-flac.js';
import { shiftChunkOffsets } from '../../../src/main/engine/ingest/audio-mp4.js';

const dir = mkdtempSync(join(tmpdir(), 'trove-sniff-'));
let n = 0;

async function sniff(bytes: Uint8Array): Promise<AudioFormat | null> {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, bytes);
  const fh = await open(path, 'r');
  try {
    return await sniffAudio(fh, bytes.length);
  } finally {
    await fh.close();
  }
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** An MPEG-1 layer III frame: 128 kb/s, 44.1 kHz, no padding → 417 bytes. */
function mp3Frame(): Uint8Array {
  const f = new Uint8Array(417);
  f.set([0xff, 0xfb, 0x90, 0x64]);
  return f;
}

/** An ADTS frame of `length` bytes (AAC LC, 44.1 kHz, stereo). */
function adtsFrame(length: number): Uint8Array {
  const f = new Uint8Array(length);
  f.set([0xff, 0xf1, 0x50, 0x80 | ((length >> 11) & 3), (length >> 3) & 0xff, ((length & 7) << 5) | 0x1f, 0xfc]);
  return f;
}

function oggPage(packet: Uint8Array): Uint8Array {
  const header = new Uint8Array(28);
  header.set(ascii('OggS'));
  header[5] = 2; // first page
  header[26] = 1; // one segment
  header[27] = packet.length;
  return concat(header, packet);
}

describe('recognising a recording by its content', () => {
  it('knows the containers by their magic, whatever the extension', async () => {
    expect(await sniff(concat(ascii('RIFF'), new Uint8Array(4), ascii('WAVEfmt '), new Uint8Array(40)))).toEqual({ codec: 'wav', ogg: false });
    expect(await sniff(concat(ascii('fLaC'), new Uint8Array(60)))).toEqual({ codec: 'flac', ogg: false });
    expect(await sniff(concat(new Uint8Array([0, 0, 0, 24]), ascii('ftypM4A '), new Uint8Array(40)))).toEqual({ codec: 'm4a', ogg: false });
    expect(await sniff(oggPage(concat(ascii('OpusHead'), new Uint8Array(11))))).toEqual({ codec: 'opus', ogg: true });
    expect(await sniff(oggPage(concat(new Uint8Array([1]), ascii('vorbis'), new Uint8Array(23))))).toEqual({ codec: 'vorbis', ogg: true });
    expect(await sniff(oggPage(concat(new Uint8Array([0x7f]), ascii('FLAC'), new Uint8Array(40))))).toEqual({ codec: 'flac', ogg: true });
    expect(await sniff(oggPage(concat(ascii('Speex   '), new Uint8Array(72))))).toBeNull(); // Ogg, but not a codec Trove reads
  });

  it('takes MPEG audio and raw AAC only when frames follow one another', async () => {
    expect(await sniff(concat(mp3Frame(), mp3Frame(), mp3Frame(), mp3Frame()))).toEqual({ codec: 'mp3', ogg: false });
    expect(await sniff(concat(adtsFrame(300), adtsFrame(280), adtsFrame(310)))).toEqual({ codec: 'aac', ogg: false });
    // A stray sync word in other bytes is not a stream.
    const stray = new Uint8Array(5000);
    stray.set(mp3Frame().subarray(0, 4), 100);
    expect(await sniff(stray)).toBeNull();
    // Junk before the first frame (a damaged start) is skipped.
    expect(await sniff(concat(new Uint8Array(333).fill(7), mp3Frame(), mp3Frame(), mp3Frame()))).toEqual({ codec: 'mp3', ogg: false });
    // A short file that is one or two whole frames.
    expect(await sniff(concat(mp3Frame(), mp3Frame()))).toEqual({ codec: 'mp3', ogg: false });
  });

  it('looks past an ID3 tag, however large', async () => {
    const tag = (size: number) => {
      const t = new Uint8Array(10 + size);
      t.set([...ascii('ID3'), 4, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
      return t;
    };
    expect(await sniff(concat(tag(100), mp3Frame(), mp3Frame(), mp3Frame()))).toEqual({ codec: 'mp3', ogg: false });
    expect(await sniff(concat(tag(200_000), mp3Frame(), mp3Frame(), mp3Frame()))).toEqual({ codec: 'mp3', ogg: false }); // album art
    expect(await sniff(concat(tag(100), adtsFrame(300), adtsFrame(300), adtsFrame(300)))).toEqual({ codec: 'aac', ogg: false });
    expect(await sniff(concat(tag(100), ascii('fLaC'), new Uint8Array(40)))).toEqual({ codec: 'flac', ogg: false });
    expect(await sniff(concat(tag(100), ascii('just text after a tag'.repeat(20))))).toBeNull();
    expect(await sniff(tag(50_000).subarray(0, 1000))).toBeNull(); // a tag that claims more than the file holds
  });

  it('refuses text, images and nothing', async () => {
    expect(await sniff(ascii('Meeting notes, saved as .mp3 by mistake.\n'.repeat(10)))).toBeNull();
    expect(await sniff(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...ascii('JFIF'), 0, 1, 1]))).toBeNull();
    expect(await sniff(new Uint8Array(0))).toBeNull();
  });
});

describe('recording time', () => {
  const local = (instant: number) => instant - new Date(instant).getTimezoneOffset() * 60_000;

  it('turns MP4 creation time (an instant) into wall-clock time here, like a photo', () => {
    const instant = Date.UTC(2024, 5, 1, 9, 30);
    expect(recordingTime(new Date(instant), undefined)).toEqual({ takenAt: local(instant), stated: '2024-06-01T09:30:00.000Z' });
  });

  it('reads date tags with or without a time and zone', () => {
    expect(recordingTime(undefined, '2021-05-04')?.takenAt).toBe(Date.UTC(2021, 4, 4));
    expect(recordingTime(undefined, '2021-05-04 10:11:12')?.takenAt).toBe(Date.UTC(2021, 4, 4, 10, 11, 12));
    expect(recordingTime(undefined, '2021-05-04T10:11')?.takenAt).toBe(Date.UTC(2021, 4, 4, 10, 11));
    expect(recordingTime(undefined, '2021-05-04T10:11:12+02:00')?.takenAt).toBe(local(Date.UTC(2021, 4, 4, 8, 11, 12)));
    expect(recordingTime(undefined, '2021-05-04T10:11:12Z')?.takenAt).toBe(local(Date.UTC(2021, 4, 4, 10, 11, 12)));
  });

  it('has none for vague, impossible or placeholder dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(recordingTime(undefined, '2021', now)).toBeNull(); // a year is not a recording time (an album's, maybe)
    expect(recordingTime(undefined, '2021-05', now)).toBeNull();
    expect(recordingTime(undefined, '2021-02-30', now)).toBeNull();
    expect(recordingTime(undefined, '2021-05-04 25:00', now)).toBeNull();
    expect(recordingTime(new Date(Date.UTC(1904, 0, 1)), undefined, now)).toBeNull(); // MP4's "no date"
    expect(recordingTime(new Date(0), undefined, now)).toBeNull();
    expect(recordingTime(undefined, '2031-01-01', now)).toBeNull(); // the future
    expect(recordingTime(new Date(Date.UTC(1904, 0, 1)), '2021-05-04', now)?.takenAt).toBe(Date.UTC(2021, 4, 4)); // falls back to the tag
  });
});

/** A FLAC frame header (fixed block size 4096 → code 12, 44.1 kHz → 9, mono, 16 bit) for frame `n`, with its CRC-8. */
function flacFrame(n: number, body: number): Uint8Array {
  const crc8 = (b: Uint8Array) => {
    let c = 0;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    }
    return c;
  };
  const crc16 = (b: Uint8Array) => {
    let c = 0;
    for (const x of b) {
      c ^= x << 8;
      for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    }
    return c;
  };
  const head = Uint8Array.from([0xff, 0xf8, 0xc9, 0x08, n & 0x7f]);
  const frame = new Uint8Array(head.length + 1 + body + 2);
  frame.set(head);
  frame[head.length] = crc8(head);
  for (let i = 0; i < body; i++) frame[head.length + 1 + i] = (i * 31 + n) & 0xff || 1; // no accidental sync
  const c = crc16(frame.subarray(0, frame.length - 2));
  frame[frame.length - 2] = c >> 8;
  frame[frame.length - 1] = c & 0xff;
  return frame;
}

describe('FLAC frames in pieces', () => {
  const streaminfo = concat(ascii('fLaC'), Uint8Array.from([0x80, 0, 0, 34]), new Uint8Array(34));
  const frames = [flacFrame(0, 900), flacFrame(1, 40), flacFrame(2, 1700), flacFrame(3, 12)];
  const stream = concat(streaminfo, ...frames);

  it('checks frame headers by their CRC-8', () => {
    expect(isFrameHeader(frames[0]!, 0)).toBe(true);
    const bad = frames[0]!.slice();
    bad[5] = bad[5]! ^ 1;
    expect(isFrameHeader(bad, 0)).toBe(false);
    expect(isFrameHeader(frames[0]!.subarray(0, 3), 0)).toBeUndefined(); // not enough bytes to judge
  });

  it('finds every frame whatever the piece boundaries, the last one included', () => {
    for (const size of [1, 7, 16, 17, 100, 1000, stream.length]) {
      const splitter = new FlacFrames();
      const found: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += size) found.push(...splitter.push(stream.subarray(at, at + size)));
      found.push(...splitter.end());
      expect(found.map((f) => f.length), `pieces of ${size}`).toEqual(frames.map((f) => f.length));
      expect(concat(...found)).toEqual(concat(...frames));
    }
  });

  it('skips an ID3 tag before the stream', () => {
    const tag = concat(ascii('ID3'), Uint8Array.from([4, 0, 0, 0, 0, 1, 0]), new Uint8Array(128));
    const splitter = new FlacFrames();
    const found = [...splitter.push(concat(tag, stream).subarray(0, 150)), ...splitter.push(concat(tag, stream).subarray(150)), ...splitter.end()];
    expect(found.map((f) => f.length)).toEqual(frames.map((f) => f.length));
  });

  it('skips a 255 MB tag and 16 MB metadata blocks as they arrive, without holding or copying them again', () => {
    // Before, every piece was appended to everything so far until the metadata ended: quadratic, hours for this.
    const big = 255 * 1024 * 1024; // near the largest size an ID3v2 tag can say (28 bits)
    const syncsafe = [(big >> 21) & 0x7f, (big >> 14) & 0x7f, (big >> 7) & 0x7f, big & 0x7f];
    const splitter = new FlacFrames();
    const piece = new Uint8Array(1024 * 1024); // the same zeros, fed again and again: no memory for the test itself
    const found: Uint8Array[] = [...splitter.push(concat(ascii('ID3'), Uint8Array.from([4, 0, 0, ...syncsafe])))];
    for (let n = 0; n < big / piece.length; n++) found.push(...splitter.push(piece));
    const padding = 16 * 1024 * 1024 - 1; // a PADDING block of the largest size, before STREAMINFO
    found.push(...splitter.push(concat(ascii('fLaC'), Uint8Array.from([0x01, padding >> 16, (padding >> 8) & 0xff, padding & 0xff]))));
    for (let left = padding; left > 0; left -= piece.length) found.push(...splitter.push(piece.subarray(0, Math.min(piece.length, left))));
    found.push(...splitter.push(stream.subarray(4)), ...splitter.end()); // the STREAMINFO block (last) and the frames
    expect(found.map((f) => f.length)).toEqual(frames.map((f) => f.length));
  });

  it('drops a truncated last frame and refuses what is not FLAC', () => {
    const splitter = new FlacFrames();
    const found = [...splitter.push(stream.subarray(0, stream.length - 5)), ...splitter.end()];
    expect(found).toHaveLength(3);
    expect(() => new FlacFrames().push(ascii('OggS and more'))).toThrow(/not a FLAC stream/);
  });
});

describe('moving an M4A index in front of its audio', () => {
  it('shifts every track’s chunk offsets, 32- and 64-bit, and refuses an overflow', () => {
    const box = (type: string, body: Uint8Array) => {
      const b = new Uint8Array(8 + body.length);
      new DataView(b.buffer).setUint32(0, b.length);
      b.set(ascii(type), 4);
      b.set(body, 8);
      return b;
    };
    const stco = new Uint8Array(8 + 8);
    const sv = new DataView(stco.buffer);
    sv.setUint32(4, 2);
    sv.setUint32(8, 100);
    sv.setUint32(12, 5000);
    const co64 = new Uint8Array(8 + 8);
    const cv = new DataView(co64.buffer);
    cv.setUint32(4, 1);
    cv.setUint32(8, 1);
    cv.setUint32(12, 16); // 2^32 + 16
    const moov = box('moov', concat(box('trak', box('mdia', box('minf', box('stbl', box('stco', stco))))), box('trak', box('mdia', box('minf', box('stbl', box('co64', co64))))), box('udta', new Uint8Array(8))));
    expect(shiftChunkOffsets(moov, (o) => (o >= 1000 ? o + 77 : o))).toBe(true);
    const view = new DataView(moov.buffer);
    const find = (type: string) => {
      for (let i = 0; i + 4 <= moov.length; i++) if (String.fromCharCode(...moov.subarray(i, i + 4)) === type) return i + 4;
      throw new Error(type);
    };
    expect([view.getUint32(find('stco') + 8), view.getUint32(find('stco') + 12)]).toEqual([100, 5077]);
    expect(view.getUint32(find('co64') + 8) * 2 ** 32 + view.getUint32(find('co64') + 12)).toBe(2 ** 32 + 16 + 77);
    expect(shiftChunkOffsets(moov, (o) => o + 0xffffffff)).toBe(false);
  });

  // Both found by test/unit/fuzz/audio.test.ts.
  const nested = (depth: number, type = 'moov') => {
    const b = new Uint8Array(depth * 8);
    const view = new DataView(b.buffer);
    for (let i = 0; i < depth; i++) {
      view.setUint32(i * 8, (depth - i) * 8);
      b.set(ascii(type), i * 8 + 4);
    }
    return b;
  };

  it('leaves containers nested past any real file alone instead of overflowing the stack', async () => {
    expect(shiftChunkOffsets(nested(50_000, 'trak'), (o) => o + 1)).toBe(true);
    // As a whole file, index after the audio: the reason is an AudioError, not a RangeError from the reordering.
    const ftyp = concat(new Uint8Array([0, 0, 0, 16]), ascii('ftypM4A '), new Uint8Array(4));
    const mdat = concat(new Uint8Array([0, 0, 0, 24]), ascii('mdat'), new Uint8Array(16));
    const path = join(dir, `f${n++}.m4a`);
    writeFileSync(path, concat(ftyp, mdat, nested(20_000)));
    const outcome = await (async () => {
      for await (const _piece of decodeAudio(path)) void _piece;
    })().then(
      () => 'decoded',
      (error: unknown) => error,
    );
    expect(outcome === 'decoded' || outcome instanceof AudioError, String(outcome)).toBe(true);
  });

  it('writes back only offsets that move, so a 64-bit one past 2^53 (read rounded) is left as it was', () => {
    const co64 = concat(new Uint8Array([0, 0, 0, 24]), ascii('co64'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]), new Uint8Array([1, 0, 0, 0, 0, 0, 0, 1]));
    const before = Uint8Array.from(co64);
    expect(shiftChunkOffsets(co64, (o) => (o < 1000 ? o + 77 : o))).toBe(true);
    expect(co64).toEqual(before);
  });
});
