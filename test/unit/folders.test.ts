// Completing a typed folder path (browser mode's folder field): which folders continue it, hidden ones only when
// asked, links to folders listed, files never, the usual folders (in the system's own names) when nothing is typed,
// and bounded work in a huge folder. [Note: first-run]
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFolder, MAX_FOLDERS, parseUserDirs, resolveTyped } from '../../src/main/engine/folders.js';
import { tempDir } from '../helpers.js';

describe('folder completion', () => {
  let tmp: { dir: string; cleanup: () => void };
  let home: string;

  beforeAll(() => {
    tmp = tempDir('folders');
    home = join(tmp.dir, 'home');
    for (const d of ['Pictures', 'Pictures/2024 Lisbon', 'Pictures/2023', 'Pictures/10 best', 'Pictures/9 best', 'Pictures/.cache', '图片', 'Notes', 'many']) mkdirSync(join(home, d), { recursive: true });
    writeFileSync(join(home, 'Pictures/photo.jpg'), 'not a folder');
    writeFileSync(join(home, 'Pictures/Pet.txt'), 'not a folder');
    mkdirSync(join(tmp.dir, 'elsewhere'));
    symlinkSync(join(tmp.dir, 'elsewhere'), join(home, 'Pictures/Phone'));
    symlinkSync(join(home, 'Pictures/photo.jpg'), join(home, 'Pictures/Photo link'));
    for (let i = 0; i < MAX_FOLDERS + 5; i++) mkdirSync(join(home, 'many', `album ${i}`));
    mkdirSync(join(home, '.config'));
    writeFileSync(join(home, '.config/user-dirs.dirs'), '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/"\nXDG_PICTURES_DIR="$HOME/图片"\nXDG_MUSIC_DIR="$HOME/音乐"\n');
  });
  afterAll(() => tmp.cleanup());

  it('reads ~, relative and absolute paths', () => {
    expect(resolveTyped('~', '/h')).toBe('/h');
    expect(resolveTyped('~/Pictures', '/h')).toBe('/h/Pictures');
    expect(resolveTyped('Pictures', '/h')).toBe('/h/Pictures');
    expect(resolveTyped('/srv/photos/', '/h')).toBe('/srv/photos');
    expect(resolveTyped('  /srv/a/../b ', '/h')).toBe('/srv/b');
  });

  it('parses user-dirs.dirs, leaving out folders set to the home folder itself', () => {
    expect(parseUserDirs('XDG_PICTURES_DIR="$HOME/图片"\nXDG_DESKTOP_DIR="$HOME/"\nXDG_TEMPLATES_DIR="$HOME/T"\nXDG_MUSIC_DIR="/srv/music"\nbroken', '/h')).toEqual(['/h/图片', '/srv/music']);
  });

  it('lists the folders that continue a name, case-insensitively, in natural order, links to folders included', async () => {
    const c = await completeFolder(join(home, 'Pictures/'), home);
    expect(c.resolved).toBe(join(home, 'Pictures'));
    expect(c.isFolder).toBe(true);
    expect(c.folders.map((f) => f.name)).toEqual(['9 best', '10 best', '2023', '2024 Lisbon', 'Phone']);
    expect(c.folders[0]!.path).toBe(join(home, 'Pictures/9 best'));
    expect(c.more).toBe(false);

    const p = await completeFolder('~/Pictures/p', home);
    expect(p.folders.map((f) => f.name)).toEqual(['Phone']); // not the file Pet.txt, nor the link to a file
    expect(p.isFolder).toBe(false);
    expect((await completeFolder('~/pic', home)).folders.map((f) => f.path)).toEqual([join(home, 'Pictures')]);
  });

  it('shows hidden folders only when the name typed starts with a dot', async () => {
    expect((await completeFolder('~/Pictures/', home)).folders.some((f) => f.name === '.cache')).toBe(false);
    expect((await completeFolder('~/Pictures/.', home)).folders.map((f) => f.name)).toEqual(['.cache']);
  });

  it('says when more folders continue the path than it lists', async () => {
    const c = await completeFolder('~/many/', home);
    expect(c.folders).toHaveLength(MAX_FOLDERS);
    expect(c.more).toBe(true);
    expect((await completeFolder('~/many/album 1', home)).more).toBe(false); // album 1, 10–19: eleven
  });

  it('offers nothing, without failing, for a path that is not there', async () => {
    const c = await completeFolder('/no/such/place/x', home);
    expect(c).toEqual({ resolved: '/no/such/place/x', isFolder: false, folders: [], more: false });
  });

  it('offers the usual folders, in the names this system gives them, when nothing is typed', async () => {
    const saved = process.env.XDG_CONFIG_HOME;
    delete process.env.XDG_CONFIG_HOME;
    try {
      const c = await completeFolder('  ', home);
      expect(c.resolved).toBe(home);
      // 音乐 is named in user-dirs.dirs but does not exist; Pictures exists under its English name too.
      expect(c.folders.map((f) => f.name)).toEqual(['~', '图片', 'Pictures', 'Notes']);
    } finally {
      if (saved !== undefined) process.env.XDG_CONFIG_HOME = saved;
    }
  });
});
