// BuildKit's mkdir, mkfile, rm and symlink file actions on a plain root directory. Paths are
// resolved inside the root (symlinks included); new entries get their mode under the daemon
// umask 022 as Go's os.Mkdir / os.WriteFile give them in BuildKit.
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FileActionMkdir, FileActionMkfile, FileActionRm, FileActionSymlink } from '../../llb/types.js';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import { isInside, resolveInRootSync } from '../layer/root-path.js';
import { errnoCode, FileOpError, pathError } from './errors.js';
import { chmodCreated, setFixedTime, setOwner, type Owner } from './fs-meta.js';
import { mkdirAllInRoot } from './mkdir-all.js';
import { resolveWildcards } from './wildcards.js';

function inRoot(root: string, p: string): string {
  const host = resolveInRootSync(path.resolve(root), p);
  if (!isInside(path.resolve(root), host)) throw new FileOpError(`${p} resolves outside the root`);
  return host;
}

function relOf(root: string, host: string): string {
  return path.relative(path.resolve(root), host);
}

function rethrowAsPathError(err: unknown, op: string, root: string, host: string): never {
  const code = errnoCode(err);
  if (code) throw pathError(op, relOf(root, host), code);
  throw err;
}

export async function mkdir(destRoot: string, action: FileActionMkdir, owner?: Owner): Promise<void> {
  const root = path.resolve(destRoot);
  const host = inRoot(root, action.path);
  const mode = action.mode & 0o777;
  if (action.makeParents) {
    mkdirAllInRoot(root, host, mode, owner, action.timestamp);
    return;
  }
  try {
    mkdirSync(host, mode);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return;
    rethrowAsPathError(err, 'mkdir', root, host);
  }
  chmodCreated(host, mode);
  if (owner) setOwner(host, owner);
  setFixedTime(host, action.timestamp);
}

export async function mkfile(destRoot: string, action: FileActionMkfile, owner?: Owner): Promise<void> {
  const root = path.resolve(destRoot);
  const host = inRoot(root, path.posix.join('/', action.path));
  const existed = lstatIfExists(host) !== undefined;
  let fd: number;
  try {
    fd = openSync(host, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, action.mode & 0o777);
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

function rmPath(root: string, p: string, allowNotFound: boolean): void {
  const clean = path.posix.normalize('/' + p);
  const base = path.posix.basename(clean);
  if (clean === '/' || base === '') throw new FileOpError('rmPath: invalid empty path');
  const host = path.join(inRoot(root, path.posix.dirname(clean)), base);
  if (!allowNotFound) {
    // Go's os.Stat follows a final symlink; here it is followed inside the root.
    const followed = resolveInRootSync(root, path.relative(root, host));
    if (!lstatIfExists(followed)) throw pathError('stat', relOf(root, host), 'ENOENT');
  }
  rmSync(host, { recursive: true, force: true });
}

export async function rm(destRoot: string, action: FileActionRm): Promise<void> {
  const root = path.resolve(destRoot);
  if (!action.allowWildcard) {
    rmPath(root, action.path, action.allowNotFound);
    return;
  }
  for (const match of resolveWildcards(root, action.path, false)) rmPath(root, match, action.allowNotFound);
}

export async function symlink(destRoot: string, action: FileActionSymlink, owner?: Owner): Promise<void> {
  const root = path.resolve(destRoot);
  const host = inRoot(root, path.posix.join('/', action.newpath));
  try {
    symlinkSync(action.oldpath, host);
  } catch (err) {
    rethrowAsPathError(err, 'symlink', root, host);
  }
  if (!lstatSync(host).isSymbolicLink()) throw new FileOpError(`symlink ${action.newpath}: not created`);
  if (owner) setOwner(host, owner);
  setFixedTime(host, action.timestamp);
}
