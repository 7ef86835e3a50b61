// Describes a directory tree (type, mode, owner, size, content hash, link target, mtime,
// selected xattrs) so tests can compare two trees in one assertion.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export interface ListingOptions { mtimes?: boolean }

export function listTree(root: string, opts: ListingOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = path.join(root, r);
      const st = lstatSync(p);
      let desc = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
      if (st.isSymbolicLink()) desc += ` -> ${readlinkSync(p)}`;
      else if (st.isFile()) desc += ` ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 12)}`;
      else if (st.isCharacterDevice() || st.isBlockDevice()) desc += ` dev ${st.rdev}`;
      if (opts.mtimes && !st.isSymbolicLink()) desc += ` t${Math.floor(st.mtimeMs / 1000)}`;
      out[r] = desc;
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}
