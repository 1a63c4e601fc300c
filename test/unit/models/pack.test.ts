import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxEncoder } from '../../../src/main/engine/models/encoder.js';
import { inferManifest, loadPack, MANIFEST_FILE } from '../../../src/main/engine/models/pack.js';
import { ModelManager } from '../../../src/main/engine/models/manager.js';
import { chooseModel } from '../../../src/main/engine/models/resolve.js';
import { loadCatalogue } from '../../../src/main/engine/models/catalogue.js';
import { providerChain } from '../../../src/main/engine/models/session.js';
import { COLOURS_PACK, tempDir } from '../../helpers.js';

const tmp = tempDir('packs');
afterAll(() => tmp.cleanup());

function copyPack(name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(COLOURS_PACK, dir, { recursive: true });
  return dir;
}

describe('model packs', () => {
  it('load the fixture through its manifest, fully verified', async () => {
    const pack = await loadPack(COLOURS_PACK, 'full');
    expect(pack.manifest).toMatchObject({ id: 'fixture-colours', revision: '1', dimensions: 16, contextLength: 32 });
    expect(pack.image?.crop).toEqual({ width: 64, height: 64 });
    expect(pack.tokenizer).not.toBeNull();
  });

  it('reject a corrupted file by checksum and a truncated one by size', async () => {
    const corrupt = copyPack('corrupt');
    const file = join(corrupt, 'onnx/text_model.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(file, bytes);
    // A size check alone cannot see a flipped byte: the pack loads, with its own identity.
    await expect(loadPack(corrupt, 'size')).resolves.toMatchObject({ manifest: { id: 'fixture-colours' } });
    await expect(loadPack(corrupt, 'full')).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/text_model.onnx does not match its sha256/) });
    writeFileSync(file, bytes.subarray(0, 100));
    await expect(loadPack(corrupt, 'size')).rejects.toMatchObject({ message: expect.stringMatching(/has 100 bytes, expected \d+/) });
  });

  it('reject manifests that are malformed or newer than this Trove', async () => {
    const dir = copyPack('bad-manifest');
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    const write = (m: Record<string, unknown>) => writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(m));
    write({ ...manifest, format: 2 });
    await expect(loadPack(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/unsupported format 2/) });
    write({ ...manifest, dimensions: -1 });
    await expect(loadPack(dir)).rejects.toMatchObject({ message: expect.stringMatching(/"dimensions" must be a positive integer/) });
    write({ ...manifest, files: [{ path: '../../etc/passwd', size: 1, sha256: 'a'.repeat(64) }] });
    await expect(loadPack(dir)).rejects.toMatchObject({ message: expect.stringMatching(/leaves the pack/) });
    writeFileSync(join(dir, MANIFEST_FILE), '{ not json');
    await expect(loadPack(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('load a plain Hugging Face export without a manifest', async () => {
    const dir = copyPack('hf-export');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, MANIFEST_FILE));
    const m = inferManifest(dir);
    expect(m).toMatchObject({ id: 'hf-export', dimensions: 16, contextLength: 32, towers: { image: { file: 'onnx/vision_model.onnx' } } });
    expect(m.revision).toMatch(/^local-[0-9a-f]{12}$/);
    const encoder = await OnnxEncoder.open(dir);
    const [v] = await encoder.embedTexts(['blue']);
    expect(v).toHaveLength(16);
    await encoder.close();
  });

  it('say clearly when a pack is missing', async () => {
    await expect(loadPack(join(tmp.dir, 'nowhere'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const manager = new ModelManager(join(tmp.dir, 'models'), loadCatalogue());
    expect(chooseModel('clip-vit-b32', manager)).toEqual({ kind: 'download', id: 'clip-vit-b32' });
    expect(() => chooseModel('no-such-model', manager)).toThrow(/no model "no-such-model": it is neither a pack folder/);
    expect(() => chooseModel('./no/such/folder', manager)).toThrow(/no model pack folder at/);
    expect(chooseModel('test/fixtures/packs/colours', manager, join(COLOURS_PACK, '../../../..'))).toEqual({ kind: 'folder', dir: COLOURS_PACK });
  });
});

describe('execution providers', () => {
  it('try the platform GPU first where installed, then the CPU', () => {
    expect(providerChain('auto', 'linux', () => true)).toEqual(['cuda', 'cpu']);
    expect(providerChain('auto', 'linux', () => false)).toEqual(['cpu']);
    expect(providerChain('auto', 'win32', () => true)).toEqual(['dml', 'cpu']);
    expect(providerChain('auto', 'darwin', () => true)).toEqual(['coreml', 'cpu']);
    expect(providerChain('gpu', 'linux', () => false)).toEqual(['cuda']);
    expect(providerChain('cpu', 'linux', () => true)).toEqual(['cpu']);
  });
});
