// BuildKit's mkdir, mkfile, rm and symlink file actions on a plain root directory. Paths are
// resolved inside the root (symlinks included); new entries get their mode under the daemon
// umask 022 as Go's os.Mkdir / os.WriteFile give them in BuildKit.
import { closeSync, constants, lstatSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FileActionMkdir, FileActionMkfile, FileActionRm, FileActionSymlink } from '../../llb/types.js';
import { fsPath } from '../layer/byte-names.js';
import { isInside } from '../layer/root-path.js';
import { asDestTree, type DestTree } from './dest-tree.js';
import { errnoCode, FileOpError, pathError } from './errors.js';
import { chmodCreated, setFixedTime, setOwner, type Owner } from './fs-meta.js';
import { mkdirAllInRoot } from './mkdir-all.js';
import { resolveWildcards } from './wildcards.js';

function inRoot(dest: DestTree, p: string): string {
  const host = dest.resolve(p);
  if (!isInside(dest.root, host)) throw new FileOpError(`${p} resolves outside the root`);
  return host;
}

function relOf(root: string, host: string): string {
  return path.relative(root, host);
}

function rethrowAsPathError(err: unknown, op: string, root: string, host: string): never {
  const code = errnoCode(err);
  if (code) throw pathError(op, relOf(root, host), code);
  throw err;
}

export async function mkdir(destRoot: string | DestTree, action: FileActionMkdir, owner?: Owner): Promise<void> {
  const dest = asDestTree(destRoot);
  const root = dest.root;
  const host = inRoot(dest, action.path);
  const mode = action.mode & 0o777;
  if (action.makeParents) {
    mkdirAllInRoot(dest, host, mode, owner, action.timestamp);
    return;
  }
  if (dest.lstat(host)) return; // EEXIST
  try {
    dest.beforeCreate(host, true);
    mkdirSync(fsPath(host), mode);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return;
    rethrowAsPathError(err, 'mkdir', root, host);
  }
  chmodCreated(host, mode);
  if (owner) setOwner(host, owner);
  setFixedTime(host, action.timestamp);
}

export async function mkfile(destRoot: string | DestTree, action: FileActionMkfile, owner?: Owner): Promise<void> {
  const dest = asDestTree(destRoot);
  const root = dest.root;
  const host = inRoot(dest, path.posix.join('/', action.path));
  const existed = dest.lstat(host) !== undefined;
  let fd: number;
  try {
    if (existed) dest.beforeChange(host);
    else dest.beforeCreate(host, false);
    fd = openSync(fsPath(host), constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, action.mode & 0o777);
  } catch (err) {
    rethrowAsPathError(err, 'open', root, host);
  }
  try {
    let off = 0;
    while (off < action.data.length) off += writeSync(fd, action.data, off, action.data.length - off);
  } finally {
    closeSync(fd);
  }
  // os.WriteFile only sets the mode of a file it creates.
  if (!existed) chmodCreated(host, action.mode & 0o777);
  if (owner) setOwner(host, owner);
  setFixedTime(host, action.timestamp);
}

function rmPath(dest: DestTree, p: string, allowNotFound: boolean): void {
  const root = dest.root;
  const clean = path.posix.normalize('/' + p);
  const base = path.posix.basename(clean);
  if (clean === '/' || base === '') throw new FileOpError('rmPath: invalid empty path');
  const host = path.join(inRoot(dest, path.posix.dirname(clean)), base);
  if (!allowNotFound) {
    // Go's os.Stat follows a final symlink; here it is followed inside the root.
    const followed = dest.resolve(path.relative(root, host));
    if (!dest.lstat(followed)) throw pathError('stat', relOf(root, host), 'ENOENT');
  }
  dest.remove(host);
}

export async function rm(destRoot: string | DestTree, action: FileActionRm): Promise<void> {
  const dest = asDestTree(destRoot);
  if (!action.allowWildcard) {
    rmPath(dest, action.path, action.allowNotFound);
    return;
  }
  dest.requireMounted('rm with wildcards reads the merged tree');
  for (const match of resolveWildcards(dest.root, action.path, false)) rmPath(dest, match, action.allowNotFound);
}

export async function symlink(destRoot: string | DestTree, action: FileActionSymlink, owner?: Owner): Promise<void> {
  const dest = asDestTree(destRoot);
  const root = dest.root;
  const host = inRoot(dest, path.posix.join('/', action.newpath));
  try {
    if (dest.lstat(host)) throw Object.assign(new Error('file exists'), { code: 'EEXIST' });
    dest.beforeCreate(host, false);
    symlinkSync(action.oldpath, fsPath(host));
  } catch (err) {
    rethrowAsPathError(err, 'symlink', root, host);
  }
  if (!lstatSync(fsPath(host)).isSymbolicLink()) throw new FileOpError(`symlink ${action.newpath}: not created`);
  if (owner) setOwner(host, owner);
  setFixedTime(host, action.timestamp);
}
