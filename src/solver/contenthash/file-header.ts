// The per-entry header BuildKit hashes before a file's bytes (tarsum v1 selection of tar
// header fields): name left empty, no mtime, xattrs appended sorted. Hashing this header
// and then the content gives an entry's digest, so mode, owner, link target, device
// numbers and xattrs all count while timestamps never do.
import type { BigIntStats } from 'node:fs';
import { compareNames } from '../../context/go-strings.js';

export type Xattrs = Map<string, Buffer>;

const S_IFMT = 0o170000n;
const TYPEFLAGS: Record<string, string> = {
  [String(0o040000)]: '5', // directory
  [String(0o120000)]: '2', // symlink
  [String(0o020000)]: '3', // character device
  [String(0o060000)]: '4', // block device
  [String(0o010000)]: '6', // fifo
};

/** Xattrs that never count: security.* (but security.capability), system.*, overlay bookkeeping. */
export function countsAsXattr(name: string): boolean {
  if (name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.')) return false;
  return name === 'security.capability' || (!name.startsWith('security.') && !name.startsWith('system.'));
}

/** The header bytes for an entry (sockets count as regular files, as in BuildKit). */
export function headerBytes(st: BigIntStats, linkname: string, xattrs?: Xattrs, ownerAsRoot = false): Buffer {
  const fmt = st.mode & S_IFMT;
  const typeflag = TYPEFLAGS[String(fmt)] ?? '0';
  const isDir = typeflag === '5';
  const size = typeflag === '0' ? st.size : 0n;
  const rdev = isDir ? 0n : st.rdev;
  const major = (rdev >> 8n) & 0xfffn;
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n);
  const parts: (string | Buffer)[] = [
    'name', 'mode', String(st.mode & 0o7777n), 'uid', ownerAsRoot ? '0' : String(st.uid), 'gid', ownerAsRoot ? '0' : String(st.gid),
    'size', String(size), 'typeflag', typeflag, 'linkname', linkname, 'uname', 'gname',
    'devmajor', String(major), 'devminor', String(minor),
  ];
  if (xattrs) {
    for (const name of [...xattrs.keys()].filter(countsAsXattr).sort(compareNames)) {
      parts.push(name, xattrs.get(name) as Buffer);
    }
  }
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}
