// Bytes under a path as `system df` counts them: the sizes of its files (symlinks by their
// own size), directories counted by their entries. 0 for a path that does not exist.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export async function diskUsage(p: string): Promise<number> {
  let st;
  try {
    st = await fs.lstat(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await fs.readdir(p).catch(() => [] as string[])) total += await diskUsage(path.join(p, name));
  return total;
}
