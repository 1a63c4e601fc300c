// What the hardening issue found through the CLI, as a person meets it: a long one-line file indexes, a text file
// too large to be a note is refused with its reason, `--ignore` on a folder already watched is applied (not dropped),
// and `trove status` says what waits in the queue and why. [Note: bounded-chunking] [Note: queue]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOURS_PACK, REPO, tempDir } from '../helpers.js';

function trove(args: string[], kill?: { on: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/trove.js'), ...args], { env: { ...process.env, TROVE_LOG: kill ? 'debug' : 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (kill && stderr.includes(kill.on)) child.kill('SIGKILL');
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI on the hardening cases', () => {
  const tmp = tempDir('cli-hardening');
  const lib = join(tmp.dir, 'notes');
  const data = join(tmp.dir, 'data');
  const opts = ['--model', COLOURS_PACK, '--data-dir', data, '--no-ocr'];
  beforeAll(() => {
    mkdirSync(join(lib, 'logs'), { recursive: true });
    const words = ['river', 'stone', 'light', 'winter', 'garden', 'silver', 'red', 'blue'];
    let line = '';
    for (let i = 0; line.length < 700_000; i++) line += `${words[i % words.length]}${i % 997} `;
    writeFileSync(join(lib, 'one-line.txt'), line); // 700 KB on one line: it took the indexer to 4.4 GB and down
    writeFileSync(join(lib, 'dump.txt'), 'x '.repeat(5 * 1024 * 1024)); // 10 MB: a data dump, not a note
    writeFileSync(join(lib, 'Shopping.md'), '# Shopping list\n');
    for (let i = 0; i < 5; i++) writeFileSync(join(lib, 'logs', `app-${i}.txt`), `started ${i}\nred light\n`);
  });
  afterAll(() => tmp.cleanup());

  it('indexes a long one-line file, refuses one too large to be a note with its reason, and finds a note that is only a heading', async () => {
    const run = await trove(['index', lib, ...opts]);
    expect(run.code, run.stderr).toBe(0);
    const errors = JSON.parse((await trove(['status', '--errors', '--json', ...opts])).stdout) as { errors: { relPath: string; error: string }[] };
    expect(errors.errors.map((e) => e.relPath)).toEqual(['dump.txt']);
    expect(errors.errors[0]!.error).toMatch(/too large to index as a note \(10 MB; Trove reads notes up to 8 MB/);
    const found = JSON.parse((await trove(['search', 'winter996', '--json', ...opts])).stdout) as { hits: { item: { relPath: string } }[] };
    expect(found.hits[0]?.item.relPath).toBe('one-line.txt');
    const shopping = JSON.parse((await trove(['search', 'shopping list', '--kind', 'note', '--json', ...opts])).stdout) as { hits: { item: { relPath: string }; match: { lexical: boolean } }[] };
    expect(shopping.hits.find((h) => h.match.lexical)?.item.relPath).toBe('Shopping.md');
  }, 120_000);

  it('applies --ignore given for a folder already watched, and says the rules in force', async () => {
    const run = await trove(['index', lib, '--ignore', 'logs/**', ...opts]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Ignoring in');
    expect(run.stderr).toContain('logs/**');
    const status = await trove(['status', ...opts]);
    expect(status.stdout).toContain('ignoring logs/**');
    const json = JSON.parse((await trove(['status', '--json', ...opts])).stdout) as { counts: { note: number } };
    expect(json.counts.note).toBe(2); // one-line.txt and Shopping.md (dump.txt is an error); the logs are gone
    // A subfolder's patterns are scoped to it.
    const sub = await trove(['index', join(lib, 'logs'), '--ignore', '*.tmp', ...opts]);
    expect(sub.code, sub.stderr).toBe(0);
    expect((await trove(['status', ...opts])).stdout).toContain('ignoring logs/**, logs/**/*.tmp');
  }, 120_000);

  it('says what waits in the queue after a run was killed, and why', async () => {
    for (let i = 0; i < 40; i++) writeFileSync(join(lib, `new-${i}.md`), `# New ${i}\n\nred garden ${i}\n`);
    const killed = await trove(['index', lib, ...opts], { on: '[ingest/indexer] embedding ' });
    expect(killed.code).toBeNull();
    const status = await trove(['status', ...opts]);
    expect(status.stdout).toMatch(/^Queue: \d+ files? to index: waiting for the next index run/m);
    const done = await trove(['index', ...opts]);
    expect(done.code, done.stderr).toBe(0);
    expect((await trove(['status', ...opts])).stdout).not.toMatch(/^Queue:/m);
  }, 120_000);
});
