// Persistent stat cache: relative path + stat signature (dev, inode, size, mtime, ctime,
// mode, uid, gid, all in nanoseconds where it matters) → entry digest, so an unchanged file
// is never read again, even by a new process. One JSON file per scope (e.g. a context
// directory) under <root>/cache/contenthash/; loaded lazily, written atomically only when
// something changed; a corrupt file is ignored and rebuilt.
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';

// v2: context digests hash owners as 0:0 (entries cached by v1 hashed the real owner).
const FORMAT = 'slipway.statcache.v2';
/**
 * File timestamps come from a coarse kernel clock (a few ms), so an entry changed shortly
 * before or while it was hashed could change again without moving its times ("racy git").
 * Such entries are hashed but not cached.
 */
export const RACY_WINDOW_MS = 100;

/** Stat fields that change whenever content, metadata or xattrs may have changed. */
export function statSignature(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}:${st.uid}:${st.gid}`;
}

export class StatCache {
  private entries: Map<string, [string, string]> | undefined;
  private loading: Promise<void> | undefined;
  private dirty = false;

  constructor(readonly file: string) {}

  /** The cache for `scopeDir` (keyed by its realpath) under `<root>/cache/contenthash/`. */
  static async forScope(root: string, scopeDir: string): Promise<StatCache> {
    const real = await realpath(scopeDir);
    const key = createHash('sha256').update(real).digest('hex');
    return new StatCache(path.join(root, 'cache', 'contenthash', `${key}.json`));
  }

  async load(): Promise<void> {
    if (this.entries) return;
    this.loading ??= this.readEntries().then((e) => {
      this.entries = e;
    });
    await this.loading;
  }

  private async readEntries(): Promise<Map<string, [string, string]>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return new Map();
    }
    try {
      const doc = JSON.parse(text) as { format?: unknown; entries?: unknown };
      if (doc.format !== FORMAT || typeof doc.entries !== 'object' || doc.entries === null) return new Map();
      const out = new Map<string, [string, string]>();
      for (const [rel, v] of Object.entries(doc.entries as Record<string, unknown>)) {
        if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && /^[0-9a-f]{64}$/.test(v[1])) {
          out.set(rel, [v[0], v[1]]);
        }
      }
      return out;
    } catch {
      // Corrupt (e.g. a torn write by another tool): start over, it is only a cache.
      this.dirty = true;
      return new Map();
    }
  }

  private map(): Map<string, [string, string]> {
    if (!this.entries) throw new Error('StatCache used before load()');
    return this.entries;
  }

  /** The digest (sha256:…) recorded for `rel` if its stat signature is unchanged. */
  get(rel: string, st: BigIntStats): string | undefined {
    const e = this.map().get(rel);
    return e && e[0] === statSignature(st) ? 'sha256:' + e[1] : undefined;
  }

  /** Records a digest; `readStartedMs` is when hashing began (racy entries are skipped). */
  set(rel: string, st: BigIntStats, digest: string, readStartedMs: number): void {
    if (Number(st.ctimeNs / 1_000_000n) >= readStartedMs - RACY_WINDOW_MS) return;
    if (Number(st.mtimeNs / 1_000_000n) >= readStartedMs - RACY_WINDOW_MS) return;
    const sig = statSignature(st);
    const hex = digest.slice('sha256:'.length);
    const m = this.map();
    const old = m.get(rel);
    if (old && old[0] === sig && old[1] === hex) return;
    m.set(rel, [sig, hex]);
    this.dirty = true;
  }

  /** Forgets entries below `relDir` ('' = everything) that `keep` does not contain. */
  prune(relDir: string, keep: Set<string>): void {
    const m = this.map();
    const prefix = relDir === '' ? '' : relDir + '/';
    for (const rel of m.keys()) {
      if ((rel === relDir || rel.startsWith(prefix)) && !keep.has(rel)) {
        m.delete(rel);
        this.dirty = true;
      }
    }
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** Writes the cache (temp file, fsync, rename) if anything changed since load or the last save. */
  async save(): Promise<void> {
    if (!this.entries || !this.dirty) return;
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const body = JSON.stringify({ format: FORMAT, entries: Object.fromEntries(this.entries) });
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.dirty = false;
  }
}
