// Text → token ids with the pack's own Hugging Face tokenizer (via @huggingface/tokenizers, the library
// transformers.js uses), padded to the longest text of a batch rather than the full context: a short query costs
// a short sequence. Texts longer than the context are cut here only as a last resort; the chunker sizes note
// chunks to fit first (see [Note: long-notes]).
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenBatch {
  readonly ids: BigInt64Array; // [batch, length]
  readonly mask: BigInt64Array; // [batch, length]
  readonly batch: number;
  readonly length: number;
  readonly truncated: number; // how many texts did not fit
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly padId: number;

  constructor(
    tokenizerJson: object,
    tokenizerConfig: Record<string, unknown>,
    readonly contextLength: number,
    private readonly padding: 'longest' | 'max_length' = 'longest',
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const pad = tokenizerConfig.pad_token;
    const padToken = typeof pad === 'string' ? pad : pad && typeof pad === 'object' ? (pad as { content?: unknown }).content : undefined;
    this.padId = (typeof padToken === 'string' ? this.tokenizer.token_to_id(padToken) : undefined) ?? 0;
  }

  ids(text: string): number[] {
    return this.tokenizer.encode(text).ids;
  }

  /** Tokens this text takes, special tokens included. */
  count(text: string): number {
    return this.ids(text).length;
  }

  encodeBatch(texts: readonly string[]): TokenBatch {
    let truncated = 0;
    const encoded = texts.map((t) => {
      const ids = this.ids(t);
      if (ids.length <= this.contextLength) return ids;
      truncated++;
      // Keep the final token: for CLIP-style towers it is the end-of-text token the model pools at.
      return [...ids.slice(0, this.contextLength - 1), ids[ids.length - 1]!];
    });
    // SigLIP-style towers were trained on texts padded to the full context: pad so, or the vectors drift.
    const length = this.padding === 'max_length' ? this.contextLength : Math.max(1, ...encoded.map((e) => e.length));
    const ids = new BigInt64Array(texts.length * length).fill(BigInt(this.padId));
    const mask = new BigInt64Array(texts.length * length);
    encoded.forEach((e, row) => {
      for (let i = 0; i < e.length; i++) {
        ids[row * length + i] = BigInt(e[i]!);
        mask[row * length + i] = 1n;
      }
    });
    return { ids, mask, batch: texts.length, length, truncated };
  }
}
