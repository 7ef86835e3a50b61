import * as fs from 'node:fs/promises';
import type { ContentStore } from '../content/store.js';

/** Whether a stored blob starts with gzip's magic bytes (media types are not always right). */
export async function blobIsGzip(content: ContentStore, digest: string): Promise<boolean> {
  const fh = await fs.open(content.path(digest), 'r');
  try {
    const buf = Buffer.alloc(2);
    await fh.read(buf, 0, 2, 0);
    return buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}
