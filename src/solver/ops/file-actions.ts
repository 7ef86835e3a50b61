// File actions (COPY/ADD/WORKDIR's mkdir, mkfile, rm, symlink) applied to a writable root
// directory, as BuildKit's file backend does them. Paths in the destination resolve inside
// it (symlinks never lead to the host). Thin stand-in for the file-op engineer's
// src/solver/fileop/ until it lands: no xattrs, no ADD tar auto-extraction, no symbolic
// --chmod beyond what the converter turns into an octal mode.
import {
  chmodSync, copyFileSync, existsSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync,
  readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, type Stats,
} from 'node:fs';
import path from 'node:path';
import type { ChownOpt, FileActionCopy, FileActionMkdir, FileActionMkfile, FileActionRm, FileActionSymlink, UserOpt } from '../../llb/types.js';
import { resolveUser } from '../executor/user.js';
import { resolveInRootSync, resolveParentInRootSync } from '../layer/root-path.js';
import { expandSelector } from '../cache/context-checksum.js';
import { PathMatcher } from '../cache/path-matcher.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** Where COPY reads from: a directory, with the context's excludes and forced owner. */
export interface CopySource {
  dir: string;
  excludePatterns: readonly string[];
  /** Local context files are transferred as 0:0 (fsutil), image files keep their owners. */
  owner?: Owner;
}

export class FileActionError extends Error {}

async function resolveUserOpt(root: string, u: UserOpt, group: boolean): Promise<{ uid: number; gid: number }> {
  if ('id' in u) return { uid: u.id, gid: u.id };
  if (group) {
    const r = await resolveUser(root, `0:${u.name}`);
    return { uid: r.gid, gid: r.gid };
  }
  const r = await resolveUser(root, u.name);
  return { uid: r.uid, gid: r.gid };
}

/** Resolves --chown in the destination root (names through its /etc/passwd and /etc/group). */
export async function resolveChown(root: string, opt: ChownOpt | undefined): Promise<Owner | undefined> {
  if (!opt || (!opt.user && !opt.group)) return undefined;
  let uid = 0;
  let gid = 0;
  if (opt.user) ({ uid, gid } = await resolveUserOpt(root, opt.user, false));
  if (opt.group) gid = (await resolveUserOpt(root, opt.group, true)).gid;
  return { uid, gid };
}

function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

/** mkdir -p inside root; new directories get `mode`, `owner` and `time`. */
function mkdirAll(root: string, rel: string, mode: number, owner: Owner | undefined, time: Date | undefined): string {
  const parts = rel.split('/').filter((s) => s && s !== '.');
  let cur = '';
  for (const p of parts) {
    cur = `${cur}/${p}`;
    const host = resolveInRootSync(root, cur);
    if (existsSync(host)) {
      if (!statSync(host).isDirectory()) throw new FileActionError(`mkdir ${cur}: not a directory`);
      continue;
    }
    mkdirSync(host, { mode });
    chmodSync(host, mode);
    if (owner) lchownSync(host, owner.uid, owner.gid);
    if (time) lutimesSync(host, time, time);
  }
  return resolveInRootSync(root, rel);
}

export async function applyMkdir(root: string, a: FileActionMkdir): Promise<void> {
  const owner = await resolveChown(root, a.owner);
  const time = a.timestamp !== undefined ? nsToDate(a.timestamp) : undefined;
  if (a.makeParents) {
    mkdirAll(root, a.path, a.mode, owner, time);
    return;
  }
  const host = resolveParentInRootSync(root, a.path);
  if (existsSync(host)) throw new FileActionError(`mkdir ${a.path}: file exists`);
  mkdirSync(host, { mode: a.mode });
  chmodSync(host, a.mode);
  if (owner) lchownSync(host, owner.uid, owner.gid);
  if (time) lutimesSync(host, time, time);
}

export async function applyMkfile(root: string, a: FileActionMkfile): Promise<void> {
  const owner = await resolveChown(root, a.owner);
  const host = resolveParentInRootSync(root, a.path);
  rmSync(host, { force: true });
  writeFileSync(host, a.data, { mode: a.mode });
  chmodSync(host, a.mode);
  if (owner) lchownSync(host, owner.uid, owner.gid);
  if (a.timestamp !== undefined) lutimesSync(host, nsToDate(a.timestamp), nsToDate(a.timestamp));
}

