// The store: one database, one repository per table. [Note: store]
import { openDatabase, openReader, type Db } from './db.js';
import { IndexLockRepo, SkippedRepo, StepTriesRepo } from './guards.js';
import { ItemsRepo } from './items.js';
import { PlacesRepo } from './places.js';
import { QueueRepo } from './queue.js';
import { RootsRepo } from './roots.js';
import { SegmentsRepo } from './segments.js';
import { SettingsRepo } from './settings.js';
import { SpacesRepo } from './spaces.js';
import { TimelineRepo } from './timeline.js';
import { TranscriptsRepo } from './transcripts.js';

export class Store {
  readonly roots: RootsRepo;
  readonly items: ItemsRepo;
  readonly places: PlacesRepo;
  readonly segments: SegmentsRepo;
  readonly spaces: SpacesRepo;
  readonly settings: SettingsRepo;
  readonly transcripts: TranscriptsRepo;
  readonly queue: QueueRepo;
  readonly stepTries: StepTriesRepo;
  readonly skipped: SkippedRepo;
  readonly indexLock: IndexLockRepo;
  readonly timeline: TimelineRepo;

  constructor(readonly db: Db) {
    this.roots = new RootsRepo(db);
    this.places = new PlacesRepo(db);
    this.items = new ItemsRepo(db, this.places);
    this.segments = new SegmentsRepo(db);
    this.spaces = new SpacesRepo(db);
    this.settings = new SettingsRepo(db);
    this.transcripts = new TranscriptsRepo(db);
    this.queue = new QueueRepo(db);
    this.stepTries = new StepTriesRepo(db);
    this.skipped = new SkippedRepo(db);
    this.indexLock = new IndexLockRepo(db);
    this.timeline = new TimelineRepo(db);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  /** A read-only Store over a library this process has opened (the search reader). [Note: search-reader] */
  static openReader(file: string): Store {
    return new Store(openReader(file));
  }

  /** Runs fn in one write transaction (bulk writes go through here). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
