// Digests of single entries: sha256(header || content). Stat-cache hits skip all reading;
// misses get their xattrs from one getfattr run and their bytes read through a small pool.
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { readTreeXattrs } from '../layer/xattrs.js';
import { ToolMissingError } from '../layer/run-tool.js';
import { headerBytes, type Xattrs } from './file-header.js';
import type { StatCache } from './stat-cache.js';
import type { TreeEntry } from './tree.js';

/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ_LIMIT = 4 << 20;
const CHUNK = 1 << 20;

export interface DigestOptions {
  statCache?: StatCache;
  concurrency?: number;
  /** Called before a file's content is read (tests count reads with it). */
  onContentRead?: (rel: string) => void;
  /** Whether the root's own header counts (snapshots) or is the fixed empty header (contexts). */
  rootHeader?: boolean;
}

export const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function hashContent(abs: string, size: bigint, h: ReturnType<typeof createHash>): Promise<void> {
  if (size <= BigInt(WHOLE_READ_LIMIT)) {
    h.update(await readFile(abs));
    return;
  }
  const fh = await open(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

/** Deepest directory (or the single entry) containing all of `rels`. */
function commonAncestor(rels: string[]): string {
  let prefix = (rels[0] as string).split('/');
  for (const r of rels.slice(1)) {
    const parts = r.split('/');
    let i = 0;
    while (i < prefix.length && i < parts.length && prefix[i] === parts[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.join('/');
}

async function xattrsFor(root: string, rels: string[]): Promise<Map<string, Xattrs>> {
  try {
    return await readTreeXattrs(path.join(root, commonAncestor(rels)));
  } catch (err) {
    // Without the attr tools there is no way to read xattrs from Node: they do not count.
    if (err instanceof ToolMissingError) return new Map();
    throw err;
  }
}

/** Fills `digest` on every entry in `entries` (directories get their header digest). */
export async function digestEntries(root: string, entries: TreeEntry[], opts: DigestOptions): Promise<void> {
  const cache = opts.statCache;
  if (cache) await cache.load();
  const misses: TreeEntry[] = [];
  for (const e of entries) {
    if (e.digest) continue;
    if (e.rel === '' && !opts.rootHeader) {
      e.digest = EMPTY_DIGEST;
      continue;
    }
    const hit = cache?.get(e.rel, e.st);
    if (hit) e.digest = hit;
    else misses.push(e);
  }
  if (misses.length === 0) return;
  const xattrs = await xattrsFor(root, misses.map((e) => e.rel));
  const limit = pLimit(opts.concurrency ?? 8);
  await Promise.all(misses.map((e) => limit(async () => {
    const abs = e.rel === '' ? path.resolve(root) : path.resolve(root, e.rel);
    const started = Date.now();
    const h = createHash('sha256').update(headerBytes(e.st, e.link, xattrs.get(abs)));
    if (e.st.isFile() && e.st.size > 0n) {
      opts.onContentRead?.(e.rel);
      await hashContent(abs, e.st.size, h);
    }
    e.digest = 'sha256:' + h.digest('hex');
    cache?.set(e.rel, e.st, e.digest, started);
  })));
}

/** The BuildKit directory digest: its header, then each child's name and digest, sorted. */
export function dirDigest(e: TreeEntry): string {
  if (e.dirDigest) return e.dirDigest;
  const h = createHash('sha256');
  h.update('\0').update(e.digest as string);
  for (const c of e.children ?? []) {
    h.update('\0' + c.name).update(c.children ? dirDigest(c) : (c.digest as string));
  }
  e.dirDigest = 'sha256:' + h.digest('hex');
  return e.dirDigest;
}
