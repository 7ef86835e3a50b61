// A DestTree that writes an overlay upperdir directly, the lower layers read through a
// LowerView instead of a mount. Writes go where overlayfs would put them: before an entry is
// created or changed, the directories above it are copied up from the lowers (mode, owner,
// times; a copy-up leaves its parent's times as they were, as overlayfs restores them).
// Cases whose overlay result needs more than that throw NeedsMountError, and the caller
// redoes the whole operation on a mounted overlay:
//  - a copy-up of a non-directory (overlayfs copies data and metadata),
//  - a directory created where a lower entry was removed (overlayfs makes it opaque),
//  - a removal that nothing replaces (overlayfs leaves a whiteout device),
//  - copied-up directories carrying xattrs other than overlay's own (checked in finish()).
import type { Stats } from 'node:fs';
import { chmodSync, lstatSync, lutimesSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fsPath, readlinkName } from '../layer/byte-names.js';
import type { LowerEntry, LowerView } from '../layer/lower-view.js';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import type { Xattrs } from '../layer/xattrs.js';
import { NeedsMountError, type DestTree } from './dest-tree.js';
import { nanosToSeconds, setOwner } from './fs-meta.js';
import { resolveWith } from '../layer/resolve-with.js';
import { relativeInside } from '../layer/root-path.js';

export class UpperDest implements DestTree {
  readonly root: string;
  /** Paths whose lower entries were removed; nothing of the lowers shows at or below them. */
  private readonly replaced = new Set<string>();
  /** Directories created here where the lowers have nothing: nothing of theirs is below them. */
  private readonly fresh = new Set<string>();
  /** Lower directories copied up, whose xattrs finish() checks. */
  private readonly copiedUp: LowerEntry[] = [];
  private xattrsSet = false;

  /** `lowers` must be preloaded (LowerView.preload) for its synchronous lookups. */
  constructor(upperdir: string, private readonly lowers: LowerView) {
    this.root = path.resolve(upperdir);
  }

  /** True when extended attributes were set below root (the layer's xattrs need a dump). */
  get wroteXattrs(): boolean {
    return this.xattrsSet;
  }

  private relOf(host: string): string {
    const rel = relativeInside(this.root, host);
    if (rel === undefined) throw new Error(`${host} is outside ${this.root}`);
    return rel;
  }

