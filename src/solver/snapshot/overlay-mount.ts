// Mounts overlayfs for a snapshot. The mount option string is limited to one page: lower
// directories are named directly while they fit (a short chain), else reached through short
// numbered symlinks in the snapshot's own directory (l/0, l/1, ...) with the mount run with
// that directory as its cwd, the way Docker's overlay2 driver does. The kernel allows at
// most 500 lower directories.
// Mounts and unmounts go through the syscall helper (no child process each); where it
// cannot run, through util-linux mount and umount.
import { mkdirSync, symlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runTool } from '../layer/run-tool.js';
import { MNT_DETACH, SysCallError, withSysHelper } from '../sys/sys-helper.js';

export const MAX_LOWERS = 500;
const MAX_OPTIONS = 4095;

export class OverlayMountError extends Error {}

export interface OverlayDirs {
  /** Directory holding upper/work/link dirs; the mount runs with it as cwd. */
  base: string;
  /** Lower layer directories, newest first (overlay's lowerdir order). */
  lowers: readonly string[];
  /** Relative to base; without them the mount is a read-only view of the lowers. */
  upper?: string;
  work?: string;
  target: string;
}

/**
 * redirect_dir and metacopy are forced off whatever the kernel's defaults: with them a
 * renamed directory or a chmod'ed file is recorded as a pointer into a lower layer, and the
 * upperdir alone would no longer describe the change.
 * `volatile` (Linux 5.10+, writable mounts only): without it every unmount syncs the whole
 * filesystem under <root> (tens to hundreds of ms on a busy disk, once per step). A step's
 * upperdir is either discarded or renamed into a snapshot, whose contents were never synced
 * by any other path either; a crash of this process loses nothing the kernel holds.
 */
export function overlayOptions(lowerdir: string, upper?: string, work?: string, volatile = false): string {
  const rw = upper && work ? `,upperdir=${upper},workdir=${work}${volatile ? ',volatile' : ''}` : '';
  return `lowerdir=${lowerdir}${rw},index=off,redirect_dir=off,metacopy=off`;
}

/** Room in the option string for what follows lowerdir= (relative upper and work dirs, flags). */
const DIRECT_LOWERS_MAX = MAX_OPTIONS - 256;

/**
 * The lowerdir value: the absolute directories when they fit and hold no character that
 * mount options separate or escape with; else links l/0, l/1, ... made in `base`. Direct
 * names spare a step the link creations and removals (ext4 metadata calls, ~50 us to ms
 * each when the disk is busy).
 */
function lowerdirValue(base: string, lowers: readonly string[]): string {
  const abs = lowers.map((d) => path.resolve(d));
  const direct = abs.join(':');
  if (direct.length <= DIRECT_LOWERS_MAX && !abs.some((d) => /[,:\\]/.test(d))) return direct;
  // Synchronous: a few metadata calls on the step's critical path, where each threadpool
  // round trip would cost more than the syscalls.
  mkdirSync(path.join(base, 'l'), { recursive: true });
  abs.forEach((dir, i) => symlinkSync(dir, path.join(base, 'l', String(i))));
  return abs.map((_, i) => `l/${i}`).join(':');
}

/** Cleared when the kernel refuses `volatile` (before 5.10): then mounts go without it. */
let volatileSupported = true;

export async function mountOverlay(dirs: OverlayDirs): Promise<void> {
  if (dirs.lowers.length === 0) throw new OverlayMountError('overlay needs at least one lower directory');
  if (dirs.lowers.length > MAX_LOWERS) {
    throw new OverlayMountError(`${dirs.lowers.length} layers exceed overlayfs's limit of ${MAX_LOWERS} lower directories`);
  }
  const lowerdir = lowerdirValue(dirs.base, dirs.lowers);
  const writable = dirs.upper !== undefined && dirs.work !== undefined;
  const mount = (volatile: boolean) => {
    const options = overlayOptions(lowerdir, dirs.upper, dirs.work, volatile);
    if (options.length > MAX_OPTIONS) throw new OverlayMountError(`overlay mount options too long (${options.length} bytes)`);
    // A relative target is taken from base, as when mount(8) ran there.
    const base = path.resolve(dirs.base);
    return mountFailure(base, options, path.resolve(base, dirs.target));
  };
  let failure = await mount(writable && volatileSupported);
  if (failure !== undefined && writable && volatileSupported) {
    failure = await mount(false);
    if (failure === undefined) volatileSupported = false;
  }
  if (failure !== undefined) throw new OverlayMountError(`mounting overlayfs on ${dirs.target} failed: ${failure}`);
}

/** Why mounting failed (strerror, or mount's message), or undefined when it worked. */
function mountFailure(base: string, options: string, target: string): Promise<string | undefined> {
  return withSysHelper(
    (h) => h.mount(base, 'overlay', target, 'overlay', 0, options).then(() => undefined, syscallMessage),
    async () => {
      const res = await runTool('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { cwd: base, hint: 'util-linux mount' });
      return res.code === 0 ? undefined : res.stderr.trim() || `exit ${res.code}`;
    });
}

/** A failed syscall's message; anything else (the helper died) is rethrown. */
function syscallMessage(err: unknown): string {
  if (err instanceof SysCallError) return err.message;
  throw err;
}

/** umount2(target, flags): undefined, or the failure and whether the mount was busy. */
function umountFailure(target: string, lazy: boolean): Promise<{ message: string; busy: boolean } | undefined> {
  return withSysHelper(
    (h) => h.umount(target, lazy ? MNT_DETACH : 0).then(() => undefined, (err: unknown) => ({
      message: syscallMessage(err), busy: (err as SysCallError).errno === constants.errno.EBUSY,
    })),
    async () => {
      const res = await runTool('umount', lazy ? ['-l', target] : [target]);
      return res.code === 0 ? undefined : { message: res.stderr.trim() || `exit ${res.code}`, busy: /busy/i.test(res.stderr) };
    });
}

export async function unmount(target: string): Promise<void> {
  const abs = path.resolve(target);
  const failure = await umountFailure(abs, false);
  if (failure === undefined) return;
  // Busy (a straggling process): detach lazily so the directory can still be released.
  if (failure.busy) {
    const lazy = await umountFailure(abs, true);
    if (lazy === undefined) return;
    throw new Error(`umount -l ${target} failed: ${lazy.message}`);
  }
  throw new Error(`umount ${target} failed: ${failure.message}`);
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = path.resolve(dir);
  const out: string[] = [];
  for (const line of info.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    const mp = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp === prefix || mp.startsWith(prefix + '/')) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}
