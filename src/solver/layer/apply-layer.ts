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
// threadpool round trip per lstat/chown/chmod costs several times the syscall itself.
import {
  chmodSync, closeSync, constants, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync,
  rmSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import { decompressedStream } from './decompress.js';
import type { LowerView } from './lower-view.js';
import { mustRunTool } from './run-tool.js';
import { lstatIfExists as tryLstat } from './lstat-if-exists.js';
import { isInside, resolveInRootSync, resolveParentInRootSync } from './root-path.js';
import type { TarHeader } from './tar-header.js';
import { readTar } from './tar-reader.js';
import { writeXattrs, type Xattrs } from './xattrs.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './write-layer.js';

export type WhiteoutMode = 'flatten' | 'overlay';

export interface ApplyLayerOptions {
  whiteouts: WhiteoutMode;
  /** overlay mode: older layers (newest first), so parents created here copy their metadata. */
  lowers?: LowerView;
  /** Called for entries that are skipped (device files when not root, unknown .wh..wh. names). */
  onWarning?: (message: string) => void;
  /** Defaults to "running as uid 0". */
  privileged?: boolean;
}

export interface ApplyLayerResult {
  entries: number;
  bytes: number;
  /** overlay mode: root-relative directories marked opaque. */
  opaqueDirs: string[];
}

export class UnsafeLayerError extends Error {}


/** Cleans a tar entry name to a root-relative path; '' is the root itself. */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw new UnsafeLayerError(`refusing absolute path in layer: ${name}`);
  const clean = path.posix.normalize(name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw new UnsafeLayerError(`refusing path outside the destination: ${name}`);
  return clean === '.' ? '' : clean;
}

class LayerApplier {
  private readonly root: string;
  private readonly written = new Set<string>();
  private readonly pendingXattrs = new Map<string, { rel: string; attrs: Xattrs }>();
  private readonly dirTimes: Array<{ host: string; mtime: number }> = [];
  private readonly privileged: boolean;
  /** Resolved parent directories; dropped whenever something is removed or replaced. */
  private readonly parents = new Map<string, string>();
  private readonly opaqueDirs = new Set<string>();
  private entries = 0;
  private bytes = 0;

  constructor(root: string, private readonly opts: ApplyLayerOptions) {
    this.root = path.resolve(root);
    this.privileged = opts.privileged ?? process.getuid?.() === 0;
  }

  async apply(source: AsyncIterable<Uint8Array>): Promise<ApplyLayerResult> {
    for await (const entry of readTar(await decompressedStream(source))) {
      this.entries++;
      await this.applyEntry(entry.header, entry.body);
    }
    await this.finish();
    return { entries: this.entries, bytes: this.bytes, opaqueDirs: [...this.opaqueDirs] };
  }

  private warn(message: string): void {
    this.opts.onWarning?.(message);
  }

  /** Ensures the parent directory of `rel` exists inside the root; returns its host path. */
  private async parentDir(rel: string): Promise<string> {
    const parentRel = path.posix.dirname(rel);
    if (parentRel === '.') return this.root;
    const cached = this.parents.get(parentRel);
    if (cached) return cached;
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
      const st = tryLstat(host);
      if (st) {
        if (!st.isDirectory()) throw new UnsafeLayerError(`cannot create ${sub}: a parent is not a directory`);
        continue;
      }
      mkdirSync(host, 0o755);
      // containerd's mkparent: a parent missing here takes the lower layer's metadata.
      const lower = await this.opts.lowers?.lookup(sub);
      if (lower?.stat.isDirectory()) {
        this.setOwnerMode(host, lower.stat.uid, lower.stat.gid, lower.stat.mode & 0o7777, false);
        this.dirTimes.push({ host, mtime: lower.stat.mtimeMs / 1000 });
      } else {
        chmodSync(host, 0o755);
      }
    }
  }

  private setOwnerMode(host: string, uid: number, gid: number, mode: number, isLink: boolean): void {
    if (this.privileged) lchownSync(host, uid, gid);
    if (!isLink) chmodSync(host, mode); // after chown: chown clears setuid/setgid
  }

  private removeExisting(host: string, keepDir: boolean): void {
    const st = tryLstat(host);
    if (!st) return;
    if (keepDir && st.isDirectory()) return;
    this.remove(host);
  }

  private remove(host: string): void {
    rmSync(host, { recursive: true, force: true });
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
    const base = path.posix.basename(rel);
    const dirRel = path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      await this.applyWhiteout(dirRel, base);
      return;
    }
    const parent = await this.parentDir(rel);
    const host = path.join(parent, base);
    this.removeExisting(host, h.type === 'dir');
    this.written.add(path.relative(this.root, host));

    switch (h.type) {
      case 'dir':
        if (!tryLstat(host)) mkdirSync(host, 0o700);
        break;
      case 'file':
        await this.writeFile(host, body);
        break;
      case 'symlink':
        symlinkSync(h.linkname, host);
        break;
      case 'link':
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
        await mustRunTool('mknod', ['-m', (h.mode & 0o7777).toString(8), host,
          ...(h.type === 'fifo' ? ['p'] : [h.type === 'char' ? 'c' : 'b', String(h.devmajor), String(h.devminor)])]);
        break;
    }
    this.setOwnerMode(host, h.uid, h.gid, h.mode & 0o7777, h.type === 'symlink');
    if (h.xattrs.size > 0) this.pendingXattrs.set(host, { rel: path.relative(this.root, host), attrs: h.xattrs });
    if (h.type === 'dir') this.dirTimes.push({ host, mtime: h.mtime });
    else lutimesSync(host, h.mtime, h.mtime);
  }

  private async writeFile(host: string, body: AsyncIterable<Buffer>): Promise<void> {
    // O_EXCL + O_NOFOLLOW: never write through something that appeared at this name.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fd = openSync(host, flags, 0o600);
    try {
      for await (const chunk of body) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        this.bytes += chunk.length;
      }
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
    linkSync(target, host);
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
      for (const name of readdirSync(dir)) {
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
    await mustRunTool('mknod', ['-m', '0', host, 'c', '0', '0']);
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
      if (tryLstat(host)?.isDirectory()) utimesSync(host, mtime, mtime);
    }
  }
}

/** Applies one layer tar stream to `dest` (which must exist). */
export async function applyLayer(source: AsyncIterable<Uint8Array>, dest: string,
  opts: ApplyLayerOptions): Promise<ApplyLayerResult> {
  return new LayerApplier(dest, opts).apply(source);
}
