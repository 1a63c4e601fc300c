// Browser mode's client: the contract over `POST /api/<operation>` and its events over an EventSource on
// `/api/events`, both through the one generic client of src/shared/dispatch.ts. [Note: browser-mode]
// Media load from `/media/<id>/<variant>` on the same origin; the token reaches those through the cookie.
import { EVENT_NAMES, type EventName, type Listener, type TroveApi, type TroveEvents } from '../../shared/api.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { createClient, type Transport } from '../../shared/dispatch.js';
import { mediaPath, type MediaVariant } from '../../shared/media.js';
import type { Result } from '../../shared/result.js';

/** The part of `fetch` the transport uses (tests hand in their own). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; credentials: 'same-origin' }) => Promise<{
  readonly status: number;
  text(): Promise<string>;
}>;

/** The part of EventSource the events use. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
  /** 0 connecting, 1 open, 2 closed (EventSource gives up: the server answered with an error). */
  readonly readyState?: number;
}

/** How long a stream the browser gave up on waits before it is opened again. */
export const REOPEN_MS = 2000;

export interface HttpOptions {
  readonly base: string; // the server's origin, e.g. http://127.0.0.1:5173
  readonly token: string | null; // null: rely on the cookie
  readonly fetch: FetchLike;
  readonly eventSource: (url: string) => EventSourceLike;
}

function isResult(value: unknown): value is Result<unknown> {
  return !!value && typeof value === 'object' && typeof (value as { ok?: unknown }).ok === 'boolean';
}

export function httpTransport(options: HttpOptions): Transport {
  return async (op, req) => {
    let status: number;
    let text: string;
    try {
      const res = await options.fetch(`${options.base}/api/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
        body: encodeJson(req),
        credentials: 'same-origin',
      });
      status = res.status;
      text = await res.text();
    } catch {
      return { ok: false, error: { code: 'NETWORK', message: 'Trove is not answering: is `trove serve` still running?' } };
    }
    try {
      const value = decodeJson(text);
      if (isResult(value)) return value;
    } catch {
      // not JSON: a proxy's error page, say
    }
    return { ok: false, error: { code: 'INTERNAL', message: `the server answered ${status} without a result` } };
  };
}

/**
 * The contract's events from one shared EventSource, opened on the first listener, and whether the server can be
 * reached: the stream drops when the server stops and opens again when it is back (EventSource retries by itself;
 * one it gave up on is opened anew every REOPEN_MS).
 */
export function httpEvents(options: HttpOptions): TroveEvents & { close(): void; onReachable(listener: (up: boolean) => void): () => void } {
  let source: EventSourceLike | null = null;
  let closed = false;
  let reopen: ReturnType<typeof setTimeout> | null = null;
  let up: boolean | null = null;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>(EVENT_NAMES.map((e) => [e, new Set()]));
  const reachable = new Set<(up: boolean) => void>();
  const say = (now: boolean) => {
    if (up === now) return;
    up = now;
    for (const l of [...reachable]) l(now);
  };
  const open = () => {
    if (source || closed) return;
    const url = `${options.base}/api/events${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`;
    const s = options.eventSource(url);
    source = s;
    s.addEventListener('open', () => say(true));
    s.addEventListener('error', () => {
      say(false);
      if (s.readyState === 2 && source === s && !reopen) {
        reopen = setTimeout(() => {
          reopen = null;
          if (source !== s) return;
          s.close();
          source = null;
          open();
        }, REOPEN_MS);
      }
    });
    for (const name of EVENT_NAMES) {
      s.addEventListener(name, (event) => {
        if (typeof event.data !== 'string') return;
        let payload: unknown;
        try {
          payload = decodeJson(event.data);
        } catch {
          return;
        }
        for (const l of [...(listeners.get(name) ?? [])]) l(payload);
      });
    }
  };
  return {
    on<E extends EventName>(event: E, listener: Listener<E>): () => void {
      const set = listeners.get(event);
      if (!set) throw new Error(`unknown event: ${String(event)}`);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      open();
      return () => set.delete(l);
    },
    onReachable(listener) {
      reachable.add(listener);
      open();
      return () => reachable.delete(listener);
    },
    close() {
      closed = true;
      if (reopen) clearTimeout(reopen);
      source?.close();
      source = null;
    },
  };
}

export function httpApi(options: HttpOptions): TroveApi & TroveEvents & { onReachable(listener: (up: boolean) => void): () => void } {
  const api = createClient(httpTransport(options));
  const events = httpEvents(options);
  return Object.assign(api, { on: events.on, onReachable: events.onReachable });
}

/** Same-origin media paths: the cookie set at the first load authorises them. */
export function httpMediaUrl(base: string): (id: number, variant: MediaVariant, version?: string | null) => string {
  return (id, variant, version) => `${base}${mediaPath(id, variant, version)}`;
}
