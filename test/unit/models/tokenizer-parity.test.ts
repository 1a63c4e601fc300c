// Tokenisation parity (issue: model runtime, item 6): Trove's tokenizer — @huggingface/tokenizers driven by a
// pack's tokenizer.json — gives the ids of an independent implementation of OpenAI's CLIP BPE on the real vocabulary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../../src/main/engine/models/tokenizer.js';
import { clipTokenizer } from '../../fixtures/clip-tokenizer.js';
import { REPO } from '../../helpers.js';

interface Expected {
  vocabSize: number;
  cases: { text: string; ids: number[] }[];
}

const expected = JSON.parse(readFileSync(join(REPO, 'test/fixtures/tokenizer/clip-expected.json'), 'utf8')) as Expected;

describe('CLIP tokenisation parity', () => {
  const { json, config } = clipTokenizer();
  const tokenizer = new TextTokenizer(json, config, 77);

  it('has the whole vocabulary', () => {
    expect(Object.keys((json as { model: { vocab: object } }).model.vocab)).toHaveLength(expected.vocabSize);
  });

  for (const c of expected.cases) {
    it(`gives the reference ids for ${JSON.stringify(c.text.slice(0, 40))}`, () => {
      expect(tokenizer.ids(c.text)).toEqual(c.ids);
    });
  }

  it('cuts a text longer than the context to 77 ids and keeps the end-of-text token the tower pools at', () => {
    const long = expected.cases.find((c) => c.ids.length > 77)!;
    const batch = tokenizer.encodeBatch([long.text, 'a photo of a red apple']);
    expect(batch.length).toBe(77);
    expect(batch.truncated).toBe(1);
    const first = Array.from(batch.ids.slice(0, 77), Number);
    expect(first).toEqual([...long.ids.slice(0, 76), 49407]);
    const second = Array.from(batch.ids.slice(77, 77 + 8), Number);
    expect(second).toEqual(expected.cases[0]!.ids);
    expect(Array.from(batch.mask.slice(77), Number).filter((m) => m === 1)).toHaveLength(8);
  });
});
