import { describe, expect, it } from 'vitest';
import { chunkMarkdown, chunkPlainText, frontMatterTitle, splitFrontMatter } from '../../../src/main/engine/ingest/chunk.js';

const words = (n: number) => (t: string) => t.split(/\s+/).filter(Boolean).length <= n;
const roomy = () => true;

const NOTE = `---
title: "Summer holiday"
tags: [trip]
---
# Holiday

Intro paragraph.

## Day 1

We went to the beach.
The sea was blue.

Then ice cream.

### Evening

Fish and chips.

## Day 2

\`\`\`
# not a heading
code
\`\`\`

Hills.
`;

describe('chunkMarkdown', () => {
  it('splits at headings, keeps the breadcrumb and the front-matter title', () => {
    const { chunks, title } = chunkMarkdown(NOTE, roomy);
    expect(title).toBe('Summer holiday');
    expect(chunks.map((c) => [c.breadcrumb.join(' > '), c.text])).toEqual([
      ['Holiday', 'Intro paragraph.'],
      ['Holiday > Day 1', 'We went to the beach.\nThe sea was blue.\n\nThen ice cream.'],
      ['Holiday > Day 1 > Evening', 'Fish and chips.'],
      ['Holiday > Day 2', '```\n# not a heading\ncode\n```\n\nHills.'],
    ]);
  });

  it('gives offsets that point at the chunk in the source', () => {
    const { chunks } = chunkMarkdown(NOTE, words(6));
    for (const c of chunks) {
      const first = c.text.split('\n')[0]!;
      expect(NOTE.slice(c.start, c.end).startsWith(first)).toBe(true);
    }
  });

  it('uses the first H1 as title without front matter', () => {
    expect(chunkMarkdown('text\n\n# First\n\n# Second\n', roomy).title).toBe('First');
    expect(chunkMarkdown('no headings at all', roomy).title).toBeNull();
  });

  it('does not merge paragraphs that together do not fit', () => {
    const { chunks } = chunkMarkdown('# A\n\none two three\n\nfour five six\n', words(4));
    expect(chunks.map((c) => c.text)).toEqual(['one two three', 'four five six']);
  });

  it('splits a long paragraph at sentences, then words, and loses no word', () => {
    const sentence = (i: number) => `Sentence number ${i} has exactly seven words.`;
    const long = Array.from({ length: 30 }, (_, i) => sentence(i)).join(' ');
    const giant = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    const { chunks } = chunkMarkdown(`# Long\n\n${long}\n\n${giant}\n`, words(10));
    for (const c of chunks) expect(words(10)(c.text)).toBe(true);
    const all = chunks.map((c) => c.text).join(' ').split(/\s+/);
    expect(all).toEqual(`${long} ${giant}`.split(/\s+/));
    expect(chunks.every((c) => c.breadcrumb[0] === 'Long')).toBe(true);
  });

  it('keeps text in languages without spaces', () => {
    const zh = '今天天气很好。我们去了海边。海水是蓝色的。'.repeat(10);
    const fits = (t: string) => [...t].length <= 25;
    const { chunks } = chunkMarkdown(zh, fits);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join('')).toBe(zh);
  });

  it('indexes a note that is only headings: its headings are its text', () => {
    const { chunks, title } = chunkMarkdown('# Shopping list\n', roomy);
    expect(title).toBe('Shopping list');
    expect(chunks.map((c) => c.text)).toEqual(['Shopping list']);
    expect(chunkMarkdown('---\ntags: [x]\n---\n## Ideas\n### Later\n', roomy).chunks.map((c) => c.text)).toEqual(['Ideas\nLater']);
    // Headings with text under them are breadcrumbs, as before.
    expect(chunkMarkdown('# A\n\ntext\n', roomy).chunks.map((c) => c.text)).toEqual(['text']);
  });

  it('handles CRLF line endings', () => {
    const { chunks } = chunkMarkdown('# T\r\n\r\nline one\r\nline two\r\n\r\npara two\r\n', roomy);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('line one\nline two\n\npara two');
  });
});

describe('chunkPlainText', () => {
  it('splits at blank lines with offsets and merges what fits', () => {
    const text = 'first para\nstill first\n\n\n  second para  \n\nthird';
    expect(chunkPlainText(text, roomy).map((c) => c.text)).toEqual(['first para\nstill first\n\nsecond para\n\nthird']);
    const chunks = chunkPlainText(text, words(4));
    expect(chunks.map((c) => c.text)).toEqual(['first para\nstill first', 'second para\n\nthird']);
    expect(text.slice(chunks[1]!.start, chunks[1]!.start + 11)).toBe('second para');
  });
  it('yields nothing for an empty file', () => {
    expect(chunkPlainText(' \n\n ', roomy)).toEqual([]);
  });
});

describe('front matter', () => {
  it('is recognised only at the very top', () => {
    expect(splitFrontMatter('text\n---\na: 1\n---\n').frontMatter).toBeNull();
    expect(frontMatterTitle(splitFrontMatter("---\ntitle: 'Quoted'\n---\nbody").frontMatter)).toBe('Quoted');
  });
});
