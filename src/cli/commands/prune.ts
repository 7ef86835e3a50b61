// `slipway image prune [-a] [-f]`: dangling images (all images with -a — Slipway has no
// containers, so no image is "in use"), then garbage collection of their blobs.
import { createInterface } from 'node:readline/promises';
import { deleteImage } from '../../store/image-removal.js';
import { openImageStore } from '../../store/open.js';
import { humanSize } from '../format/units.js';
import { type Filters, labelMatches, parseFilters, parseUntil } from './images-filter.js';

export interface ImagePruneOptions {
  all?: boolean;
  force?: boolean;
  filter?: string[];
}

export async function runPrune(root: string, opts: ImagePruneOptions): Promise<void> {
  const filters = parseFilters(opts.filter ?? [], new Set(['label', 'label!', 'until']));
  if (!opts.force) {
    const warning = opts.all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.';
    if (!(await confirm(`${warning}\nAre you sure you want to continue? [y/N] `))) return;
  }
  const res = await pruneImages(root, opts.all ?? false, filters);
  if (res.deleted) process.stdout.write(`Deleted Images:\n${res.deleted}\n`);
  process.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimed)}\n`);
}

/** Removes the dangling images (every image with `all`) that pass `filters`. */
export async function pruneImages(root: string, all: boolean, filters: Filters): Promise<{ deleted: string; reclaimed: number }> {
  const store = openImageStore(root);
  const until = filters.get('until')?.map(parseUntil);
  const labels = filters.get('label');
  const notLabels = filters.get('label!');
  let deleted = '';
  let reclaimed = 0;
  for (const record of await store.list()) {
    // Dangling = no reference at all (moby: a digest-only pulled image is not pruned).
    if (!all && (record.tags.length > 0 || record.digests.length > 0)) continue;
    if (until && !until.every((t) => (record.created ? Date.parse(record.created) : 0) < t)) continue;
    if (labels || notLabels) {
      const have = (await store.load(record)).config.config?.Labels ?? {};
      if (labels && !labels.every((l) => labelMatches(have, l))) continue;
      if (notLabels && notLabels.some((l) => labelMatches(have, l))) continue;
    }
    const result = await deleteImage(store, record);
    reclaimed += result.reclaimed;
    deleted += result.events.map((e) => `${e.kind.toLowerCase()}: ${e.ref}\n`).join('');
  }
  await store.content.cleanIngest();
  return { deleted, reclaimed };
}

/** Asks on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
