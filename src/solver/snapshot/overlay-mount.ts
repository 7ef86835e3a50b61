// Mounts overlayfs for a snapshot. The mount option string is limited to one page, so
// lower directories are reached through short numbered symlinks in the snapshot's own
// directory (l/0, l/1, ...) and the mount runs with that directory as its cwd, the way
// Docker's overlay2 driver does. The kernel allows at most 500 lower directories.
import { mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { mustRunTool, runTool } from '../layer/run-tool.js';

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
export function overlayOptions(lowerCount: number, upper?: string, work?: string, volatile = false): string {
  const lowers = Array.from({ length: lowerCount }, (_, i) => `l/${i}`).join(':');
  const rw = upper && work ? `,upperdir=${upper},workdir=${work}${volatile ? ',volatile' : ''}` : '';
  return `lowerdir=${lowers}${rw},index=off,redirect_dir=off,metacopy=off`;
}

/** Cleared when the kernel refuses `volatile` (before 5.10): then mounts go without it. */
let volatileSupported = true;

export async function mountOverlay(dirs: OverlayDirs): Promise<void> {
  if (dirs.lowers.length === 0) throw new OverlayMountError('overlay needs at least one lower directory');
  if (dirs.lowers.length > MAX_LOWERS) {
    throw new OverlayMountError(`${dirs.lowers.length} layers exceed overlayfs's limit of ${MAX_LOWERS} lower directories`);
  }
  await mkdir(path.join(dirs.base, 'l'), { recursive: true });
  await Promise.all(dirs.lowers.map((dir, i) => symlink(path.resolve(dir), path.join(dirs.base, 'l', String(i)))));
  const writable = dirs.upper !== undefined && dirs.work !== undefined;
  const mount = async (volatile: boolean) => {
    const options = overlayOptions(dirs.lowers.length, dirs.upper, dirs.work, volatile);
    if (options.length > MAX_OPTIONS) throw new OverlayMountError(`overlay mount options too long (${options.length} bytes)`);
    return runTool('mount', ['-t', 'overlay', 'overlay', '-o', options, dirs.target], { cwd: dirs.base, hint: 'util-linux mount' });
  };
  let res = await mount(writable && volatileSupported);
  if (res.code !== 0 && writable && volatileSupported) {
    const plain = await mount(false);
    if (plain.code === 0) volatileSupported = false;
    res = plain;
  }
  if (res.code !== 0) {
    throw new OverlayMountError(`mounting overlayfs on ${dirs.target} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
  }
}

export async function unmount(target: string): Promise<void> {
  const res = await runTool('umount', [target]);
  if (res.code === 0) return;
  // Busy (a straggling process): detach lazily so the directory can still be released.
  if (/busy/i.test(res.stderr)) {
    await mustRunTool('umount', ['-l', target]);
    return;
  }
  throw new Error(`umount ${target} failed: ${res.stderr.trim()}`);
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
