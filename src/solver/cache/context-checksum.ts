// Content checksums of files selected from the build context, as BuildKit's contenthash:
// contents, mode, uid/gid and symlink targets count, mtime never. A stat cache (dev, inode,
// size, mtime, ctime → checksum) persisted under <root>/cache/ means unchanged files are not
// read again. Thin stand-in until the contenthash engineer's API lands.
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { PathMatcher } from './path-matcher.js';

type StatEntry = [dev: string, ino: string, size: string, mtime: string, ctime: string, sum: string];

export class StatCache {
  private entries: Record<string, StatEntry> = {};
  private dirty = false;
  private constructor(private readonly file: string) {}

  static async open(root: string): Promise<StatCache> {
    const c = new StatCache(path.join(root, 'cache', 'statcache.json'));
    try {
      c.entries = JSON.parse(await readFile(c.file, 'utf8')) as Record<string, StatEntry>;
    } catch {
      c.entries = {};
    }
    return c;
  }

  lookup(abs: string, st: BigIntStats): string | undefined {
    const e = this.entries[abs];
    if (!e) return undefined;
    return e[0] === String(st.dev) && e[1] === String(st.ino) && e[2] === String(st.size) &&
      e[3] === String(st.mtimeNs) && e[4] === String(st.ctimeNs) ? e[5] : undefined;
  }

  store(abs: string, st: BigIntStats, sum: string): void {
    this.entries[abs] = [String(st.dev), String(st.ino), String(st.size), String(st.mtimeNs), String(st.ctimeNs), sum];
    this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await writeFileAtomic(this.file, JSON.stringify(this.entries));
  }
}

export class ContextNotFoundError extends Error {}

function contentSum(abs: string): string {
  const h = createHash('sha256');
  const fd = openSync(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(256 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Checksum of one entry's own header and (for files) content; uid/gid as given. */
function entrySum(abs: string, st: BigIntStats, owner: { uid: number; gid: number } | undefined, cache: StatCache): string {
  const uid = owner ? owner.uid : Number(st.uid);
  const gid = owner ? owner.gid : Number(st.gid);
  const head = `${Number(st.mode)}:${uid}:${gid}`;
  if (st.isSymbolicLink()) return createHash('sha256').update(`l:${head}:${readlinkSync(abs)}`).digest('hex');
  if (st.isDirectory()) return createHash('sha256').update(`d:${head}`).digest('hex');
  if (!st.isFile()) return createHash('sha256').update(`s:${head}:${st.rdev}`).digest('hex');
  let data = cache.lookup(abs, st);
  if (!data) {
    data = contentSum(abs);
    cache.store(abs, st, data);
  }
  return createHash('sha256').update(`f:${head}:${data}`).digest('hex');
}

export interface SelectionChecksum {
  /** `sha256:…` over every selected entry. */
  digest: string;
  /** Selected files (context-relative) → checksum; directories are implied by their files. */
  files: Record<string, string>;
}

export interface SelectOptions {
  /** Context-level excludes (.dockerignore). */
  excludePatterns?: readonly string[];
  /** Per-action filters (COPY --exclude; include patterns for COPY --parents). */
  actionIncludes?: readonly string[];
  actionExcludes?: readonly string[];
  /** Owner recorded for every entry (local context files are transferred as 0:0). */
  owner?: { uid: number; gid: number };
  /** Expand wildcards in the last segments of `selector`. */
  wildcard?: boolean;
  /** A missing selection is fine (wildcards allowed to match nothing). */
  allowEmpty?: boolean;
}

const META = /[*?[\\]/;

/** Expands `sel` (cleaned, relative) to matching relative paths under `dir`. */
export function expandSelector(dir: string, sel: string, wildcard: boolean, ignored: (rel: string) => boolean): string[] {
  if (!wildcard || !META.test(sel)) return [sel];
  const segs = sel.split('/').filter(Boolean);
  let bases = [''];
  for (const seg of segs) {
    const next: string[] = [];
    const re = META.test(seg) ? new PathMatcher([seg]) : undefined;
    for (const b of bases) {
      if (!re) {
        next.push(b ? `${b}/${seg}` : seg);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(path.join(dir, b)).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        const rel = b ? `${b}/${n}` : n;
        if (re.matches(n) && !ignored(rel)) next.push(rel);
      }
    }
    bases = next;
  }
  return bases;
}

/** Checksums what `selector` picks out of the context `dir`, recursively. */
export function checksumSelection(dir: string, selector: string, cache: StatCache, opts: SelectOptions = {}): SelectionChecksum {
  const excl = new PathMatcher(opts.excludePatterns ?? []);
  const actExcl = new PathMatcher(opts.actionExcludes ?? []);
  const ignored = (rel: string): boolean => excl.matches(rel);
  const sel = selector.split('/').filter((s) => s && s !== '.').join('/');
  const matches = expandSelector(dir, sel, opts.wildcard ?? false, ignored);
  const files: Record<string, string> = {};
  const h = createHash('sha256');
  let found = 0;
  const visit = (rel: string, top: string): void => {
    const abs = path.join(dir, rel);
    let st: BigIntStats;
    try {
      st = lstatSync(abs, { bigint: true });
    } catch {
      return;
    }
    if (rel !== '' && ignored(rel) && !(st.isDirectory() && excl.hasExclusions)) return;
    const inner = rel === top ? '' : rel.slice(top ? top.length + 1 : 0);
    if (inner && actExcl.matches(inner)) return;
    found++;
    const excludedHere = rel !== '' && ignored(rel);
    if (!excludedHere) {
      const sum = entrySum(abs, st, opts.owner, cache);
      files[rel || '.'] = sum;
      h.update(`${rel}\0${sum}\n`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(rel ? `${rel}/${name}` : name, top);
    }
  };
  for (const m of matches) {
    if (m !== '' && ignored(m)) continue;
    visit(m, m);
  }
  if (found === 0 && !(opts.allowEmpty && META.test(sel))) {
    throw new ContextNotFoundError(`failed to calculate checksum of ref: "/${sel}": not found`);
  }
  // Directories' own entries stay out of the per-file list (noise); their sums are in the digest.
  for (const k of Object.keys(files)) {
    const st = lstatSync(path.join(dir, k === '.' ? '' : k));
    if (st.isDirectory()) delete files[k];
  }
  return { digest: `sha256:${h.digest('hex')}`, files };
}
