// Synchronous work on the engine's thread, one piece per turn of the event loop. [Note: responsive]
// better-sqlite3's queries, the Pillow-exact resize of a photo and the like run synchronously. Each is short, but
// when many are ready at once (twenty searches whose query vectors came back together, a group's photos whose
// decoding finished together) they would run back to back in one turn of the event loop, and a status request or
// a timer would wait for all of them: the load benchmark measured 92–112 ms of KNN in single turns with 20 clients,
// and 270–330 ms of resizing with none. `inTurn` queues such pieces and runs each in a turn of its own (a
// setImmediate queued while an immediate runs lands in the next turn), so what waits in between is one piece, and
// a piece a person waits for (a query) goes before indexing work.

type Piece = () => void;
const queries: Piece[] = [];
const work: Piece[] = [];
let scheduled = false;

function runOne(): void {
  scheduled = false;
  const piece = queries.shift() ?? work.shift();
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
