// Turns an overlay-format layer directory (an overlayfs upperdir, or one the copying
// snapshotter wrote the same way) into an OCI layer tar stream, the way BuildKit's overlay
// differ + containerd's ChangeWriter do: whiteout devices become .wh. entries, opaque
// directories get .wh..wh..opq, copied-up but unchanged entries are left out, parents of
// changed entries are included, hardlinks stay hardlinks. Deterministic: sorted walk,
// numeric owners, no atime/ctime, whiteout times fixed.
// Metadata and reads are synchronous: per-call threadpool round trips dominate otherwise.
import { closeSync, lstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fsPath, readdirNames, readlinkName } from './byte-names.js';
import { compareNames } from '../../context/go-strings.js';
import { LowerView, OPAQUE_XATTRS, isWhiteout } from './lower-view.js';
import { END_OF_ARCHIVE, emptyHeader, encodeHeader, padding, type TarHeader } from './tar-header.js';
import { sameDirent } from './same-dirent.js';
import { readTreeXattrs, type Xattrs } from './xattrs.js';

export const WHITEOUT_PREFIX = '.wh.';
/** Overlay features that make an upper entry point into a lower layer (mounts turn them off). */
const POINTER_XATTRS = ['trusted.overlay.redirect', 'trusted.overlay.metacopy', 'user.overlay.redirect', 'user.overlay.metacopy'];
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface WriteLayerOptions {
  /** The layer directory to describe (overlay format). */
  upperdir: string;
  /** Lower layer directories, newest first; or a prepared view of them. */
  lowers: readonly string[] | LowerView;
  /** Clamp mtimes to this many seconds since the epoch (SOURCE_DATE_EPOCH); also the whiteout time. */
  epoch?: number;
  /** The upperdir's xattr dump when already known (recorded at commit): saves a getfattr run. */
  knownXattrs?: () => Promise<Map<string, Xattrs> | undefined>;
  /**
   * Which xattrs the entries carry: 'all' (the default; a rootfs tar), or 'capability', only
   * security.capability, as BuildKit's layers (containerd's ChangeWriter writes no other).
   */
  xattrs?: 'all' | 'capability';
}

function lstatBig(p: string): BigIntStats {
  return lstatSync(fsPath(p), { bigint: true });
}

const READ_CHUNK = 256 * 1024;

/** Exactly `size` bytes of a file, in chunks; fails if the file is shorter. */
function* fileChunks(file: string, size: number, rel: string): Generator<Buffer> {
  const fd = openSync(fsPath(file), 'r');
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) throw new Error(`${rel} changed while writing the layer (expected ${size} bytes, got ${size - left})`);
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

const CAPABILITY = 'security.capability';

function keptXattrs(all: Xattrs | undefined, onlyCapability: boolean): Xattrs {
  const out: Xattrs = new Map();
  if (!all) return out;
  if (onlyCapability) {
    const caps = all.get(CAPABILITY);
    if (caps) out.set(CAPABILITY, caps);
    return out;
  }
  for (const name of [...all.keys()].sort()) {
    if (!isOverlayXattr(name)) out.set(name, all.get(name) as Buffer);
  }
  return out;
}

function isOpaque(all: Xattrs | undefined): boolean {
  return OPAQUE_XATTRS.some((k) => all?.get(k)?.toString() === 'y');
}

