// `slipway builder prune [-a] [-f] [--filter until=…]`: Docker's `builder prune` on the build
// cache of the root (src/solver/cache/prune-cache.ts). Waits for running builds to finish.
import { pruneBuildCache, type PruneCacheResult } from '../../solver/cache/prune-cache.js';
import { humanSize } from '../format/units.js';
import { writeStderr } from '../stdio.js';
import { UsageError } from '../errors.js';
import { parseRamBytes } from './build-run-flags.js';
import { parseFilters, parseUntil } from './images-filter.js';
import { confirm } from './prune.js';

export interface BuilderPruneOptions {
  all?: boolean;
  force?: boolean;
  filter?: string[];
  keepStorage?: string;
  maxUsedSpace?: string;
}

export async function runBuilderPrune(root: string, opts: BuilderPruneOptions): Promise<void> {
  // docker: 0 (the default) is no limit, a full prune.
  if (opts.keepStorage !== undefined && opts.maxUsedSpace !== undefined) throw new UsageError('--keep-storage and --max-used-space are the same limit: give one');
  const keepBytes = opts.maxUsedSpace !== undefined ? parseRamBytes(opts.maxUsedSpace, '--max-used-space')
    : opts.keepStorage !== undefined ? parseRamBytes(opts.keepStorage, '--keep-storage') : 0;
  const until = parseFilters(opts.filter ?? [], new Set(['until'])).get('until')?.map(parseUntil);
  if (!opts.force) {
    const what = opts.all ? 'all build cache' : 'all dangling build cache';
    if (!(await confirm(`WARNING! This will remove ${what}. Are you sure you want to continue? [y/N] `))) return;
  }
  const res = await pruneCache(root, opts.all ?? false, until, keepBytes);
  writeDeletedCache(res.removed);
  process.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimed)}\n`);
}

/**
 * The build cache prune of `builder prune` and `system prune` (until: the filter's cut-off
 * times; keepBytes: --keep-storage, 0 for none).
 */
export function pruneCache(root: string, all: boolean, until: number[] | undefined, keepBytes = 0): Promise<PruneCacheResult> {
  return pruneBuildCache(root, {
    all,
    ...(until?.length ? { until: Math.min(...until) } : {}),
    ...(keepBytes > 0 ? { keepBytes } : {}),
    onWait: () => writeStderr('waiting for running builds to finish\n'),
  });
}

export function writeDeletedCache(removed: readonly string[]): void {
  if (removed.length) process.stdout.write(`Deleted build cache objects:\n${removed.map((id) => `${id}\n`).join('')}\n`);
}
