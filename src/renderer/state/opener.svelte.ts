// The list an item was opened from (search results, the timeline, a collection), in the order it is shown, so the
// item's page can step to its neighbours with ← and →. [Note: ui-item]
export const opener = $state({ ids: null as readonly number[] | null });

export function openedFrom(ids: readonly number[]): void {
  opener.ids = ids;
}
