// `builder prune --keep-storage`: which build cache items go so that what stays fits in the
// given size, as BuildKit's prune with KeepBytes chooses them: nothing when the cache already
// fits; otherwise the least recently used first, until the rest fits. Items a prune may not
// remove (the layers of stored images without --all, what the until filter keeps) stay, and,
// like BuildKit's records shared with images, protected items do not count towards the size.

export interface CacheItem {
  /** A snapshot id, or `mount:<dir name>` for a cache mount. */
  id: string;
  bytes: number;
  /** ms since the epoch. */
  lastUsed: number;
  /** Not removable by this prune. */
  kept: boolean;
}

/** The ids to remove, in removal order (least recently used first). */
export function itemsOverBudget(items: readonly CacheItem[], keepBytes: number): string[] {
  const removable = items.filter((i) => !i.kept);
  let total = removable.reduce((sum, i) => sum + i.bytes, 0);
  const out: string[] = [];
  for (const item of [...removable].sort((a, b) => a.lastUsed - b.lastUsed || (a.id < b.id ? -1 : 1))) {
    if (total <= keepBytes) break;
    out.push(item.id);
    total -= item.bytes;
  }
  return out;
}
