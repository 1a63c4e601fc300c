// Two Trove processes opening a new library at the same moment (the app starting while a `trove` command runs)
// must both succeed: only one migrates, the other waits for it and finds the schema current.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers.js';

describe('a new library opened by several processes at once', () => {
  const tmp = tempDir('concurrent-open');
  afterAll(() => tmp.cleanup());

  it('is migrated once, and every process opens it', async () => {
    const file = join(tmp.dir, 'library.db');
    // Each child loads everything first, then waits for the same instant to open the database.
    const startAt = Date.now() + 4000;
    const script = `
      const { Store } = await import(${JSON.stringify(join(REPO, 'src/main/engine/store/index.ts'))});
      while (Date.now() < ${startAt}) {}
      const store = Store.open(${JSON.stringify(file)});
      console.log(store.db.pragma('user_version', { simple: true }));
      store.close();
    `;
    const runs = Array.from({ length: 6 }, () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('close', (code) => resolve({ code, out, err }));
      }),
    );
    const results = await Promise.all(runs);
    const { latestVersion } = await import('../../src/main/engine/store/migrate.js');
    for (const r of results) {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(Number(r.out.trim())).toBe(latestVersion());
    }
  }, 60_000);
});
