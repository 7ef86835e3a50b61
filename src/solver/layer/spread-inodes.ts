// ext4's Orlov allocator hint, FS_TOPDIR_FL (`chattr +T`), on the directory that holds the
// snapshots: each new snapshot directory then goes to a block group with many free inodes, not
// next to its parent. Why: on ext4 without a journal, allocating an inode skips, one buffer
// lookup each, every inode of the group freed in the last minutes (recently_deleted()), so
// after deletions near the root (old roots, builds' temp dirs, tests) each new file or symlink
// cost 20-700 us here (busybox's 268 symlinks: 6-200 ms; below a +T parent: ~2.5 ms).
// Only a placement hint: where it is not supported (tmpfs, other filesystems) nothing changes.
// Node has no ioctl: set by the syscall helper (already running when a build pulls), else by a
// perl child (~5 ms; every target machine has perl).
import { childProcess } from '../../lazy-builtins.js';
import { withSysHelper } from '../sys/sys-helper.js';

// The helper's op_topdir as a one-off script: exits 0 when the flag is (now) set.
const SET_TOPDIR = `open(my $fh, '<', $ARGV[0]) or exit 1; my $f = pack('l', 0);
ioctl($fh, 0x80086601, $f) or exit 1; my $v = unpack('l', $f); exit 0 if $v & 0x20000;
ioctl($fh, 0x40086602, pack('l', $v | 0x20000)) or exit 1;`;

/** Marks `dir` FS_TOPDIR_FL; false when that could not be done (never throws). */
export function markTopDir(dir: string): Promise<boolean> {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) return Promise.resolve(false);
  return withSysHelper((h) => h.markTopDir(dir).then(() => true), () => viaPerl(dir)).catch(() => false);
}

function viaPerl(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = childProcess().spawn('perl', ['-e', SET_TOPDIR, dir], { stdio: 'ignore' });
      child.on('error', () => resolve(false));
      child.on('close', (code) => resolve(code === 0));
    } catch {
      resolve(false);
    }
  });
}
