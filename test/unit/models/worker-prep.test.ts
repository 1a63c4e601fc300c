// A photo's resize runs in the indexing worker [Note: responsive]; the tensor is the same as on this thread, bit
// for bit (the parity tests hold the local path to Pillow's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareImage } from '../../../src/main/engine/models/encoder.js';
import { WorkerEncoder } from '../../../src/main/engine/models/worker-encoder.js';
import { loadPack } from '../../../src/main/engine/models/pack.js';
import { COLOURS_PACK, REPO } from '../../helpers.js';

describe('the resize in the indexing worker', () => {
  it('gives the same pixels as on the engine thread', async () => {
    const photo = readFileSync(join(REPO, 'test/fixtures/parity/landscape.jpg'));
    const pack = await loadPack(COLOURS_PACK);
    const local = await prepareImage(photo, pack.image!, 200_000_000);
    const encoder = await WorkerEncoder.open(COLOURS_PACK, { threads: 1 });
    try {
      const remote = await encoder.prepareImage(photo);
      expect(remote.pixels.length).toBe(local.pixels.length);
      expect(Buffer.from(remote.pixels.buffer, remote.pixels.byteOffset, remote.pixels.byteLength).equals(Buffer.from(local.pixels.buffer, local.pixels.byteOffset, local.pixels.byteLength))).toBe(true);
      expect([remote.width, remote.height]).toEqual([local.width, local.height]);
    } finally {
      await encoder.close();
    }
  });
});

describe('an indexing worker at rest', () => {
  it('ends, and the next embedding starts it again with the same answers; queries go on meanwhile', async () => {
    const encoder = await WorkerEncoder.open(COLOURS_PACK, { threads: 1 });
    try {
      const before = await encoder.embedTexts(['red', 'a blue lake']);
      const running = () => (encoder as unknown as { indexWorker: { rpc: { worker: unknown } } }).indexWorker.rpc.worker !== null;
      expect(running()).toBe(true);
      await encoder.rest(); // [Note: ocr-memory]
      expect(running()).toBe(false);
      expect(await encoder.embedQueries(['red'])).toHaveLength(1); // the query worker is not the one at rest
      const after = await encoder.embedTexts(['red', 'a blue lake']);
      expect(running()).toBe(true);
      expect(after.map((v) => [...v])).toEqual(before.map((v) => [...v]));
      await encoder.rest();
      await encoder.rest(); // twice is nothing more
      expect((await encoder.embedTexts(['green']))[0]).toHaveLength(encoder.space.dimensions);
    } finally {
      await encoder.close();
    }
  });
});
