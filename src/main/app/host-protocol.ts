// The messages between the main process and the engine's utility process. [Note: electron-shell]
// Requests, results and event payloads travel as JSON text made by src/shared/codec.ts, so bytes (thumbnails)
// cross the process boundary the same way they cross HTTP, and neither side depends on how Electron clones.
import type { OperationName } from '../../shared/api.js';
import type { MediaVariant } from '../../shared/media.js';

export type ToHost =
  /** One operation of the contract. */
  | { readonly t: 'call'; readonly id: number; readonly op: OperationName; readonly req: string }
  /** The file behind a media URL (Engine.mediaFile): `{ file, mime }`. */
  | { readonly t: 'media'; readonly id: number; readonly item: number; readonly variant: MediaVariant }
  /** The absolute path of any item the library knows. */
  | { readonly t: 'path'; readonly id: number; readonly item: number }
  /** Close the engine (finishing what is in flight) and exit. */
  | { readonly t: 'stop' };

export type FromHost =
  | { readonly t: 'ready' }
  /** The engine could not open (a database from a newer Trove, a corrupt one): the message is for a person. */
  | { readonly t: 'fatal'; readonly error: { readonly code: string; readonly message: string } }
  /** The Result of request `id`, as JSON text. */
  | { readonly t: 'result'; readonly id: number; readonly result: string }
  | { readonly t: 'event'; readonly name: string; readonly payload: string };

export function isFromHost(value: unknown): value is FromHost {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  switch (m.t) {
    case 'ready':
      return true;
    case 'fatal':
      return !!m.error && typeof m.error === 'object';
    case 'result':
      return typeof m.id === 'number' && typeof m.result === 'string';
    case 'event':
      return typeof m.name === 'string' && typeof m.payload === 'string';
    default:
      return false;
  }
}
