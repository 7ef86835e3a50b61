// Mount targets (/etc/hosts, /etc/resolv.conf, RUN --mount destinations) that the runtime has
// to create in the rootfs must not end up in the layer. Like BuildKit's MountStubsCleaner:
// remember which targets (and missing parents) did not exist before the run, and afterwards
// remove them if they are still empty stubs, restoring the parent directory's times so the
// layer stays reproducible. Synchronous: a handful of lstat calls that the RUN step waits
// for, cheaper than threadpool round trips.
import { lstatSync, readdirSync, rmdirSync, unlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import { resolveInRootSync } from '../layer/root-path.js';

/** Records the missing targets now; the returned function removes the stubs later. */
export function recordMountStubs(rootfs: string, destinations: readonly string[]): () => void {
  const stubs: string[] = [];
  for (const dest of ['/etc/resolv.conf', '/etc/hosts', ...destinations]) {
    // The whole path resolved, its last component too (BuildKit's fs.RootPath): a target that
    // is a dangling symlink makes the runtime create the link's target, which is the stub.
    let p = resolveInRootSync(rootfs, dest);
    while (p !== rootfs && !lstatIfExists(p)) {
      stubs.push(p);
      p = path.dirname(p);
    }
  }
  return () => {
    for (const stub of stubs) {
      const st = lstatIfExists(stub);
      if (!st) continue;
      if (st.isDirectory() ? readdirSync(stub).length > 0 : st.size !== 0) continue;
      const parent = path.dirname(stub);
      const pst = lstatSync(parent, { bigint: true });
      if (st.isDirectory()) rmdirSync(stub);
      else unlinkSync(stub);
      utimesSync(parent, Number(pst.atimeNs) / 1e9, Number(pst.mtimeNs) / 1e9);
    }
  };
}