export function devNumbers(rdev: bigint): { major: number; minor: number } {
  // glibc's gnu_dev_major/minor
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

class LayerTarWriter {
  private readonly emittedDirs = new Set<string>();
  private readonly linkSources = new Map<string, string>();
  private xattrs = new Map<string, Xattrs>();
  private readonly lower: LowerView;

  constructor(private readonly opts: WriteLayerOptions) {
    this.lower = opts.lowers instanceof LowerView ? opts.lowers : new LowerView(opts.lowers);
  }

  private kept(attrs: Xattrs | undefined): Xattrs {
    return keptXattrs(attrs, this.opts.xattrs === 'capability');
  }

  private clampTime(seconds: number): number {
    const { epoch } = this.opts;
    return epoch !== undefined && seconds > epoch ? epoch : seconds;
  }

  private host(rel: string): string {
    return path.join(this.opts.upperdir, rel);
  }

  async *generate(): AsyncGenerator<Buffer> {
    this.xattrs = (await this.opts.knownXattrs?.()) ?? await readTreeXattrs(this.opts.upperdir);
    yield* this.walk('', false);
    yield END_OF_ARCHIVE;
  }

  private async *walk(relDir: string, underOpaque: boolean): AsyncGenerator<Buffer> {
    const names = readdirNames(this.host(relDir)).sort(compareNames);
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const hostPath = this.host(rel);
      const st = lstatBig(hostPath);
      if (st.isSocket()) continue; // sockets never go into layers
      const attrs = this.xattrs.get(hostPath);
      for (const name of POINTER_XATTRS) {
        if (attrs?.has(name)) throw new Error(`${rel} carries ${name}: overlay redirect/metacopy upperdirs cannot be diffed`);
      }
      if (isWhiteout(st)) {
        // A whiteout only matters when something below it exists.
        if (!underOpaque && (await this.lower.lookup(rel))) yield* this.whiteout(relDir, WHITEOUT_PREFIX + name);
        continue;
      }
      const base = underOpaque ? undefined : await this.lower.lookup(rel);
      const kept = this.kept(attrs);
      const opaque = st.isDirectory() && !underOpaque && base !== undefined && isOpaque(attrs);
      let record = true;
      if (base && !opaque) {
        const baseBig = lstatBig(base.hostPath);
        record = !(await sameDirent(baseBig, base.hostPath, st, hostPath, attrs?.get(CAPABILITY) ?? null));
      }
      if (record) yield* this.entry(rel, hostPath, st, kept);
      if (st.isDirectory()) {
        if (opaque) yield* this.whiteout(rel, OPAQUE_WHITEOUT);
        yield* this.walk(rel, underOpaque || opaque);
      }
    }
  }

  /** Headers for ancestors of `rel` not yet written (containerd's includeParents). */
  private async *parents(rel: string): AsyncGenerator<Buffer> {
    const comps = rel.split('/');
    for (let i = 1; i < comps.length; i++) {
      const dir = comps.slice(0, i).join('/');
      if (this.emittedDirs.has(dir)) continue;
      const hostPath = this.host(dir);
      yield* this.entry(dir, hostPath, lstatBig(hostPath), this.kept(this.xattrs.get(hostPath)));
    }
  }

  private async *whiteout(relDir: string, name: string): AsyncGenerator<Buffer> {
    const rel = relDir ? `${relDir}/${name}` : name;
    yield* this.parents(rel);
    const h = emptyHeader(rel, 'file');
    h.mtime = this.opts.epoch ?? 0;
    yield encodeHeader(h);
  }

  private async *entry(rel: string, hostPath: string, st: BigIntStats, xattrs: Xattrs): AsyncGenerator<Buffer> {
    yield* this.parents(rel);
    const h: TarHeader = emptyHeader(rel, 'file');
    h.mode = Number(st.mode & 0o7777n);
    h.uid = Number(st.uid);
    h.gid = Number(st.gid);
    h.mtime = this.clampTime(Number(st.mtimeNs / 1_000_000_000n));
    h.xattrs = xattrs;
    if (st.isDirectory()) {
      h.type = 'dir';
      h.name = `${rel}/`;
      this.emittedDirs.add(rel);
    } else if (st.isSymbolicLink()) {
      h.type = 'symlink';
      h.linkname = readlinkName(hostPath);
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      h.type = st.isCharacterDevice() ? 'char' : 'block';
      const { major, minor } = devNumbers(st.rdev);
      h.devmajor = major;
      h.devminor = minor;
    } else if (st.isFIFO()) {
      h.type = 'fifo';
    } else {
      h.size = Number(st.size);
    }
    if (!st.isDirectory() && st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const source = this.linkSources.get(key);
      if (source !== undefined) {
        h.type = 'link';
        h.linkname = source;
        h.size = 0;
      } else {
        this.linkSources.set(key, rel);
      }
    }
    yield encodeHeader(h);
    if (h.type === 'file' && h.size > 0) {
      yield* fileChunks(hostPath, h.size, rel);
      const pad = padding(h.size);
      if (pad) yield Buffer.alloc(pad);
    }
  }
}

/** The layer tar of `upperdir` over `lowers`, as a stream (nothing is buffered whole). */
export function writeLayerTar(opts: WriteLayerOptions): Readable {
  return Readable.from(new LayerTarWriter(opts).generate(), { objectMode: false });
}
