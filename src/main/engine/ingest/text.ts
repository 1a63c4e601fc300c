// Bytes of a note → text. Pure. [Note: encodings]
// UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such. Anything else that is not valid UTF-8 is
// identified by chardet (statistical detection, as browsers do): Chinese (GB18030, Big5), Japanese (Shift_JIS,
// EUC-JP), Korean (EUC-KR) and UTF-16 without a BOM are decoded by their names; the rest is read as Windows-1252
// (a superset of Latin-1), so text is never shown as mojibake or refused. A file with NUL bytes that is not
// UTF-16 is binary, not a note.
import chardet from 'chardet';

const DETECTED: Readonly<Record<string, string>> = {
  GB18030: 'gb18030',
  Big5: 'big5',
  Shift_JIS: 'shift_jis',
  'EUC-JP': 'euc-jp',
  'EUC-KR': 'euc-kr',
  'ISO-2022-JP': 'iso-2022-jp',
  'UTF-16LE': 'utf-16le',
  'UTF-16BE': 'utf-16be',
};

/** The encoding chardet is confident about, as a TextDecoder label, or null. */
function detect(bytes: Uint8Array, minConfidence: number): string | null {
  const best = chardet.analyse(bytes.subarray(0, 65536))[0];
  return best && best.confidence >= minConfidence ? (DETECTED[best.name] ?? null) : null;
}

/**
 * UTF-16 without a BOM, as Windows tools write it: text in Latin script has a NUL in every other byte. Needs
 * nine in ten of the first 2,048 characters to look so, which binary data does not.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return null;
  let le = 0;
  let be = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] !== 0 && bytes[i + 1] === 0) le++;
    else if (bytes[i] === 0 && bytes[i + 1] !== 0) be++;
  }
  const pairs = n / 2;
  return le >= 0.9 * pairs ? 'utf-16le' : be >= 0.9 * pairs ? 'utf-16be' : null;
}

export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.subarray(0, 8192).includes(0)) {
    const label = utf16WithoutBom(bytes) ?? detect(bytes, 80);
    if (label?.startsWith('utf-16')) return new TextDecoder(label).decode(bytes);
    throw new Error('binary data, not text');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const label = detect(bytes, 50);
    if (label && !label.startsWith('utf-16')) return new TextDecoder(label).decode(bytes);
    return decodeWindows1252(bytes);
  }
}

// 0x80–0x9F of Windows-1252 (the rest is Latin-1). Written out because Node's TextDecoder('windows-1252') decodes
// as plain Latin-1, turning € and curly quotes into control characters.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = bytes.subarray(i, i + 8192);
    out += String.fromCharCode(...chunk).replace(/[\u0080-\u009f]/g, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
  }
  return out;
}
