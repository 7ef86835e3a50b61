// Ownership and timestamps the way fsutil sets them: lchown (never through a symlink),
// times with AT_SYMLINK_NOFOLLOW. Node takes times as float seconds, so sub-microsecond
// precision is lost.
import { chmodSync, lchownSync, lstatSync, lutimesSync } from 'node:fs';
import { fsPath } from '../layer/byte-names.js';
import { errnoCode } from './errors.js';

export interface Owner { uid: number; gid: number }

const IS_ROOT = process.getuid?.() === 0;

/** lchown; without root privileges an EPERM is tolerated (the files keep our own ids). */
export function setOwner(host: string, owner: Owner): void {
  try {
    lchownSync(fsPath(host), owner.uid, owner.gid);
  } catch (err) {
    if (IS_ROOT || errnoCode(err) !== 'EPERM') throw err;
  }
}

/**
 * Seconds (float) from nanoseconds since the epoch. The fraction is kept below 1: a double
 * rounds 1600000000.999999999 up to the next second, which lutimes would then store.
 */
export function nanosToSeconds(ns: bigint): number {
  const whole = ns / 1_000_000_000n;
  return Number(whole) + Math.min(Number(ns - whole * 1_000_000_000n) / 1e9, 0.999999);
}

export function setTimes(host: string, atime: number, mtime: number): void {
  lutimesSync(fsPath(host), atime, mtime);
}

/** fsutil's Utimes: a no-op without a fixed timestamp. */
export function setFixedTime(host: string, timestamp: bigint | undefined): void {
  if (timestamp === undefined) return;
  const t = nanosToSeconds(timestamp);
  lutimesSync(fsPath(host), t, t);
}

/**
 * BuildKit's daemons run with umask 022, which Go's os.Mkdir / os.WriteFile apply to new
 * entries; ours may run under any umask, so the same mask is applied explicitly.
 */
export const DAEMON_UMASK = 0o022;

const S_ISGID = 0o2000;

/**
 * Gives a just-created entry the mode Go's os.Mkdir / os.OpenFile would have left: the
 * requested permission bits under the daemon umask. A directory keeps the setgid bit the
 * kernel gave it when its parent has one (os.Mkdir does not chmod afterwards), so MkdirAll
 * under a setgid directory makes setgid directories, as in BuildKit.
 */
export function chmodCreated(host: string, mode: number, exact = false): void {
  const st = lstatSync(fsPath(host));
  const inherited = st.isDirectory() ? st.mode & S_ISGID : 0;
  chmodSync(fsPath(host), (mode & 0o7777 & (exact ? 0o7777 : ~DAEMON_UMASK)) | inherited);
}
