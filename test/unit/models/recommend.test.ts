// Which search model the first run offers first, for the languages a person reads and types in. [Note: first-run]
import { describe, expect, it } from 'vitest';
import { recommendedPack, speaks } from '../../../src/main/engine/models/catalogue.js';

const pack = (id: string, codes: readonly string[] | null, extra: { isDefault?: boolean; installed?: boolean; task?: 'embedding' | 'speech' } = {}) => ({
  id,
  languageCodes: codes,
  isDefault: extra.isDefault ?? false,
  installed: extra.installed ?? false,
  task: extra.task ?? ('embedding' as const),
});
const clip = pack('clip', ['en'], { isDefault: true });
const siglip = pack('siglip', ['mul']);
const whisper = pack('whisper', ['mul'], { task: 'speech', isDefault: true });

describe('the recommended search model', () => {
  it('knows which languages a pack takes, by primary subtag; "mul" is many', () => {
    expect(speaks(clip, 'en-GB')).toBe(true);
    expect(speaks(clip, 'zh-Hans-CN')).toBe(false);
    expect(speaks(siglip, 'zh-TW')).toBe(true);
    expect(speaks(pack('x', null), 'en')).toBe(false); // a pack that does not say
    expect(speaks(clip, 'EN')).toBe(true);
  });

  it('is the default for a person who reads English, or says nothing', () => {
    expect(recommendedPack([clip, siglip, whisper], ['en-US', 'zh-CN'])).toBe('clip');
    expect(recommendedPack([clip, siglip, whisper], [])).toBe('clip');
  });

  it('is a pack that takes their first language when the default does not', () => {
    expect(recommendedPack([clip, siglip, whisper], ['zh-CN', 'en'])).toBe('siglip');
    expect(recommendedPack([clip, siglip, whisper], ['ja'])).toBe('siglip');
    // An installed one that takes it comes first.
    const other = pack('other', ['mul'], { installed: true });
    expect(recommendedPack([clip, siglip, other], ['ko-KR'])).toBe('other');
    // None takes it: the default still.
    expect(recommendedPack([clip], ['zh-CN'])).toBe('clip');
    // Malformed tags are passed over.
    expect(recommendedPack([clip, siglip], ['', '12', 'zh'])).toBe('siglip');
  });

  it('never recommends a speech pack', () => {
    expect(recommendedPack([whisper], ['zh'])).toBeNull();
  });
});
