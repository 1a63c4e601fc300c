import { describe, expect, it } from 'vitest';
import { ftsQuery, fuse, lexicalTerms, RRF_K } from '../../../src/main/engine/search/lexical.js';

describe('ftsQuery', () => {
  const words = (text: string, phrases: string[] = []) => ftsQuery(lexicalTerms({ text, phrases }))?.words ?? null;
  it('quotes every term so nothing typed is FTS syntax, and keeps phrases', () => {
    expect(words('lighthouse cafe')).toBe('"lighthouse" "cafe"');
    expect(words('open "daily 9am" NEAR(x) OR y*', ['daily 9am'])).toBe('"open" "NEAR(x" "OR" "y" "daily 9am"');
    expect(words('say "hi" now', ['hi'])).toBe('"say" "now" "hi"');
    expect(words('… — !!')).toBeNull();
    expect(words('quote"inside')).toBe('"quote""inside"');
  });

  it('segments Chinese terms into the words the index holds, and asks the letter pairs too', () => {
    const q = ftsQuery(lexicalTerms({ text: '表示学习 CLIP', phrases: [] }))!;
    expect(q.words).toBe('"表示 学习" "CLIP"');
    expect(q.grams).toBe('"表示 示学 学习" "CLIP"');
    expect(ftsQuery(['plain'])!.grams).toBeNull();
  });
});

describe('fuse', () => {
  it('puts an item found by meaning and by words ahead of one found only by meaning', () => {
    const vector = [
      { segmentId: 1, itemId: 10, score: 0.31 },
      { segmentId: 2, itemId: 20, score: 0.3 },
      { segmentId: 3, itemId: 30, score: 0.29 },
    ];
    const fused = fuse(vector, [{ segmentId: 33, itemId: 30 }], 10);
    expect(fused.map((f) => f.itemId)).toEqual([30, 10, 20]);
    expect(fused[0]).toMatchObject({ segmentId: 33, lexical: true, vectorScore: 0.29 });
    expect(fused[0]!.fused).toBeCloseTo(1 / (RRF_K + 3) + 1 / (RRF_K + 1));
  });

  it('keeps items found only by words, with no vector score, and counts each item once', () => {
    const fused = fuse([{ segmentId: 1, itemId: 10, score: 0.5 }], [{ segmentId: 7, itemId: 70 }, { segmentId: 8, itemId: 70 }, { segmentId: 9, itemId: 90 }], 10);
    expect(fused.map((f) => [f.itemId, f.vectorScore, f.lexical])).toEqual([
      [70, null, true],
      [10, 0.5, false],
      [90, null, true],
    ]);
  });

  it('puts the best word match ahead of the best meaning match when they tie', () => {
    const fused = fuse([{ segmentId: 1, itemId: 10, score: 0.9 }], [{ segmentId: 2, itemId: 20 }], 10);
    expect(fused.map((f) => f.itemId)).toEqual([20, 10]);
  });

  it('leaves a vector-only ranking as it was', () => {
    const vector = [5, 4, 3, 2, 1].map((i) => ({ segmentId: i, itemId: i, score: i / 10 }));
    expect(fuse(vector, [], 3).map((f) => f.itemId)).toEqual([5, 4, 3]);
  });
});
