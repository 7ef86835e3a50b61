// `slipway rmi [-f] IMAGE...` / `image rm`.
import { parseReference } from '../../registry/reference.js';
import { ImageCommandError, MultipleErrors, NoSuchImageError } from '../../store/errors.js';
import { displayName } from '../../store/familiar.js';
import { deleteImage, untagOrDelete, type RemovalEvent } from '../../store/image-removal.js';
import { openImageStore } from '../../store/open.js';
import { shortId } from './images.js';

export async function runRmi(root: string, images: string[], opts: { force?: boolean }): Promise<void> {
  const store = openImageStore(root);
  const errors: Error[] = [];
  for (const arg of images) {
    try {
      printEvents(await removeOne(arg));
    } catch (err) {
      errors.push(err as Error);
    }
  }
  if (errors.length > 0) throw new MultipleErrors(errors);

  async function removeOne(arg: string): Promise<RemovalEvent[]> {
    const record = await store.resolve(arg);
    if (!record) throw new NoSuchImageError(displayName(arg));
    const name = namedBy(arg, record.tags);
    if (name) return untagOrDelete(store, record, name);
    // By ID: every manifest recorded with this config is the same image to Docker.
    const same = (await store.list()).filter((r) => r.id === record.id);
    if (same.flatMap((r) => r.tags).length > 1 && !opts.force) {
      throw new ImageCommandError(
        `conflict: unable to delete ${shortId(record.id, true)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    const events: RemovalEvent[] = [];
    for (const r of same) events.push(...(await deleteImage(store, r)).events);
    return events;
  }
}

/** The tag `arg` names, if it names one of `tags` (rather than an ID). */
function namedBy(arg: string, tags: string[]): string | undefined {
  try {
    const full = parseReference(arg).toString();
    return tags.includes(full) ? full : undefined;
  } catch {
    return undefined;
  }
}


function printEvents(events: RemovalEvent[]): void {
  process.stdout.write(events.map((e) => `${e.kind}: ${e.ref}\n`).join(''));
}
