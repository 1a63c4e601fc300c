import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holds } from '../fuzz/fuzz.js';
import { compileGlob, globMatches, IgnoreRules } from '../../../src/main/engine/ingest/ignore.js';
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
  it('matches globs: names anywhere, paths from the root, and what is under them', () => {
    const m = (pattern: string, path: string) => globMatches(compileGlob(pattern), path);
    expect(m('*.jpg', 'x/y.jpg')).toBe(true);
    expect(m('*.jpg', 'x/y.jpeg')).toBe(false);
    expect(m('a/**/b', 'a/x/y/b')).toBe(true);
    expect(m('a/**/b', 'a/b')).toBe(true);
    expect(m('a/**/b', 'c/a/b')).toBe(false);
    expect(m('IMG_????.png', 'IMG_0001.png')).toBe(true);
    expect(m('(1).jpg', 'x(1).jpg')).toBe(false);
    expect(m('drafts', 'notes/drafts/x.md')).toBe(true);
    expect(m('/drafts/', 'drafts/x.md')).toBe(true);
    expect(m('d*s', 'notes/drafts/x.md')).toBe(true);
    expect(m('*', 'anything/at/all')).toBe(true);
    expect(m('a/*', 'a/b/c')).toBe(true);
    expect(m('a?c', 'a/c')).toBe(false);
  });

  it('takes time linear in the path whatever the pattern (a backtracking expression took hours here)', () => {
    // `*a*a*a*a*a*a*b` against a long name of a's: exponential-ish backtracking for a regular expression.
    const g = compileGlob('*a*a*a*a*a*a*a*a*a*b');
    expect(globMatches(g, 'a'.repeat(4000))).toBe(false);
    expect(globMatches(g, `${'a'.repeat(4000)}b`)).toBe(true);
    expect(new IgnoreRules([`${'*a'.repeat(200)}*b`]).ignores(`dir/${'a'.repeat(255)}`, false)).toBe(false);
  });

  it('agrees with the regular expressions the globs stand for, on any short pattern and path', async () => {
    // The reference: the glob as a regular expression (fine on inputs this short).
    const reference = (pattern: string): RegExp => {
      const p = pattern.trim().replace(/^\/+/, '').replace(/\/+$/, '');
      let re = '';
      for (let i = 0; i < p.length; i++) {
        const ch = p[i]!;
        if (ch === '*') {
          let stars = 1;
          while (p[i + 1] === '*') {
            i++;
            stars++;
          }
          if (stars === 1) re += '[^/]*';
          else if (p[i + 1] === '/') {
            i++;
            re += '(?:.*/)?';
          } else re += '.*';
        } else if (ch === '?') re += '[^/]';
        else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return p.includes('/') ? new RegExp(`^${re}(?:/.*)?$`) : new RegExp(`(?:^|/)${re}(?:/.*)?$`);
    };
    const piece = fc.constantFrom('a', 'b', '/', '*', '**', '**/', '?', '.', ' ');
    const pattern = fc.array(piece, { maxLength: 8 }).map((xs) => xs.join(''));
    const path = fc.array(fc.constantFrom('a', 'b', '/', '.', ' ', 'ab/'), { maxLength: 12 }).map((xs) => xs.join(''));
    await holds(
      fc.property(pattern, path, (p, s) => {
        expect(globMatches(compileGlob(p), s), `${JSON.stringify(p)} on ${JSON.stringify(s)}`).toBe(reference(p).test(s));
      }),
      { runs: 4000 },
    );
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
