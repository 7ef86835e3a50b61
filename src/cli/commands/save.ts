// `slipway save [-o FILE] IMAGE...`: a docker-archive that is also an OCI layout.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseReference, type Reference } from '../../registry/reference.js';
import { writeImageArchive, type SaveItem } from '../../store/archive-writer.js';
import { ImageCommandError, NoSuchImageError } from '../../store/errors.js';
import type { ImageStore } from '../../store/image-store.js';
import { openImageStore } from '../../store/open.js';

export async function runSave(root: string, images: string[], opts: { output?: string }): Promise<void> {
  if (!opts.output && process.stdout.isTTY) {
    throw new ImageCommandError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  const store = openImageStore(root);
  const items = await selectImages(store, images);
  if (!opts.output) {
    await writeImageArchive(store, items, process.stdout);
    return;
  }
  // Write beside the target and rename, so a failed save leaves no truncated archive.
  const target = path.resolve(opts.output);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}`);
  try {
    await writeImageArchive(store, items, createWriteStream(tmp));
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Docker's selection: `repo` without a tag saves every tag of that repository, `repo:tag`
 * that tag, an ID the image without names.
 */
async function selectImages(store: ImageStore, args: string[]): Promise<SaveItem[]> {
  const byId = new Map<string, SaveItem>();
  const add = (item: SaveItem): void => {
    const prev = byId.get(item.record.id);
    if (prev) prev.names = [...new Set([...prev.names, ...item.names])];
    else byId.set(item.record.id, item);
  };
  for (const arg of args) {
    let ref: Reference | undefined;
    try {
      ref = parseReference(arg, { defaultTag: false });
    } catch {
      ref = undefined;
    }
    if (ref && ref.tag === undefined && ref.digest === undefined) {
      const repo = ref.fullName();
      const matches = (await store.list()).filter((r) => r.tags.some((t) => parseReference(t).fullName() === repo));
      if (matches.length > 0) {
        for (const r of matches) add({ record: r, names: r.tags.filter((t) => parseReference(t).fullName() === repo) });
        continue;
      }
    }
    const record = await store.resolve(arg);
    if (!record) throw new NoSuchImageError(arg);
    const full = ref?.tag !== undefined ? parseReference(arg).toString() : undefined;
    add({ record, names: full && record.tags.includes(full) ? [full] : [] });
  }
  return [...byId.values()];
}