export async function applyRm(root: string, a: FileActionRm): Promise<void> {
  const rel = a.path.replace(/^\/+/, '');
  const matches = a.allowWildcard ? expandSelector(root, rel, true, () => false) : [rel];
  let found = false;
  for (const m of matches) {
    const host = resolveParentInRootSync(root, m);
    if (existsSync(host) || isLink(host)) found = true;
    rmSync(host, { recursive: true, force: true });
  }
  if (!found && !a.allowNotFound) throw new FileActionError(`rm ${a.path}: no such file or directory`);
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export async function applySymlink(root: string, a: FileActionSymlink): Promise<void> {
  const owner = await resolveChown(root, a.owner);
  const host = resolveParentInRootSync(root, a.newpath);
  symlinkSync(a.oldpath, host);
  if (owner) lchownSync(host, owner.uid, owner.gid);
  if (a.timestamp !== undefined) lutimesSync(host, nsToDate(a.timestamp), nsToDate(a.timestamp));
}

interface CopyState {
  owner: Owner | undefined;
  mode: number | undefined;
  time: Date | undefined;
  excludes: PathMatcher;
  actionExcludes: PathMatcher;
  links: Map<string, string>;
  replaceDirs: boolean;
}

export async function applyCopy(root: string, src: CopySource, a: FileActionCopy): Promise<void> {
  const chown = await resolveChown(root, a.owner);
  const st: CopyState = {
    owner: chown ?? src.owner,
    mode: a.mode,
    time: a.timestamp !== undefined ? nsToDate(a.timestamp) : undefined,
    excludes: new PathMatcher(src.excludePatterns),
    actionExcludes: new PathMatcher(a.excludePatterns),
    links: new Map(),
    replaceDirs: a.alwaysReplaceExistingDestPaths,
  };
  const sel = a.src.split('/').filter((s) => s && s !== '.').join('/');
  const matches = expandSelector(src.dir, sel, a.allowWildcard, (rel) => st.excludes.matches(rel))
    .filter((m) => m === '' || !st.excludes.matches(m) || st.excludes.hasExclusions);
  const existing = matches.filter((m) => existsSync(srcPath(src.dir, m, a.followSymlink)) || isLink(path.join(src.dir, m)));
  if (existing.length === 0) {
    if (a.allowEmptyWildcard && a.allowWildcard && /[*?[\\]/.test(sel)) return;
    throw new FileActionError(`failed to calculate checksum of ref: "/${sel}": not found`);
  }
  const destIsDir = a.dest.endsWith('/') || existing.length > 1;
  for (const m of existing) {
    const from = srcPath(src.dir, m, a.followSymlink);
    const fst = lstatSync(from);
    let target: string;
    if (fst.isDirectory() && a.dirCopyContents) {
      target = a.dest;
    } else {
      const destHost = resolveInRootSync(root, a.dest);
      const isDir = destIsDir || (existsSync(destHost) && statSync(destHost).isDirectory());
      target = isDir ? path.posix.join(a.dest, path.posix.basename(m || '.')) : a.dest;
    }
    const parent = path.posix.dirname(path.posix.normalize(`/${target}`));
    if (a.createDestPath) mkdirAll(root, parent, 0o755, chown, undefined);
    if (fst.isDirectory() && a.dirCopyContents) {
      const dir = mkdirAll(root, target, 0o755, chown, undefined);
      copyChildren(from, dir, m, '', st);
      applyMeta(dir, fst, st, true);
    } else {
      copyEntry(from, resolveParentInRootSync(root, target), m, '', st);
    }
  }
}

/** Host path of source `rel`: parents resolved inside the source dir, the last one only if following. */
function srcPath(dir: string, rel: string, follow: boolean): string {
  return follow ? resolveInRootSync(dir, rel) : resolveParentInRootSync(dir, rel);
}

function applyMeta(dst: string, s: Stats, st: CopyState, isDir: boolean): void {
  const uid = st.owner ? st.owner.uid : s.uid;
  const gid = st.owner ? st.owner.gid : s.gid;
  lchownSync(dst, uid, gid);
  if (!s.isSymbolicLink()) chmodSync(dst, st.mode !== undefined ? st.mode : s.mode & 0o7777);
  const t = st.time ?? s.mtime;
  lutimesSync(dst, isDir ? t : t, t);
}

function copyChildren(fromDir: string, toDir: string, ctxRel: string, inner: string, st: CopyState): void {
  for (const name of readdirSync(fromDir).sort()) {
    const rel = ctxRel ? `${ctxRel}/${name}` : name;
    const innerRel = inner ? `${inner}/${name}` : name;
    copyEntry(path.join(fromDir, name), path.join(toDir, name), rel, innerRel, st);
  }
}

function copyEntry(from: string, to: string, ctxRel: string, inner: string, st: CopyState): void {
  const s = lstatSync(from);
  const excluded = ctxRel !== '' && st.excludes.matches(ctxRel);
  if (inner && st.actionExcludes.matches(inner)) return;
  if (excluded && !(s.isDirectory() && st.excludes.hasExclusions)) return;
  const cur = lstatIf(to);
  if (s.isDirectory()) {
    if (cur && !cur.isDirectory()) rmSync(to, { force: true });
    if (cur?.isDirectory() && st.replaceDirs) rmSync(to, { recursive: true, force: true });
    if (!lstatIf(to)) mkdirSync(to);
    copyChildren(from, to, ctxRel, inner, st);
    if (!excluded) applyMeta(to, s, st, true);
    return;
  }
  if (cur) {
    if (cur.isDirectory()) rmSync(to, { recursive: true, force: true });
    else rmSync(to, { force: true });
  }
  if (s.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to);
  } else if (s.isFile()) {
    const key = `${s.dev}:${s.ino}`;
    const first = s.nlink > 1 ? st.links.get(key) : undefined;
    if (first) {
      linkSync(first, to);
      return;
    }
    copyFileSync(from, to);
    if (s.nlink > 1) st.links.set(key, to);
  } else {
    return; // devices, fifos and sockets are not copied (as the context transfer drops them)
  }
  applyMeta(to, s, st, false);
}

function lstatIf(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
