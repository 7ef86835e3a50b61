// `slipway debug fsck`: a read-only consistency check of a --root (store, snapshots, cache).
import { Findings, type FsckReport } from './findings.js';
import { checkBlobs } from './blobs.js';
import { checkCache } from './cache.js';
import { checkImages } from './images.js';
import { checkLeftovers } from './leftovers.js';
import { checkSnapshots } from './snapshots.js';

export type { Finding, FsckReport, Severity } from './findings.js';

export async function fsck(root: string): Promise<FsckReport> {
  const out = new Findings();
  const blobs = await checkBlobs(root, out);
  const images = await checkImages(root, blobs, out);
  // Memos naming a corrupt blob are not stale: the corruption is reported once, above.
  const known = new Set([...blobs.valid, ...blobs.corrupt]);
  const snapshots = await checkSnapshots(root, known, out);
  const cacheRecords = await checkCache(root, known, snapshots, out);
  await checkLeftovers(root, snapshots, out);
  return { root, counts: { blobs: blobs.valid.size + blobs.corrupt.size, images, cacheRecords, snapshots: snapshots.size }, findings: out.list };
}

/** Findings that make the check fail (leftovers and stale memos are harmless). */
export function errorsOf(report: FsckReport): FsckReport['findings'] {
  return report.findings.filter((f) => f.severity === 'error');
}
