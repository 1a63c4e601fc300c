// The current route, kept in step with the address (hash) and the history, so back and forward work and "Esc"
// knows whether there is somewhere in the app to go back to. [Note: ui-routing]
import { formatRoute, HOME, parseRoute, type Route } from '../lib/route.js';

interface HistoryState {
  readonly troveDepth?: number;
}

function depthOf(state: unknown): number {
  const d = (state as HistoryState | null)?.troveDepth;
  return typeof d === 'number' && d >= 0 ? d : 0;
}

export const router = $state({ route: parseRoute(location.hash) as Route, depth: depthOf(history.state) });

history.replaceState({ troveDepth: router.depth } satisfies HistoryState, '', location.href);

function sync(): void {
  router.route = parseRoute(location.hash);
  router.depth = depthOf(history.state);
}
window.addEventListener('popstate', sync);
window.addEventListener('hashchange', () => {
  // An address typed by hand or a plain link: a new entry one step deeper.
  if ((history.state as HistoryState | null)?.troveDepth === undefined) {
    history.replaceState({ troveDepth: router.depth + 1 } satisfies HistoryState, '', location.href);
  }
  sync();
});

/** Goes to a route: a new history entry, or (replace) the current one rewritten, as typing a query does. */
export function go(route: Route, options: { replace?: boolean } = {}): void {
  const href = formatRoute(route);
  if (options.replace) {
    history.replaceState({ troveDepth: router.depth } satisfies HistoryState, '', href);
  } else {
    router.depth += 1;
    history.pushState({ troveDepth: router.depth } satisfies HistoryState, '', href);
  }
  router.route = route;
}

/** Back within the app when there is a step to go back to, else to the start page. */
export function back(): void {
  if (router.depth > 0) history.back();
  else go(HOME, { replace: true });
}
