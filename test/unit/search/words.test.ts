import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMarks, foldWord, gramsPhrase, gramText, hasGrams, indexText, passage, wordsPhrase } from '../../../src/main/engine/search/words.js';

const tokens = (s: string) => s.split(' ').filter(Boolean);
/** Whether the FTS tokens of `needle` occur in order, side by side, in those of `hay` (what an FTS5 phrase finds). */
function phraseIn(hay: string, needle: string): boolean {
  const h = tokens(hay);
  const n = tokens(needle);
  return h.some((_, i) => n.every((t, j) => h[i + j] === t));
}

describe('indexText', () => {
  it('keeps ASCII as it is: unicode61 reads it as before', () => {
    expect(indexText('The red fire engine, 9am!')).toBe('The red fire engine, 9am!');
    expect(indexText(null)).toBe('');
  });

  it('folds Latin diacritics and full-width letters, without stemming', () => {
    expect(indexText('Café NAÏVE ｒｅｓｕｍé')).toBe('cafe naive resume');
    expect(indexText('running')).toBe('running');
  });

  it('cuts running Chinese into words, so a word inside a sentence is a phrase of the index', () => {
    const text = indexText('我们提出了深度表示学习模型，用于跨模态检索。');
    for (const word of ['表示学习', '跨模态', '检索', '模型']) expect(phraseIn(text, indexText(word)), word).toBe(true);
    expect(text).not.toMatch(/[，。]/);
  });

  it('folds traditional to simplified, so either form finds the other', () => {
    expect(indexText('機器學習與跨模態表示學習')).toBe(indexText('机器学习与跨模态表示学习'));
    expect(phraseIn(indexText('這是機器學習的筆記'), indexText('机器学习'))).toBe(true);
    expect(phraseIn(indexText('这是机器学习的笔记'), indexText('機器學習'))).toBe(true);
  });

  it('cuts Japanese by dictionary and keeps Korean words', () => {
    expect(phraseIn(indexText('東京の桜は美しい'), indexText('東京'))).toBe(true);
    expect(phraseIn(indexText('東京の桜は美しい'), indexText('美しい'))).toBe(true);
    expect(tokens(indexText('형태소 분석기를 사용합니다'))).toEqual(['형태소', '분석기를', '사용합니다']);
  });

  it('keeps English words beside Chinese ones', () => {
    const text = indexText('CLIP模型的zero-shot能力');
    expect(phraseIn(text, indexText('clip'))).toBe(true);
    expect(text).toContain('zero');
    expect(phraseIn(text, indexText('模型'))).toBe(true);
  });

  it('reads a long text with no spaces in bounded slices, losing nothing', () => {
    const long = '跨模态表示学习'.repeat(3000);
    const text = indexText(long);
    expect(tokens(text).join('').length).toBe(long.length);
  });
});

describe('the letter-pair index', () => {
  it('holds the pairs of every CJK run, and Latin words as they are', () => {
    expect(gramText('表示学习 and 跨')).toBe(' 表示 示学 学习  and  跨 ');
    expect(hasGrams('plain text')).toBe(false);
    expect(hasGrams('분석기')).toBe(true);
  });

  it('finds a Korean word with a particle on it, and a word the dictionary cut otherwise', () => {
    const phrase = (t: string) => gramsPhrase(t)!.slice(1, -1);
    expect(phraseIn(gramText('형태소 분석기를 사용합니다'), phrase('분석기'))).toBe(true);
    expect(phraseIn(gramText('研究生命起源'), phrase('研究'))).toBe(true);
    expect(phraseIn(gramText('機器學習'), phrase('机器学习'))).toBe(true);
    expect(gramsPhrase('english')).toBeNull();
  });
});

describe('wordsPhrase', () => {
  it('is a quoted FTS5 phrase, whatever was typed', () => {
    expect(wordsPhrase('表示学习')).toBe('"表示 学习"');
    expect(wordsPhrase('say "hi"')).toBe('"say ""hi"""');
    expect(wordsPhrase('…!!')).toBeNull();
  });

  it('never lets typed text become FTS syntax', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const p = wordsPhrase(s);
        if (p === null) return true;
        // One phrase: starts and ends with a quote, every inner quote doubled.
        return p.startsWith('"') && p.endsWith('"') && !/(^|[^"])"([^"]|$)/.test(p.slice(1, -1));
      }),
    );
  });
});

describe('foldWord', () => {
  it('is idempotent', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => foldWord(foldWord(s)) === foldWord(s)));
  });
});

describe('findMarks', () => {
  it('marks whole English words only, case- and diacritic-folded', () => {
    const text = 'The Red engine was covered in red paint at the café';
    expect(findMarks(text, ['red']).map(([s, e]) => text.slice(s, e))).toEqual(['Red', 'red']);
    expect(findMarks(text, ['cafe']).map(([s, e]) => text.slice(s, e))).toEqual(['café']);
  });

  it('marks Chinese words inside running text, in either script', () => {
    const text = '我们提出了深度表示學習模型，用于跨模态检索。';
    expect(findMarks(text, ['表示学习', '跨模態']).map(([s, e]) => text.slice(s, e))).toEqual(['表示學習', '跨模态']);
  });

  it('marks a phrase across punctuation and line breaks', () => {
    const text = 'the fire,\n engine';
    expect(findMarks(text, ['fire engine']).map(([s, e]) => text.slice(s, e))).toEqual(['fire,\n engine']);
  });

  it('returns offsets in UTF-16 units that hold the words, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom('red', '学习', '분석', 'é'), (pre, word) => {
        const text = `${pre} ${word} ${pre}`;
        const marks = findMarks(text, [word]);
        return marks.every(([s, e]) => s >= 0 && e <= text.length && s < e) && marks.some(([s, e]) => foldWord(text.slice(s, e)) === foldWord(word));
      }),
    );
  });
});

describe('passage', () => {
  it('shows the part of a long chunk that holds the words, with their marks', () => {
    const text = `${'前面的内容没有关系。'.repeat(40)}这里讲的是表示学习的方法。${'后面的内容也没有关系。'.repeat(40)}`;
    const p = passage(text, ['表示学习'], 120);
    expect(p.text.length).toBeLessThanOrEqual(122);
    expect(p.text.startsWith('…')).toBe(true);
    expect(p.marks).toHaveLength(1);
    const [s, e] = p.marks[0]!;
    expect(p.text.slice(s, e)).toBe('表示学习');
  });

  it('keeps a short text whole, its spaces collapsed', () => {
    expect(passage('red   fire\nengine', ['engine'])).toEqual({ text: 'red fire engine', marks: [[9, 15]] });
  });
});