  private host(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  /** True when the lowers cannot show anything at `rel` (removed, or below a fresh directory). */
  private lowersHidden(rel: string): boolean {
    for (let p = rel; p !== '';) {
      if (this.replaced.has(p) || this.fresh.has(p)) return true;
      const i = p.lastIndexOf('/');
      p = i < 0 ? '' : p.slice(0, i);
    }
    return false;
  }

  private lower(rel: string): LowerEntry | undefined {
    return this.lowersHidden(rel) ? undefined : this.lowers.lookupSync(rel);
  }

  private lstatRel(rel: string): Stats | undefined {
    return lstatIfExists(this.host(rel)) ?? this.lower(rel)?.stat;
  }

  lstat(host: string): Stats | undefined {
    return this.lstatRel(this.relOf(host));
  }

  resolve(p: string): string {
    return path.join(this.root, ...resolveWith(p, {
      lstat: (rel) => this.lstatRel(rel),
      readlink: (rel) => readlinkName(lstatIfExists(this.host(rel)) ? this.host(rel) : (this.lower(rel) as LowerEntry).hostPath),
    }));
  }

  /** Where the content of the regular file at `host` lives (upper or lower); undefined if none. */
  contentPath(host: string): string | undefined {
    const upper = lstatIfExists(host);
    if (upper) return upper.isFile() ? host : undefined;
    const entry = this.lower(this.relOf(host));
    return entry?.stat.isFile() ? entry.hostPath : undefined;
  }

  beforeCreate(host: string, isDir: boolean): void {
    const rel = this.relOf(host);
    const inUpper = lstatIfExists(host) !== undefined;
    if (this.replaced.has(rel)) {
      if (isDir) throw new NeedsMountError(`directory /${rel} replaces a removed entry (opaque)`);
    } else if (!inUpper && this.lower(rel)) {
      throw new NeedsMountError(`/${rel} exists in a lower layer`);
    } else if (isDir && !inUpper) {
      this.fresh.add(rel);
    }
    this.copyUpParents(rel);
  }

  beforeChange(host: string): void {
    const rel = this.relOf(host);
    if (lstatIfExists(host)) return;
    const entry = this.lower(rel);
    if (!entry) return; // the syscall that follows fails as it would on the mount
    if (!entry.stat.isDirectory()) throw new NeedsMountError(`copy-up of non-directory /${rel}`);
    this.copyUpParents(rel);
    this.copyUpChain([rel]);
  }

  remove(host: string): void {
    const rel = this.relOf(host);
    if (rel === '') throw new NeedsMountError('removing the root');
    if (this.lower(rel)) {
      this.copyUpParents(rel);
      this.replaced.add(rel);
    }
    rmSync(fsPath(host), { recursive: true, force: true });
  }

  beforeXattrs(): void {
    this.xattrsSet = true;
  }

  requireMounted(why: string): void {
    throw new NeedsMountError(why);
  }

  /** Copies up the missing directories above `rel` (all of them lower directories). */
  private copyUpParents(rel: string): void {
    const comps = rel.split('/');
    const missing: string[] = [];
    for (let i = 1; i < comps.length; i++) {
      const dir = comps.slice(0, i).join('/');
      const upper = lstatIfExists(this.host(dir));
      if (upper) {
        if (!upper.isDirectory()) return; // the create fails with ENOTDIR, as on the mount
        continue;
      }
      const entry = this.lower(dir);
      if (!entry) break; // the create fails with ENOENT, as on the mount
      if (!entry.stat.isDirectory()) throw new NeedsMountError(`/${dir} is not a directory in a lower layer`);
      missing.push(dir);
    }
    if (missing.length) this.copyUpChain(missing);
  }

  /**
   * Copies up `dirs` (each the parent of the next; the first one's parent already in the
   * upper), then sets times deepest first and restores the parent's, as overlayfs does.
   */
  private copyUpChain(dirs: string[]): void {
    const first = dirs[0] as string;
    const parent = this.host(path.posix.dirname(first) === '.' ? '' : path.posix.dirname(first));
    const parentSt = lstatSync(fsPath(parent), { bigint: true });
    const entries: LowerEntry[] = [];
    for (const dir of dirs) {
      const entry = this.lower(dir) as LowerEntry;
      const host = this.host(dir);
      mkdirSync(fsPath(host), 0o700);
      setOwner(host, { uid: entry.stat.uid, gid: entry.stat.gid });
      chmodSync(fsPath(host), entry.stat.mode & 0o7777);
      entries.push(entry);
      this.copiedUp.push(entry);
    }
    for (let i = dirs.length - 1; i >= 0; i--) {
      const st = lstatSync(fsPath((entries[i] as LowerEntry).hostPath), { bigint: true });
      lutimesSync(fsPath(this.host(dirs[i] as string)), nanosToSeconds(st.atimeNs), nanosToSeconds(st.mtimeNs));
    }
    lutimesSync(fsPath(parent), nanosToSeconds(parentSt.atimeNs), nanosToSeconds(parentSt.mtimeNs));
  }

  /**
   * Checks what only the end of the operation can tell: every removed lower entry was
   * replaced by a non-directory, and no copied-up directory had xattrs of its own.
   */
  async finish(lowerXattrs: (entry: LowerEntry) => Promise<Xattrs>): Promise<void> {
    for (const rel of this.replaced) {
      const st = lstatIfExists(this.host(rel));
      if (!st || st.isDirectory()) throw new NeedsMountError(`/${rel} was removed (whiteout)`);
    }
    for (const entry of this.copiedUp) {
      for (const name of (await lowerXattrs(entry)).keys()) {
        if (!name.startsWith('trusted.overlay.')) throw new NeedsMountError(`copied-up ${entry.hostPath} has xattr ${name}`);
      }
    }
  }
}
