// Where blobs came from: `<root>/store/sources.json` maps a blob digest to the repositories
// (`host/path`) known to hold it, so a push to the same registry can mount instead of upload.
// Losing an update to a concurrent writer only costs an upload later, so no lock is taken.
// Synchronous calls: a small file, and a pull records it while its layers unpack, when each
// thread-pool round trip (eight here) queued behind inflate jobs (busybox pull: 6-20 ms).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

type Sources = Record<string, string[]>;
const MAX_REPOS_PER_BLOB = 8;

function file(root: string): string {
  return path.join(root, 'store', 'sources.json');
}

function load(root: string): Sources {
  try {
    return JSON.parse(readFileSync(file(root), 'utf8')) as Sources;
  } catch {
    return {};
  }
}

/** Repositories (`host/path`) known to hold `digest`. */
export async function blobSources(root: string, digest: string): Promise<string[]> {
  return load(root)[digest] ?? [];
}

/** Records that every digest in `digests` exists in `repository` (`host/path`). */
export async function recordBlobSources(root: string, repository: string, digests: Iterable<string>): Promise<void> {
  const all = load(root);
  let changed = false;
  for (const d of digests) {
    const list = all[d] ?? [];
    if (list[0] === repository) continue;
    all[d] = [repository, ...list.filter((r) => r !== repository)].slice(0, MAX_REPOS_PER_BLOB);
    changed = true;
  }
  if (!changed) return;
  const target = file(root);
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(all));
  renameSync(tmp, target);
}
