// Synchronous work on the engine's thread, one piece per turn of the event loop. [Note: responsive]
// better-sqlite3's queries, the Pillow-exact resize of a photo and the like run synchronously. Each is short, but
// when many are ready at once (twenty searches whose query vectors came back together, a group's photos whose
// decoding finished together) they would run back to back in one turn of the event loop, and a status request or
// a timer would wait for all of them: the load benchmark measured 92–112 ms of KNN in single turns with 20 clients,
// and 270–330 ms of resizing with none. `inTurn` queues such pieces and runs each in a turn of its own (a
// setImmediate queued while an immediate runs lands in the next turn), so what waits in between is one piece, and
// a piece a person waits for (a query) goes before indexing work — four to one, so that a stream of searches slows
// indexing but never stops it (with queries strictly first, 20 clients searching for 30 s let no photo through).

type Piece = () => void;
const queries: Piece[] = [];
const work: Piece[] = [];
let scheduled = false;

/** Queries go first, but never starve indexing: after this many query pieces in a row, one piece of work runs. */
const QUERY_RUN = 4;
let inARow = 0;

function runOne(): void {
  scheduled = false;
  const workTurn = work.length > 0 && (queries.length === 0 || inARow >= QUERY_RUN);
  const piece = workTurn ? work.shift() : queries.shift();
  inARow = workTurn ? 0 : inARow + 1;
  piece?.();
  if (queries.length || work.length) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runOne);
}

/**
 * Runs `fn` in a turn of the event loop of its own, after the pieces of its priority queued before it: `query` for
 * what a person waits for, `work` (the default) for indexing.
 */
export function inTurn<T>(fn: () => T, priority: 'query' | 'work' = 'work'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    (priority === 'query' ? queries : work).push(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    });
    schedule();
  });
}

/** At most `size` of something at once (a photo being decoded and resized); the others wait their turn, in order. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
