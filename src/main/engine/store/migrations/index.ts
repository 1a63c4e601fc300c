import type { Database } from 'better-sqlite3';
import { initial } from './001-initial.js';
import { ocr } from './002-ocr.js';
import { segmentsPerSpace } from './003-segments-per-space.js';
import { transcripts } from './004-transcripts.js';
import { queue } from './005-queue.js';
import { hardening } from './006-hardening.js';
import { collections } from './007-collections.js';
import { words } from './008-words.js';
import { annLog } from './009-ann-log.js';
import { places } from './010-places.js';
import { duplicates } from './011-duplicates.js';
import { placeNames } from './012-place-names.js';
import { placeRegions } from './013-place-regions.js';
import { annTrimmed } from './014-ann-trimmed.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql?: string;
  readonly up?: (db: Database) => void;
}

/** Every migration, in order; a new one is one file and one line here. Versions are 1, 2, 3, … without gaps. */
export const MIGRATIONS: readonly Migration[] = [initial, ocr, segmentsPerSpace, transcripts, queue, hardening, collections, words, annLog, places, duplicates, placeNames, placeRegions, annTrimmed];
