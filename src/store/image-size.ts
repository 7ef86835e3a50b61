import type { ImageStore } from './image-store.js';
import type { ImageRecord } from './image-record.js';
import { uncompressedSize } from './layer-size.js';

/** Docker's image SIZE: the sum of the image's uncompressed layer sizes. */
export async function imageSize(store: ImageStore, record: ImageRecord): Promise<number> {
  const { manifest } = await store.load(record);
  let total = 0;
  for (const layer of manifest.layers) total += await uncompressedSize(store.root, store.content, layer);
  return total;
}
