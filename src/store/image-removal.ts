// Removing images the way `docker rmi` and `docker image prune` report it: `Untagged:` for
// each name dropped, then `Deleted:` for the image ID and for each layer (by chain ID) whose
// blob garbage collection actually freed. Blobs still used by another image stay.
import { chainIds } from './chain-id.js';
import type { ImageRecord } from './image-record.js';
import type { ImageStore } from './image-store.js';
import { familiar } from './familiar.js';

export interface RemovalEvent {
  kind: 'Untagged' | 'Deleted';
  /** Familiar reference (Untagged) or digest (Deleted). */
  ref: string;
}


/** Drops every name of `record`, removes it and collects its unreferenced blobs. */
export async function deleteImage(store: ImageStore, record: ImageRecord): Promise<{ events: RemovalEvent[]; reclaimed: number }> {
  const loaded = await store.load(record).catch(() => undefined);
  const events: RemovalEvent[] = [...record.tags, ...record.digests].map((n) => ({ kind: 'Untagged', ref: familiar(n) }));
  await store.remove(record);
  const { deleted, reclaimed } = await store.gc();
  const gone = new Set(deleted);
  // Another manifest with the same config (e.g. the schema2 form of this image) keeps the ID alive.
  const idLives = (await store.list()).some((r) => r.id === record.id);
  if (!idLives) events.push({ kind: 'Deleted', ref: record.id });
  if (loaded) {
    const chains = chainIds(loaded.config.rootfs?.diff_ids ?? []);
    const layers = loaded.manifest.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const chain = chains[i];
      if (chain !== undefined && gone.has(layers[i]!.digest)) events.push({ kind: 'Deleted', ref: chain });
    }
  }
  return { events, reclaimed };
}

/** Removes one name; when it was the image's last tag the whole image goes (as Docker does). */
export async function untagOrDelete(store: ImageStore, record: ImageRecord, fullName: string): Promise<RemovalEvent[]> {
  const rest = record.tags.filter((t) => t !== fullName);
  if (rest.length > 0) {
    await store.untag(fullName);
    return [{ kind: 'Untagged', ref: familiar(fullName) }];
  }
  return (await deleteImage(store, record)).events;
}
