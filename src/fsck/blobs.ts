// Blob check: every file under <root>/store/blobs/sha256 is named by the sha256 of its bytes,
// and nothing else (a temp file, a stray directory) sits where readers look up digests.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { listDir } from './fs-read.js';
import type { Findings } from './findings.js';

async function sha256Hex(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface BlobSets {
  /** Digests (`sha256:<hex>`) of blobs whose bytes match. */
  valid: Set<string>;
  /** Digests of blobs whose bytes do not match (already reported). */
  corrupt: Set<string>;
}

/** Verifies every blob. */
export async function checkBlobs(root: string, out: Findings): Promise<BlobSets> {
  const valid = new Set<string>();
  const corrupt = new Set<string>();
  const blobsRoot = path.join(root, 'store', 'blobs');
  for (const algo of await listDir(blobsRoot)) {
    if (algo.name !== 'sha256' || !algo.isDirectory()) {
      out.add('error', path.join('store', 'blobs', algo.name), 'unexpected entry in the blobs directory (only sha256/ is used)');
    }
  }
  const dir = path.join(blobsRoot, 'sha256');
  for (const e of await listDir(dir)) {
    const rel = path.join('store', 'blobs', 'sha256', e.name);
    if (!/^[a-f0-9]{64}$/.test(e.name)) {
      out.add('error', rel, 'file in the blobs directory is not named by a sha256 digest (a temp file left visible?)');
      continue;
    }
    if (!e.isFile()) {
      out.add('error', rel, 'blob is not a regular file');
      continue;
    }
    const actual = await sha256Hex(path.join(dir, e.name));
    if (actual === e.name) {
      valid.add(`sha256:${e.name}`);
    } else {
      out.add('error', rel, `content does not match its digest (sha256:${actual})`);
      corrupt.add(`sha256:${e.name}`);
    }
  }
  return { valid, corrupt };
}
