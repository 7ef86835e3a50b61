// Applies a layer tar (plain, gzip or zstd) to a directory, streaming, and never writing
// outside it: names are cleaned and refused when they escape, every parent is resolved
// inside the root (symlinks included), the final component is never followed, hardlinks
// must point at entries inside the root.
//
// Two whiteout modes:
//  - 'flatten': the destination is a full root filesystem; .wh.NAME deletes NAME and
//    .wh..wh..opq empties the directory of what older layers put there.
//  - 'overlay': the destination is one overlay layer directory; .wh.NAME becomes a 0:0
//    character device and .wh..wh..opq the trusted.overlay.opaque=y xattr, so the
//    directory can serve as an overlayfs lowerdir.
// Metadata calls are synchronous on purpose: a base layer has thousands of entries, and a
// threadpool round trip per lstat/chown/chmod costs several times the syscall itself. Into an
// empty destination (a new snapshot) what exists is what this applier made, so it remembers
// that instead of asking lstat for every entry; the first removal ends that (rare in a layer).
// Regular files get their mode at creation when the umask keeps it, and owner and times
// through the open descriptor: open, write, fchown, futimes, close.
import { createHash, type Hash } from 'node:crypto';
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync,
  openSync, readdirSync, rmSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import { makeNode, makeWhiteout } from '../sys/mknod.js';
import { processUmask } from '../sys/umask.js';
import { decompressedStream } from './decompress.js';
import type { LowerView } from './lower-view.js';
import { fsPath, readdirNames } from './byte-names.js';
import { lstatIfExists as tryLstat } from './lstat-if-exists.js';
import { isInside, resolveInRootSync, resolveParentInRootSync } from './root-path.js';
import type { TarHeader } from './tar-header.js';
import { readTar } from './tar-reader.js';
import { writeXattrs, type Xattrs } from './xattrs.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './write-layer.js';

export type WhiteoutMode = 'flatten' | 'overlay';

export interface ApplyLayerOptions {
  whiteouts: WhiteoutMode;
  /**
   * The layer's diffID (sha256 of its uncompressed tar, from the image config): checked once
   * the tar is read, and a mismatch fails the apply, so a registry's layer can never fill the
   * snapshot named after another diffID (snapshots are shared by every image with that layer).
   */
  diffID?: string;
  /** overlay mode: older layers (newest first), so parents created here copy their metadata. */
  lowers?: LowerView;
  /** Called for entries that are skipped (device files when not root, unknown .wh..wh. names). */
  onWarning?: (message: string) => void;
  /** Defaults to "running as uid 0". */
  privileged?: boolean;
  /**
   * Every entry's owner instead of the archive's (ADD --chown of a local archive: moby's
   * Untar ChownOpts, buildkit#5987); implied parents stay 0:0.
   */
  owner?: { uid: number; gid: number };
}

export interface ApplyLayerResult {
  entries: number;
  bytes: number;
  /** overlay mode: root-relative directories marked opaque. */
  opaqueDirs: string[];
}

export class UnsafeLayerError extends Error {}

const YIELD_EVERY_MS = 0.5;

/** Milliseconds from a monotonic clock (the `performance` global would load perf_hooks: ~6 ms). */
function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}


/** Length of `name` without its trailing slashes. */
function trimmedLength(name: string): number {
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 0x2f) end--;
  return end;
}

/** True when the first `end` characters of `name` have no empty, '.' or '..' component. */
function isPlainPath(name: string, end: number): boolean {
  let start = 0;
  for (let i = 0; i <= end; i++) {
    if (i < end && name.charCodeAt(i) !== 0x2f) continue;
    const len = i - start;
    if (len === 0) return false;
    if (len <= 2 && name.charCodeAt(start) === 0x2e && (len === 1 || name.charCodeAt(start + 1) === 0x2e)) return false;
    start = i + 1;
  }
  return true;
}

/** The parent of a clean root-relative path; '' for a top-level one (posix dirname's '.'). */
function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

/** Cleans a tar entry name to a root-relative path; '' is the root itself. */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw new UnsafeLayerError(`refusing absolute path in layer: ${name}`);
  // Most names are already clean (but for a trailing slash): no normalize() call for them.
  const end = trimmedLength(name);
  if (end > 0 && isPlainPath(name, end)) return end === name.length ? name : name.slice(0, end);
  const clean = path.posix.normalize(name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw new UnsafeLayerError(`refusing path outside the destination: ${name}`);
  return clean === '.' ? '' : clean;
}

