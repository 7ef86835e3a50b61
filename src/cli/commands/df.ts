// `slipway system df`: Docker's summary for what Slipway has (Images, Build Cache). Sizes are
// bytes on disk: the store holds compressed blobs, so SIZE is smaller than the sum of the
// SIZE column of `images` (which counts uncompressed layers, as Docker does).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openImageStore } from '../../store/open.js';
import { renderRows } from '../format/render.js';
import { humanSize } from '../format/units.js';

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

export async function runDf(root: string, opts: { format?: string }): Promise<void> {
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
  const cacheDir = path.join(root, 'cache');
  const cacheEntries = await fs.readdir(cacheDir).catch(() => [] as string[]);
  const cacheSize = await diskUsage(cacheDir);
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
  process.stdout.write(
    renderRows(rows, {
      format: opts.format,
      defaultFormat: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: HEADERS,
    }),
  );
}

async function diskUsage(p: string): Promise<number> {
  let st;
  try {
    st = await fs.lstat(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await fs.readdir(p)) total += await diskUsage(path.join(p, name));
  return total;
}
