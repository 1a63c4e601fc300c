import { describe, expect, it } from 'vitest';
import { mediaPath, parseMediaPath } from '../../../src/shared/media.js';

describe('media paths', () => {
  it('round-trips every variant and carries a cache-busting version', () => {
    for (const v of ['small', 'large', 'original'] as const) expect(parseMediaPath(mediaPath(42, v))).toEqual({ id: 42, variant: v });
    expect(mediaPath(7, 'small', 'ab/c')).toBe('/media/7/small?v=ab%2Fc');
  });

  it('refuses anything but a positive id and a known variant', () => {
    for (const p of ['/media/0/small', '/media/-1/small', '/media/1/huge', '/media/1/small/x', '/media/01/small', '/media/1.5/small', '/media/../etc/passwd', '/media/99999999999999999/small', '/api/media/1/small']) {
      expect(parseMediaPath(p), p).toBeNull();
    }
  });
});
