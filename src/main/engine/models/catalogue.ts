// The model catalogue: the packs Trove offers, one manifest per file in the repository's models/ folder.
// [Note: catalogue]
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroveError } from '../../../shared/errors.js';
import { parseCatalogueEntry, TOWER_KINDS, type CatalogueEntry, type Variant } from './pack.js';

/** The repository's models/ folder (in a packaged app, the same folder shipped beside the code). */
export const CATALOGUE_DIR = resolve(fileURLToPath(new URL('../../../../models', import.meta.url)));

/** TROVE_CATALOGUE_DIR replaces the catalogue (a private mirror's, or a test's). */
export function loadCatalogue(dir: string = process.env.TROVE_CATALOGUE_DIR || CATALOGUE_DIR): CatalogueEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const where = join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(where, 'utf8'));
    } catch (error) {
      throw new TroveError('MODEL_INVALID', `model catalogue ${where}: ${(error as Error).message}`);
    }
    const entry = parseCatalogueEntry(json as Record<string, unknown>, where);
    if (`${entry.id}.json` !== name) throw new TroveError('MODEL_INVALID', `model catalogue ${where}: the file must be named ${entry.id}.json`);
    return entry;
  });
}

/** The precision to install: int8 on the CPU, fp16 on a GPU, where the source publishes them (for every tower). */
export function defaultVariant(entry: Pick<CatalogueEntry, 'towers'>, gpu: boolean): Variant {
  const towers = TOWER_KINDS.map((k) => entry.towers[k]).filter((t) => t !== undefined);
  const want = gpu ? 'fp16' : 'int8';
  return towers.length > 0 && towers.every((t) => t.variants?.[want] !== undefined) ? want : 'fp32';
}

/** The files an installation of this variant needs: every file but the other precisions' graphs. */
export function filesFor(entry: CatalogueEntry, variant: Variant): { files: CatalogueEntry['files']; towers: CatalogueEntry['towers'] } {
  const allGraphs = new Set<string>();
  const towers: { -readonly [K in keyof CatalogueEntry['towers']]: CatalogueEntry['towers'][K] } = {};
  for (const k of TOWER_KINDS) {
    const t = entry.towers[k];
    if (!t) continue;
    allGraphs.add(t.file);
    for (const f of Object.values(t.variants ?? {})) allGraphs.add(f);
    const file = variant === 'fp32' ? t.file : t.variants?.[variant];
    if (!file) throw new TroveError('INVALID_ARGUMENT', `${entry.id} has no ${variant} ${k} tower (available: ${['fp32', ...Object.keys(t.variants ?? {})].join(', ')})`);
    const { variants: _variants, ...rest } = t;
    towers[k] = { ...rest, file };
  }
  const chosen = new Set(TOWER_KINDS.map((k) => towers[k]?.file));
  return { files: entry.files.filter((f) => !allGraphs.has(f.path) || chosen.has(f.path)), towers };
}

/** What the recommendation reads of a pack (a ModelListing has it all). */
export interface PackLanguages {
  readonly id: string;
  readonly task: 'embedding' | 'speech';
  readonly languageCodes: readonly string[] | null; // ISO 639 codes of the languages it searches in; 'mul': many
  readonly isDefault: boolean;
  readonly installed: unknown;
}

/** The primary language of a BCP-47 tag ("zh" of "zh-Hans-CN"), lower case; null for something that is not one. */
function primary(tag: string): string | null {
  const m = /^([a-z]{2,3})(?:[-_]|$)/i.exec(tag.trim());
  return m ? m[1]!.toLowerCase() : null;
}

/** Whether a pack searches in this language (a BCP-47 tag): listed by its code, or the pack takes many ('mul'). */
export function speaks(pack: Pick<PackLanguages, 'languageCodes'>, tag: string): boolean {
  const lang = primary(tag);
  return lang !== null && !!pack.languageCodes && (pack.languageCodes.includes('mul') || pack.languageCodes.includes(lang));
}

/**
 * The search model to offer first to a person who reads these languages, most preferred first (the browser's or
 * the system's list). [Note: first-run] The default pack, unless it does not take their first language and
 * another does (an installed one first): a person who writes in Chinese gets a model that understands Chinese
 * queries, where CLIP reads English only. Null when no embedding pack is listed.
 */
export function recommendedPack(packs: readonly PackLanguages[], languages: readonly string[]): string | null {
  const embedding = packs.filter((p) => p.task === 'embedding');
  const fallback = embedding.find((p) => p.isDefault) ?? embedding[0];
  if (!fallback) return null;
  const first = languages.find((l) => primary(l) !== null);
  if (first === undefined || speaks(fallback, first)) return fallback.id;
  const taking = embedding.filter((p) => speaks(p, first));
  return (taking.find((p) => p.installed) ?? taking[0] ?? fallback).id;
}
