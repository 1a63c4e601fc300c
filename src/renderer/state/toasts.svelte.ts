// Short messages after an action (a folder added, a failure with its reason). They go by themselves.
export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly tone: 'info' | 'error';
}

export const toasts = $state<{ list: Toast[] }>({ list: [] });
let next = 1;

export function toast(text: string, tone: Toast['tone'] = 'info', ms = tone === 'error' ? 8000 : 4000): void {
  const id = next++;
  toasts.list.push({ id, text, tone });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  toasts.list = toasts.list.filter((t) => t.id !== id);
}

/** A failure as a person reads it: the engine's message, which is written for them. */
export function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return String(error);
}
