// A Slipway bundle of the committed HEAD in a private directory (git archive + the shared
// node_modules), for benchmarks that must not see half-edited files in the working tree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Returns the pinned `bin/slipway`, the commit it was built from and its directory (to remove). */
export function pinnedBuild(repo) {
  const head = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const dir = join('/var/tmp', `slipway-bench-pin-${head.slice(0, 12)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', 'git -C "$1" archive HEAD | tar -x -C "$2"', 'sh', repo, dir]);
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  return { bin: join(dir, 'bin', 'slipway'), commit: head.slice(0, 7), dir };
}
