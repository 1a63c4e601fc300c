// `trove collections` as a person and a script run it, over the generated library of outings. [Note: collections]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvents, type EventLibrary } from '../fixtures/make-events.js';
import { REPO, tempDir } from '../helpers.js';

const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(REPO, 'bin/trove.js'), ...args], { cwd: REPO, env: { ...process.env, TROVE_LOG: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

interface JsonCollection {
  id: number;
  title: string;
  start: number;
  end: number;
  members: { path: string; kind: string }[];
}

describe('trove collections', () => {
  const tmp = tempDir('cli-collections');
  const lib = join(tmp.dir, 'library');
  const data = ['--data-dir', join(tmp.dir, 'data')];
  let library: EventLibrary;

  beforeAll(async () => {
    library = await makeEvents(lib);
    const index = await run(['index', lib, '--no-ocr', '--model', 'test/fixtures/packs/colours', ...data]);
    expect(index.code, index.stderr).toBe(0);
  });
  afterAll(() => tmp.cleanup());

  it('lists them for a person and as JSON with members, shows one, renames, hides and merges', async () => {
    const json = await run(['collections', '--json', ...data]);
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as JsonCollection[];
    expect(list).toHaveLength(3);
    for (const event of library.events) {
      const c = list.find((x) => x.members.some((m) => m.path === join(lib, event.note)))!;
      expect(c.title).toBe(event.noteTitle);
      expect(c.start).toBeLessThanOrEqual(c.end);
      expect(c.members.filter((m) => m.kind === 'photo').map((m) => m.path).sort()).toEqual(event.photos.map((p) => join(lib, p)).sort());
    }

    const human = await run(['collections', ...data]);
    expect(human.stdout).toMatch(/Lake day {2}· {2}2024-05-05 {2}· {2}8 photos, 1 note/);

    const lake = list.find((c) => c.title === 'Lake day')!;
    const show = await run(['collections', 'show', String(lake.id), ...data]);
    expect(show.stdout.split('\n')[0]).toBe(`Lake day  (collection ${lake.id})`);
    expect(show.stdout).toContain('journal/2024-05-05.md');
    expect(show.stdout).toContain('“We rowed the red boat');

    expect((await run(['collections', 'rename', String(lake.id), 'Rowing', 'on', 'the', 'lake', ...data])).stdout).toContain('“Rowing on the lake”');
    expect((await run(['collections', 'hide', String(lake.id), ...data])).code).toBe(0);
    expect((await run(['collections', ...data])).stdout).not.toContain('Rowing on the lake');
    expect((await run(['collections', '--all', ...data])).stdout).toMatch(/Rowing on the lake .*\(hidden\)/);

    const [a, b] = list.filter((c) => c.id !== lake.id);
    const merged = await run(['collections', 'merge', String(a!.id), String(b!.id), '--json', ...data]);
    expect(merged.code, merged.stderr).toBe(0);
    expect((JSON.parse(merged.stdout) as JsonCollection).members.length).toBe(a!.members.length + b!.members.length);
    const after = JSON.parse((await run(['collections', '--json', '--all', ...data])).stdout) as JsonCollection[];
    expect(after.map((c) => c.id).sort()).toEqual([lake.id, a!.id].sort());
  });

  it('says what is wrong in one line', async () => {
    const bad = await run(['collections', 'show', 'x', ...data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await run(['collections', 'show', '999', ...data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no collection with id 999');
  });
});
