// Browser mode's launch token: `trove serve` prints an address with `?token=…`; the page keeps the token for the
// tab (sessionStorage, so a reload still works) and takes it out of the address bar, where it would otherwise be
// bookmarked, shared in a screenshot, or kept in history. The server also set an HttpOnly cookie from that first
// load, which <img>, <audio> and the event stream carry. [Note: browser-mode]

export const TOKEN_KEY = 'trove-token';

export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The token for this page, from the address (then stored) or from the tab's storage; and the address without
 * it (null when the address had none, so nothing needs replacing).
 */
export function takeToken(href: string, storage: TokenStore | null): { token: string | null; cleanHref: string | null } {
  const url = new URL(href);
  const given = url.searchParams.get('token');
  if (given) {
    try {
      storage?.setItem(TOKEN_KEY, given);
    } catch {
      // storage refused (private mode quotas): the cookie still carries the token for this session
    }
    url.searchParams.delete('token');
    return { token: given, cleanHref: url.toString() };
  }
  let stored: string | null = null;
  try {
    stored = storage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    stored = null;
  }
  return { token: stored, cleanHref: null };
}
