// fsutil's copier (`cp -a` semantics) for one source path: directories merge into existing
// ones, files replace files and symlinks, hardlinks inside the copied set stay hardlinks,
// owner/mode/times/xattrs follow the source unless overridden. Include/exclude patterns
// (relative to the source) select entries; parents of an included entry are created
// lazily with the source directory's metadata (COPY --parents).
// Only the destination's own entries are ever written: every target is a child of a
// directory this copier created or verified with lstat, and files are opened O_NOFOLLOW.
import { execFileSync } from 'node:child_process';
import {
  chmodSync, closeSync, constants, copyFileSync, linkSync, mkdirSync, openSync, readSync, renameSync, symlinkSync, writeSync,
  type BigIntStats,
} from 'node:fs';
import path from 'node:path';
import { EMPTY_MATCH_INFO, type MatchInfo, type PatternMatcher } from '../../context/pattern-matcher.js';
import { fsPath, hasEscapes } from '../layer/byte-names.js';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import { writeXattrs, XattrToolError, type Xattrs } from '../layer/xattrs.js';
import type { DestTree } from './dest-tree.js';
import { FileOpError, throwIfAborted } from './errors.js';
import { nanosToSeconds, setFixedTime, setOwner, setTimes, type Owner } from './fs-meta.js';
import { selectionOf, type SourceFilter } from './source-filter.js';
import type { SourceTree } from './source-tree.js';

export interface CopierOptions {
  source: SourceTree;
  dest: DestTree;
  owner?: Owner;
  timestamp?: bigint;
  /** Replaces the permission and special bits (--chmod=0755). */
  mode?: number;
  /** Symbolic --chmod, applied per entry. */
  modeFn?: (mode: number, isDir: boolean) => number;
  include?: PatternMatcher;
  exclude?: PatternMatcher;
  alwaysReplace: boolean;
  filter?: SourceFilter;
  signal?: AbortSignal;
}

interface ParentDir { src: string; dst: string; copied: boolean }

const S_IFMT = 0o170000n;
const S_IFSOCK = 0o140000n;

// Small files are copied with plain read/write on the open descriptors: two syscalls
// instead of copy_file_range's extra opens and stats, which dominate for typical sources.
const SMALL_FILE = 256 * 1024;
const buffer = Buffer.allocUnsafe(SMALL_FILE);

function copySmall(sfd: number, tfd: number): void {
  for (;;) {
    const n = readSync(sfd, buffer, 0, buffer.length, null);
    if (n === 0) return;
    let off = 0;
    while (off < n) off += writeSync(tfd, buffer, off, n - off);
  }
}

/**
 * Device nodes and fifos through mknod(1), synchronously to keep the walk's order. fsutil's
 * copyDevice passes the source's st_mode without S_IFSOCK's bits to mknod(2), so a block
 * device (S_IFBLK shares a bit with S_IFSOCK) comes out a character device with the same
 * numbers; sockets, left with no type, become empty regular files (see Copier.copy).
 * mknod(1) takes its path as text, so a name that is not valid UTF-8 (byte-names.ts) is made
 * under a plain temporary name in `scratchDir` (on the same filesystem) and renamed.
 */
