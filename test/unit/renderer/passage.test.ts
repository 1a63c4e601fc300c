// Finding a note's matched passage in the page that renders it. [Note: ui-notes]
import { describe, expect, it } from 'vitest';
import { findPassage } from '../../../src/renderer/lib/passage.js';

const spanText = (pieces: readonly string[], span: NonNullable<ReturnType<typeof findPassage>>) => {
  let out = '';
  for (let i = span.start.piece; i <= span.end.piece; i++) {
    const p = pieces[i]!;
    out += p.slice(i === span.start.piece ? span.start.offset : 0, i === span.end.piece ? span.end.offset : p.length);
  }
  return out;
};

describe('findPassage', () => {
  it('finds a chunk written in Markdown in the rendered text, across the pieces the markup splits it into', () => {
    const pieces = ['Garden journal', 'Month 6', 'Day 58: the soil was dry.', 'Day 59: ', 'the wheelbarrow', ' lost a wheel; I mended it.', 'Day 60: rain.'];
    const span = findPassage(pieces, '**Day 59:** the *wheelbarrow* lost a wheel;\nI mended it.')!;
    expect(span.start).toEqual({ piece: 3, offset: 0 });
    expect(spanText(pieces, span)).toBe('Day 59: the wheelbarrow lost a wheel; I mended it'); // to its last letter
  });

  it('works in every script, ignoring case and punctuation, and with letters outside the basic plane', () => {
    const pieces = ['前言', '我们研究跨模态检索，', '以及表示学习。', 'Ωmega 𝒳 end'];
    expect(spanText(pieces, findPassage(pieces, '跨模态检索 以及表示学习')!)).toBe('跨模态检索，以及表示学习');
    expect(spanText(pieces, findPassage(pieces, 'ωMEGA 𝒳')!)).toBe('Ωmega 𝒳');
  });

  it('lands on a passage whose end was cut differently, and says when a passage is not on the page', () => {
    const pieces = ['The lamp was lit at dusk and the sea was calm all night long.', 'Next day.'];
    const span = findPassage(pieces, 'The lamp was lit at dusk and the sea was calm all night long, as the log says further on')!;
    expect(spanText(pieces, span)).toBe('The lamp was lit at dusk and the sea was calm all night long');
    expect(findPassage(pieces, 'Nothing like this is written here at all')).toBeNull();
    expect(findPassage(pieces, '  — … ')).toBeNull();
    expect(findPassage([], 'The lamp')).toBeNull();
  });
});
