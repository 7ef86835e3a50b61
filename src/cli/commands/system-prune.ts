// `slipway system prune [-a] [-f] [--filter …]`: Docker's system prune for what Slipway has,
// dangling images (all unused with -a) and then the build cache (all of it with -a). Label
// filters apply to images (the build cache has no labels), until= to both.
import { humanSize } from '../format/units.js';
import { parseFilters, parseUntil } from './images-filter.js';
import { pruneCache, writeDeletedCache } from './builder-prune.js';
import { confirm, pruneImages, type ImagePruneOptions } from './prune.js';

export async function runSystemPrune(root: string, opts: ImagePruneOptions): Promise<void> {
  const filters = parseFilters(opts.filter ?? [], new Set(['label', 'label!', 'until']));
  if (!opts.force) {
    const what = opts.all
      ? ['all images without at least one container associated to them', 'all build cache']
      : ['all dangling images', 'all dangling build cache'];
    const warning = `WARNING! This will remove:\n${what.map((w) => `  - ${w}\n`).join('')}\nAre you sure you want to continue? [y/N] `;
    if (!(await confirm(warning))) return;
  }
  const images = await pruneImages(root, opts.all ?? false, filters);
  const until = filters.get('until')?.map(parseUntil);
  const cache = filters.has('label') || filters.has('label!') ? { removed: [], reclaimed: 0 } : await pruneCache(root, opts.all ?? false, until);
  if (images.deleted) process.stdout.write(`Deleted Images:\n${images.deleted}\n`);
  writeDeletedCache(cache.removed);
  process.stdout.write(`Total reclaimed space: ${humanSize(images.reclaimed + cache.reclaimed)}\n`);
}