class LayerApplier {
  private readonly root: string;
  private readonly rootPrefix: string;
  private readonly written = new Set<string>();
  private readonly pendingXattrs = new Map<string, { rel: string; attrs: Xattrs }>();
  private readonly dirTimes: Array<{ host: string; mtime: number }> = [];
  private readonly privileged: boolean;
  /** Resolved parent directories; dropped whenever something is removed or replaced. */
  private readonly parents = new Map<string, string>();
  private readonly opaqueDirs = new Set<string>();
  private entries = 0;
  private bytes = 0;
  /**
   * Host paths this applier created (true: a directory) while `root` started empty and
   * nothing was removed: then they are all that exists below it. Undefined otherwise.
   */
  private made: Map<string, boolean> | undefined;
  private lastYield = nowMs();

  constructor(root: string, private readonly opts: ApplyLayerOptions) {
    this.root = path.resolve(root);
    this.rootPrefix = this.root + path.sep;
    this.privileged = opts.privileged ?? process.getuid?.() === 0;
  }

  async apply(source: AsyncIterable<Uint8Array>): Promise<ApplyLayerResult> {
    if (readdirSync(fsPath(this.root)).length === 0) this.made = new Map();
    const plain = await decompressedStream(source);
    const hash = this.opts.diffID ? createHash('sha256') : undefined;
    for await (const entry of readTar(hash ? hashing(plain, hash) : plain)) {
      this.entries++;
      await this.applyEntry(entry.header, entry.body);
      await this.letIoRun();
    }
    if (hash) {
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== this.opts.diffID) throw new Error(`layer content does not match its diffID: expected ${this.opts.diffID}, got ${got}`);
    }
    await this.finish();
    return { entries: this.entries, bytes: this.bytes, opaqueDirs: [...this.opaqueDirs] };
  }

  /**
   * Buffered data is applied in one chain of microtasks, which holds back I/O callbacks:
   * zlib's finished job (it queues the next one only from there) and the socket of a layer
   * still downloading. Letting the event loop run every half millisecond keeps them working
   * beside this loop instead of in turns (debian layer: main thread idle 270-420 -> 80-150 ms).
   */
  private async letIoRun(): Promise<void> {
    if (nowMs() - this.lastYield < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = nowMs();
  }

  /** What is at `host`: 'dir', 'other' or undefined when nothing is. */
  private kindAt(host: string): 'dir' | 'other' | undefined {
    if (this.made) {
      const dir = this.made.get(host);
      return dir === undefined ? undefined : dir ? 'dir' : 'other';
    }
    const st = tryLstat(host);
    return st ? (st.isDirectory() ? 'dir' : 'other') : undefined;
  }

  /** path.relative(root, host) for a host path made by path.join under the root, without the call. */
  private relOf(host: string): string {
    return host.startsWith(this.rootPrefix) ? host.slice(this.rootPrefix.length) : path.relative(this.root, host);
  }

  private warn(message: string): void {
    this.opts.onWarning?.(message);
  }

  /** Ensures the parent directory of `rel` exists inside the root; returns its host path. */
  private async parentDir(rel: string): Promise<string> {
    const parentRel = parentOf(rel);
    if (parentRel === '') return this.root;
    const cached = this.parents.get(parentRel);
    if (cached) return cached;
    // Into a fresh tree: a directory this applier made, below a parent already resolved, is
    // its own resolution (no symlink on the way, nothing to create): no lookups.
    if (this.made) {
      const grandRel = parentOf(parentRel);
      const grand = grandRel === '' ? this.root : this.parents.get(grandRel);
      const host = grand && path.join(grand, parentRel.slice(parentRel.lastIndexOf('/') + 1));
      if (host && this.made.get(host) === true) {
        this.parents.set(parentRel, host);
        return host;
      }
    }
    const host = resolveInRootSync(this.root, parentRel);
    if (!isInside(this.root, host)) throw new UnsafeLayerError(`parent of ${rel} resolves outside the destination`);
    await this.mkdirAll(path.relative(this.root, host));
    this.parents.set(parentRel, host);
    return host;
  }

  private async mkdirAll(relHost: string): Promise<void> {
    const comps = relHost.split(path.sep).filter(Boolean);
    for (let i = 1; i <= comps.length; i++) {
      const sub = comps.slice(0, i).join('/');
      const host = path.join(this.root, sub);
      const kind = this.kindAt(host);
      if (kind) {
        if (kind !== 'dir') throw new UnsafeLayerError(`cannot create ${sub}: a parent is not a directory`);
        continue;
      }
      mkdirSync(fsPath(host), 0o755);
      this.made?.set(host, true);
      // containerd's mkparent: a parent missing here takes the lower layer's metadata.
      const lower = await this.opts.lowers?.lookup(sub);
      if (lower?.stat.isDirectory()) {
        this.setOwnerMode(host, lower.stat.uid, lower.stat.gid, lower.stat.mode & 0o7777, false);
        this.dirTimes.push({ host, mtime: lower.stat.mtimeMs / 1000 });
      } else if (this.opts.whiteouts === 'flatten') {
        // ADD's unpack into a root filesystem: Docker's MkdirAllAndChownNew(0755, root) — owned
        // 0:0, keeping the setgid bit a setgid parent gave it.
        if (this.privileged) lchownSync(fsPath(host), 0, 0);
        chmodSync(fsPath(host), 0o755 | (lstatSync(fsPath(host)).mode & 0o2000));
      } else {
        chmodSync(fsPath(host), 0o755);
      }
    }
  }

  private setOwnerMode(host: string, uid: number, gid: number, mode: number, isLink: boolean): void {
    if (this.privileged) lchownSync(fsPath(host), uid, gid);
    if (!isLink) chmodSync(fsPath(host), mode); // after chown: chown clears setuid/setgid
  }

  /** Removes what is at `host`, except a directory when `keepDir`: true when one was kept. */
  private removeExisting(host: string, keepDir: boolean): boolean {
    const kind = this.kindAt(host);
    if (!kind) return false;
    if (keepDir && kind === 'dir') return true;
    this.remove(host);
    return false;
  }

  private remove(host: string): void {
    this.made = undefined;
    rmSync(fsPath(host), { recursive: true, force: true });
    this.dropPendingUnder(host);
    this.parents.clear();
  }

  private dropPendingUnder(host: string): void {
    for (const key of this.pendingXattrs.keys()) {
      if (key === host || key.startsWith(host + path.sep)) this.pendingXattrs.delete(key);
    }
  }

  private async applyEntry(h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const rel = cleanEntryName(h.name);
    if (rel === '') return; // the root's own entry: its metadata belongs to the snapshot
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const dirRel = parentOf(rel);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      await this.applyWhiteout(dirRel, base);
      return;
    }
    const parent = await this.parentDir(rel);
    const host = path.join(parent, base);
    const keptDir = this.removeExisting(host, h.type === 'dir');
    this.written.add(this.relOf(host));

    switch (h.type) {
      case 'dir':
        if (!keptDir) mkdirSync(fsPath(host), 0o700);
        break;
      case 'file':
        await this.writeFile(host, h, body);
        break;
      case 'symlink':
        symlinkSync(fsPath(h.linkname), fsPath(host));
        break;
      case 'link':
        this.made?.set(host, false); // before the return below
        // The link's own header then applies to the shared inode, as in containerd's and
        // Docker's createTarFile (lchown, chmod, chtimes after link()), unless it is a symlink.
        if (this.hardlink(host, h.linkname)) return;
        break;
      case 'char':
      case 'block':
      case 'fifo':
        if (!this.privileged) {
          this.warn(`skipping device file ${rel}: creating device nodes needs root`);
          return;
        }
        // Permission bits only (as mknod -m takes them); setuid/setgid/sticky come with the chmod below.
        // Through the syscall helper (mknod(1) where it cannot run): no process per node.
        await makeNode(host, h.type === 'fifo' ? 'p' : h.type === 'char' ? 'c' : 'b', h.mode & 0o777, h.devmajor, h.devminor);
        break;
    }
    this.made?.set(host, h.type === 'dir');
    if (h.xattrs.size > 0) this.pendingXattrs.set(host, { rel: this.relOf(host), attrs: h.xattrs });
    if (h.type === 'file') return; // owner, mode and times went through its descriptor
    this.setOwnerMode(host, this.opts.owner?.uid ?? h.uid, this.opts.owner?.gid ?? h.gid, h.mode & 0o7777, h.type === 'symlink');
    if (h.type === 'dir') this.dirTimes.push({ host, mtime: h.mtime });
    else lutimesSync(fsPath(host), h.mtime, h.mtime);
  }

  private async writeFile(host: string, h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    // O_EXCL + O_NOFOLLOW: never write through something that appeared at this name.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const mode = h.mode & 0o7777;
    // Created with its final mode when the umask keeps all of it and no chown can clear a
    // setuid/setgid bit afterwards; fchmod otherwise (after fchown, which clears those bits).
    const exact = (mode & 0o7000) === 0 && (mode & processUmask()) === 0;
    const fd = openSync(fsPath(host), flags, exact ? mode : 0o600);
    try {
      for await (const chunk of body) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        this.bytes += chunk.length;
        await this.letIoRun();
      }
      if (this.privileged) fchownSync(fd, this.opts.owner?.uid ?? h.uid, this.opts.owner?.gid ?? h.gid);
      if (!exact) fchmodSync(fd, mode);
      futimesSync(fd, h.mtime, h.mtime);
    } finally {
      closeSync(fd);
    }
  }

  /** Links `host` to the entry `linkname`; true when the target is a symlink. */
  private hardlink(host: string, linkname: string): boolean {
    const targetRel = cleanEntryName(linkname);
    if (targetRel === '') throw new UnsafeLayerError(`hardlink to the root directory: ${linkname}`);
    const target = resolveParentInRootSync(this.root, targetRel);
    if (!isInside(this.root, target) || target === this.root) {
      throw new UnsafeLayerError(`hardlink target outside the destination: ${linkname}`);
    }
    const st = tryLstat(target);
    if (!st) throw new UnsafeLayerError(`hardlink target ${linkname} does not exist in the layer`);
    if (st.isDirectory()) throw new UnsafeLayerError(`hardlink target ${linkname} is a directory`);
    linkSync(fsPath(target), fsPath(host));
    return st.isSymbolicLink();
  }

  private async applyWhiteout(dirRel: string, base: string): Promise<void> {
    if (base === OPAQUE_WHITEOUT) {
      const dir = dirRel === '' ? this.root : resolveInRootSync(this.root, dirRel);
      if (!isInside(this.root, dir)) throw new UnsafeLayerError(`opaque whiteout outside the destination: ${dirRel}`);
      if (this.opts.whiteouts === 'overlay') {
        await this.mkdirAll(path.relative(this.root, dir));
        const attrs: Xattrs = new Map([['trusted.overlay.opaque', Buffer.from('y')]]);
        this.pendingXattrs.set(dir, { rel: path.relative(this.root, dir), attrs });
        this.opaqueDirs.add(path.relative(this.root, dir));
        return;
      }
      const st = tryLstat(dir);
      if (!st?.isDirectory()) return;
      for (const name of readdirNames(dir)) {
        const child = path.join(dir, name);
        if (!this.written.has(path.relative(this.root, child))) this.remove(child);
      }
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      this.warn(`ignoring unknown whiteout metadata ${dirRel}/${base}`);
      return;
    }
    const name = base.slice(WHITEOUT_PREFIX.length);
    const targetRel = cleanEntryName(dirRel ? `${dirRel}/${name}` : name);
    if (targetRel === '' || path.posix.basename(targetRel) !== name) {
      throw new UnsafeLayerError(`invalid whiteout name: ${base}`);
    }
    if (this.opts.whiteouts === 'flatten') {
      const target = resolveParentInRootSync(this.root, targetRel);
      if (!isInside(this.root, target) || target === this.root) throw new UnsafeLayerError(`whiteout outside the destination: ${targetRel}`);
      // OCI: a whiteout hides lower layers only, never what this same layer wrote.
      if (!this.written.has(path.relative(this.root, target))) this.remove(target);
      return;
    }
    // A 0:0 device is the one node Linux (5.8+) lets anyone create: no privilege check here.
    const parent = await this.parentDir(targetRel);
    const host = path.join(parent, name);
    if (this.written.has(path.relative(this.root, host))) return;
    this.removeExisting(host, false);
    await makeWhiteout(host);
    this.made?.set(host, false);
    this.written.add(path.relative(this.root, host));
  }

  private async finish(): Promise<void> {
    // Re-check that nothing replaced a parent with a symlink since (setfattr follows parents).
    const batch = new Map<string, Xattrs>();
    for (const [host, { rel, attrs }] of this.pendingXattrs) {
      if (resolveParentInRootSync(this.root, rel) === host) batch.set(host, attrs);
    }
    await writeXattrs(batch);
    // Directory times last (children changed them), deepest first.
    this.dirTimes.sort((a, b) => b.host.length - a.host.length);
    for (const { host, mtime } of this.dirTimes) {
      if (this.kindAt(host) === 'dir') utimesSync(fsPath(host), mtime, mtime);
    }
  }
}

/** Passes `source` through, feeding every byte to `hash`. */
async function* hashing(source: AsyncIterable<Uint8Array>, hash: Hash): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/** Applies one layer tar stream to `dest` (which must exist). */
export async function applyLayer(source: AsyncIterable<Uint8Array>, dest: string,
  opts: ApplyLayerOptions): Promise<ApplyLayerResult> {
  return new LayerApplier(dest, opts).apply(source);
}