function makeNode(target: string, st: BigIntStats, scratchDir: string): void {
  const rdev = Number(st.rdev);
  const major = (rdev >> 8) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  const kind = st.isFIFO() ? ['p'] : ['c', String(major), String(minor)];
  const escaped = hasEscapes(target);
  const at = escaped ? path.join(scratchDir, `.slipway-node-${process.pid}-${nodeCount++}`) : target;
  try {
    execFileSync('mknod', [at, ...kind], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new FileOpError(`failed to create device ${path.basename(target)}: ${stderr || (err as Error).message}`);
  }
  if (escaped) renameSync(at, fsPath(target));
}

let nodeCount = 0;

export class Copier {
  private readonly inodes = new Map<string, string>();
  private readonly parentDirs: ParentDir[] = [];
  private srcXattrs = new Map<string, Xattrs>();
  private readonly pendingXattrs = new Map<string, Xattrs>();

  constructor(private readonly opts: CopierOptions) {}

  /** Copies `src` (a path inside the source root) to `target` (a host path inside the destination). */
  async copyTop(src: string, target: string): Promise<void> {
    this.srcXattrs = await this.opts.source.treeXattrs(src);
    this.copy(src, '', target, false, EMPTY_MATCH_INFO, EMPTY_MATCH_INFO, true);
    if (this.pendingXattrs.size === 0) return;
    this.opts.dest.beforeXattrs();
    try {
      await writeXattrs(this.pendingXattrs);
    } catch (err) {
      // BuildKit logs xattr failures and goes on (e.g. user.* on a filesystem without them).
      if (!(err instanceof XattrToolError)) throw err;
    }
  }

  private rel(root: string, host: string): string {
    return '/' + path.relative(root, host).split(path.sep).join('/');
  }

  /**
   * `parentInc`/`parentExc`: the parent's pattern results (fsutil's MatchesUsingParentResults);
   * `selected`: false for a context directory entered only for what it holds.
   */
  private copy(src: string, comps: string, target: string, overwriteMeta: boolean,
    parentInc: MatchInfo, parentExc: MatchInfo, selected: boolean): void {
    throwIfAborted(this.opts.signal);
    const st = this.opts.source.lstat(src);
    let include = selected;
    let incInfo = EMPTY_MATCH_INFO;
    let excInfo = EMPTY_MATCH_INFO;
    if (comps !== '') {
      if (this.opts.include) {
        const r = this.opts.include.matchesUsingParentResults(comps, parentInc);
        if (!r.matched) include = false;
        incInfo = r.info;
      }
      if (this.opts.exclude) {
        const r = this.opts.exclude.matchesUsingParentResults(comps, parentExc);
        if (r.matched) include = false;
        excInfo = r.info;
      }
    }
    if (!st) {
      if (!include) return;
      throw new FileOpError(`failed to stat source path ${this.rel(this.opts.source.root, src)}`, 'ENOENT');
    }
    const dest = this.opts.dest;
    const targetSt = dest.lstat(target);
    if (include) {
      if (this.opts.alwaysReplace && targetSt && !(st.isDirectory() && targetSt.isDirectory())) dest.remove(target);
      this.createParentDirs(overwriteMeta);
    }
    if (!st.isDirectory()) {
      if (!include) return;
      this.ensureEmptyFileTarget(target);
    }

    let copyInfo = include;
    let restoreTime = false;
    if (st.isDirectory()) {
      const created = this.copyDirectory(src, comps, target, st, overwriteMeta, include, incInfo, excInfo);
      if (!overwriteMeta) {
        copyInfo = created;
        restoreTime = !created;
      }
    } else if (st.isFile()) {
      const link = this.linkSource(st, target);
      dest.beforeCreate(target, false);
      if (link !== undefined) linkSync(fsPath(link), fsPath(target));
      else this.copyFile(src, target, st.size);
    } else if (st.isSymbolicLink()) {
      dest.beforeCreate(target, false);
      symlinkSync(fsPath(this.opts.source.readlink(src)), fsPath(target));
    } else if ((st.mode & S_IFMT) === S_IFSOCK) {
      // fsutil: "socket copied as stub", an empty regular file with the socket's metadata.
      dest.beforeCreate(target, false);
      closeSync(openSync(fsPath(target), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
    } else {
      dest.beforeCreate(target, false);
      makeNode(target, st, dest.root);
    }
    if (copyInfo) {
      this.copyFileInfo(st, src, target);
    } else if (restoreTime && targetSt) {
      dest.beforeChange(target);
      this.copyTimes(st, target);
    }
  }

  private ensureEmptyFileTarget(target: string): void {
    const st = this.opts.dest.lstat(target);
    if (!st) return;
    if (st.isDirectory()) {
      throw new FileOpError(`cannot replace to directory ${this.rel(this.opts.dest.root, target)} with file`, 'EISDIR');
    }
    this.opts.dest.remove(target);
  }

  private createParentDirs(overwriteMeta: boolean): void {
    for (const parent of this.parentDirs) {
      if (parent.copied) continue;
      // Only directories the walk entered are parents: lstat equals stat here.
      const st = this.opts.source.lstatStrict(parent.src);
      if (!st.isDirectory()) throw new FileOpError(`${this.rel(this.opts.source.root, parent.src)} is not a directory`, 'ENOTDIR');
      if (this.copyDirectoryOnly(parent.dst, st, overwriteMeta)) this.copyFileInfo(st, parent.src, parent.dst);
      parent.copied = true;
    }
  }

  private copyDirectory(src: string, comps: string, dst: string, st: BigIntStats, overwriteMeta: boolean,
    include: boolean, incInfo: MatchInfo, excInfo: MatchInfo): boolean {
    const parent: ParentDir = { src, dst, copied: false };
    let created = false;
    // Not included itself: wait until something inside is (patterns like a/*/c).
    if (include) {
      created = this.copyDirectoryOnly(dst, st, overwriteMeta);
      parent.copied = true;
    }
    this.parentDirs.push(parent);
    try {
      for (const name of this.opts.source.readdir(src).sort()) {
        const childSrc = path.join(src, name);
        const selection = this.selection(childSrc);
        if (selection === 'absent') continue;
        this.copy(childSrc, comps === '' ? name : `${comps}/${name}`, path.join(dst, name), true, incInfo, excInfo,
          selection === 'selected');
      }
    } finally {
      this.parentDirs.pop();
    }
    return created;
  }

  private selection(host: string): ReturnType<typeof selectionOf> {
    if (!this.opts.filter) return 'selected';
    const rel = path.relative(this.opts.source.root, host).split(path.sep).join('/');
    return selectionOf(this.opts.filter, rel, lstatIfExists(host)?.isDirectory() ?? false);
  }

  private copyDirectoryOnly(dst: string, st: BigIntStats, overwriteMeta: boolean): boolean {
    const dest = this.opts.dest;
    const existing = dest.lstat(dst);
    if (!existing) {
      dest.beforeCreate(dst, true);
      mkdirSync(fsPath(dst), Number(st.mode & 0o7777n));
      return true;
    }
    if (!existing.isDirectory()) {
      throw new FileOpError(`cannot copy to non-directory: ${this.rel(dest.root, dst)}`, 'ENOTDIR');
    }
    if (overwriteMeta) {
      dest.beforeChange(dst);
      chmodSync(fsPath(dst), Number(st.mode & 0o7777n));
    }
    return false;
  }

  /** fsutil's getLinkSource: the first copy of a multiply-linked inode. */
  private linkSource(st: BigIntStats, target: string): string | undefined {
    if (st.nlink <= 1n) return undefined;
    const key = `${st.dev}:${st.ino}`;
    const first = this.inodes.get(key);
    if (first !== undefined) return first;
    this.inodes.set(key, target);
    return undefined;
  }

  private copyFile(src: string, target: string, size: bigint): void {
    const sfd = openSync(fsPath(this.opts.source.contentPath(src)), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const tfd = openSync(fsPath(target), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        if (size <= BigInt(SMALL_FILE)) copySmall(sfd, tfd);
        // Through the open descriptors: copy_file_range without re-resolving either path.
        else copyFileSync(`/proc/self/fd/${sfd}`, `/proc/self/fd/${tfd}`);
      } finally {
        closeSync(tfd);
      }
    } finally {
      closeSync(sfd);
    }
  }

  private copyFileInfo(st: BigIntStats, src: string, target: string): void {
    this.opts.dest.beforeChange(target);
    setOwner(target, this.opts.owner ?? { uid: Number(st.uid), gid: Number(st.gid) });
    if (!st.isSymbolicLink()) {
      let mode = Number(st.mode & 0o7777n);
      if (this.opts.modeFn) mode = this.opts.modeFn(mode, st.isDirectory());
      else if (this.opts.mode !== undefined) mode = this.opts.mode & 0o7777;
      chmodSync(fsPath(target), mode); // after chown, which clears setuid/setgid
    }
    this.copyTimes(st, target);
    const attrs = this.srcXattrs.get(path.resolve(src));
    if (attrs && attrs.size > 0) this.pendingXattrs.set(target, attrs);
  }

  private copyTimes(st: BigIntStats, target: string): void {
    if (this.opts.timestamp !== undefined) {
      setFixedTime(target, this.opts.timestamp);
      return;
    }
    setTimes(target, nanosToSeconds(st.atimeNs), nanosToSeconds(st.mtimeNs));
  }
}
