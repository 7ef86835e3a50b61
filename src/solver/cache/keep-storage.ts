// `builder prune --keep-storage`: which build cache items go so that what stays fits in the
// given size, as BuildKit's prune with KeepBytes chooses them (cache/manager.go pruneOnce and
// prune): the total is every item's size but what is shared with images (the layers of stored
// images, which the caller leaves out of `items` without --all); nothing goes when the total is
// already under the size; otherwise the least recently used removable item goes, one at a time,
// until the total is under it. Items this prune may not remove (what the until filter keeps:
// BuildKit's KeepDuration) still count towards the total.

export interface CacheItem {
  /** A snapshot id, or `mount:<dir name>` for a cache mount. */
  id: string;
  bytes: number;
  /** ms since the epoch. */
  lastUsed: number;
  /** Not removable by this prune (it still counts). */
  kept: boolean;
}

/** The ids to remove, in removal order (least recently used first). */
export function itemsOverBudget(items: readonly CacheItem[], keepBytes: number): string[] {
  let total = items.reduce((sum, i) => sum + i.bytes, 0);
  const out: string[] = [];
  const removable = items.filter((i) => !i.kept).sort((a, b) => a.lastUsed - b.lastUsed || (a.id < b.id ? -1 : 1));
  for (const item of removable) {
    if (total < keepBytes) break; // BuildKit: `totalSize < keepBytes` is what fits
    out.push(item.id);
    total -= item.bytes;
  }
  return out;
}
