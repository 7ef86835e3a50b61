// `slipway system df`: Docker's summary for what Slipway has (Images, Build Cache). Sizes are
// bytes on disk: the store holds compressed blobs, so SIZE is smaller than the sum of the
// SIZE column of `images` (which counts uncompressed layers, as Docker does).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ImageRecord } from '../../store/image-record.js';
import type { ImageStore } from '../../store/image-store.js';
import { diskUsage } from '../../store/disk-usage.js';
import { uncompressedSize } from '../../store/layer-size.js';
import { openImageStore } from '../../store/open.js';
import { renderRows } from '../format/render.js';
import { tabwrite } from '../format/table.js';
import { createdSince, humanSize } from '../format/units.js';
import { rowNames, shortId } from './images.js';

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

export async function runDf(root: string, opts: { format?: string; verbose?: boolean }): Promise<void> {
  const store = openImageStore(root);
  const records = await store.list();
  const blobs = new Set<string>();
  for (const r of records) {
    const loaded = await store.load(r).catch(() => undefined);
    blobs.add(r.target.digest);
    if (!loaded) continue;
    blobs.add(loaded.manifestDescriptor.digest);
    blobs.add(loaded.manifest.config.digest);
    for (const l of loaded.manifest.layers) blobs.add(l.digest);
  }
  let imagesSize = 0;
  for (const d of blobs) imagesSize += (await store.content.size(d)) ?? 0;
  // The build cache is its records (one per cached step result), the snapshots they point at,
  // cache mounts and checksum caches: everything under cache/ and snapshots/.
  const cacheRecords = await fs.readdir(path.join(root, 'cache', 'records')).catch(() => [] as string[]);
  const cacheSize = (await diskUsage(path.join(root, 'cache'))) + (await diskUsage(path.join(root, 'snapshots')));
  const cacheEntries = cacheRecords.filter((n) => n.endsWith('.json'));
  const rows = [
    {
      Type: 'Images',
      TotalCount: String(records.length),
      Active: '0',
      Size: humanSize(imagesSize),
      Reclaimable: imagesSize > 0 ? `${humanSize(imagesSize)} (100%)` : humanSize(0),
    },
    { Type: 'Build Cache', TotalCount: String(cacheEntries.length), Active: '0', Size: humanSize(cacheSize), Reclaimable: humanSize(cacheSize) },
  ];
  if (opts.verbose && !opts.format) {
    process.stdout.write(`Images space usage:\n\n${await verboseImages(store, records)}\nBuild cache usage: ${humanSize(cacheSize)}\n\n`);
    process.stdout.write(tabwrite('CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n'));
    return;
  }
  process.stdout.write(
    renderRows(rows, {
      format: opts.format,
      defaultFormat: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: HEADERS,
    }),
  );
}

/**
 * `df -v`'s image table: SIZE as in `images` (uncompressed layers), SHARED SIZE the layers
 * another image also uses, UNIQUE SIZE the rest. CONTAINERS is always 0 (no containers).
 */
async function verboseImages(store: ImageStore, records: ImageRecord[]): Promise<string> {
  const layersOf = new Map<string, Array<{ digest: string; size: number }>>();
  const users = new Map<string, number>();
  for (const r of records) {
    const loaded = await store.load(r).catch(() => undefined);
    const layers: Array<{ digest: string; size: number }> = [];
    for (const l of loaded?.manifest.layers ?? []) {
      if (layers.some((x) => x.digest === l.digest)) continue;
      layers.push({ digest: l.digest, size: await uncompressedSize(store.root, store.content, l) });
      users.set(l.digest, (users.get(l.digest) ?? 0) + 1);
    }
    layersOf.set(r.id, layers);
  }
  let out = 'REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n';
  for (const r of records) {
    const layers = layersOf.get(r.id) ?? [];
    const size = layers.reduce((n, l) => n + l.size, 0);
    const shared = layers.filter((l) => (users.get(l.digest) ?? 0) > 1).reduce((n, l) => n + l.size, 0);
    for (const [repo, tag] of rowNames(r, false, false)) {
      out += `${repo}\t${tag}\t${shortId(r.id, true)}\t${createdSince(r.created) || 'N/A'}\t${humanSize(size, 3)}\t${humanSize(shared)}\t${humanSize(size - shared)}\t0\n`;
    }
  }
  return tabwrite(out);
}
