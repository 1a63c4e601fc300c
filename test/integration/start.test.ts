// `npm start` on a machine without the Electron binary (this one, CI): one line says so, and browser mode serves.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, REPO, tempDir } from '../helpers.js';

describe('npm start without Electron', () => {
  const tmp = tempDir('start');
  afterAll(() => tmp.cleanup());

  it('prints one line and serves the UI and the API in browser mode', async () => {
    const noElectron = join(tmp.dir, 'no-electron');
    mkdirSync(noElectron);
    const child = spawn(process.execPath, ['scripts/start.js', '--no-build', '--no-open', '--port', '0'], {
      cwd: REPO,
      // An empty override folder stands for a machine where Electron's binary was never downloaded.
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: noElectron, TROVE_DATA_DIR: join(tmp.dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await eventually(() => /serving at (\S+)/.test(stderr), 'the address', 60_000);
      const lines = stderr.split('\n');
      const serving = lines.findIndex((l) => l.includes('serving at'));
      expect(lines.slice(0, serving)).toEqual(['Electron is not installed here (node_modules/electron has no binary), so Trove starts in browser mode instead.']);
      expect(stdout).toBe('');

      const url = new URL(/serving at (\S+)/.exec(stderr)![1]!);
      const token = url.searchParams.get('token')!;
      const api = await fetch(`${url.origin}/api/listRoots`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual({ ok: true, value: [] });
      // The page itself: the built UI, or (in a checkout where nothing built it yet, run with --no-build) a line
      // saying it is not built. The e2e tests may be building it at this moment, so either answer is accepted.
      const page = await fetch(url);
      if (page.status === 200) expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      else expect({ status: page.status, text: await page.text() }).toMatchObject({ status: 404, text: /not built|not found/ });
    } finally {
      child.kill('SIGTERM');
    }
    // start.js passes the signal on to the server and ends with it.
    expect(await exited).toBe(0);
  }, 90_000);
});
