import { describe, expect, it } from 'vitest';
import { globToRegExp, IgnoreRules } from '../../../src/main/engine/ingest/ignore.js';
import { kindOf } from '../../../src/main/engine/ingest/kinds.js';

describe('IgnoreRules', () => {
  const rules = new IgnoreRules(['*.tmp', 'drafts/**', 'Archive']);
  it('skips hidden files and folders and built-in caches', () => {
    expect(rules.ignores('.git', true)).toBe(true);
    expect(rules.ignores('photos/.thumbnails', true)).toBe(true);
    expect(rules.ignores('notes/.DS_Store', false)).toBe(true);
    expect(rules.ignores('app/node_modules', true)).toBe(true);
    expect(rules.ignores('photos/@eaDir', true)).toBe(true);
    expect(rules.ignores('photos/IMG_1.jpg', false)).toBe(false);
  });
  it('applies user patterns: names anywhere, paths from the root', () => {
    expect(rules.ignores('a/b/c.tmp', false)).toBe(true);
    expect(rules.ignores('drafts/x.md', false)).toBe(true);
    expect(rules.ignores('notes/drafts/x.md', false)).toBe(false);
    expect(rules.ignores('old/Archive', true)).toBe(true);
    expect(rules.ignores('old/Archived', true)).toBe(false);
  });
  it('turns globs into anchored expressions', () => {
    expect(globToRegExp('*.jpg').test('x/y.jpg')).toBe(true);
    expect(globToRegExp('*.jpg').test('x/y.jpeg')).toBe(false);
    expect(globToRegExp('a/**/b').test('a/x/y/b')).toBe(true);
    expect(globToRegExp('a/**/b').test('a/b')).toBe(true);
    expect(globToRegExp('IMG_????.png').test('IMG_0001.png')).toBe(true);
    expect(globToRegExp('(1).jpg').test('x(1).jpg')).toBe(false);
  });
});

describe('kindOf', () => {
  it('knows photos and notes by extension, case-insensitively', () => {
    expect(kindOf('IMG.JPG')).toBe('photo');
    expect(kindOf('a.webp')).toBe('photo');
    expect(kindOf('b.md')).toBe('note');
    expect(kindOf('c.txt')).toBe('note');
    expect(kindOf('.md')).toBeNull();
    expect(kindOf('Makefile')).toBeNull();
    expect(kindOf('song.exe')).toBeNull();
  });
});
