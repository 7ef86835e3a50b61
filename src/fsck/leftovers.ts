// Temp debris check: files of dead writers in the places temp files live (store/ingest,
// store/tmp dirs, dot-temp files of atomic writes next to their targets), and temp-looking
// names in directories readers list (an error: a reader could take them for data).
import path from 'node:path';
import { listDir } from './fs-read.js';
import { abandoned, atomicTempPid, looksTemporary, pidPrefixed } from './temp-names.js';
import type { Findings } from './findings.js';

/** Directories read by listing them (the others are read by exact file name). */
const LISTED_DIRS = new Set(['store/leases']);
/** Directories whose files are replaced atomically (a temp file next to the target). */
const ATOMIC_DIRS = ['store', 'store/leases', 'cache/records', 'cache/steps', 'cache/exports', 'cache/convert', 'cache/contenthash'];

export async function checkLeftovers(root: string, snapshotIds: ReadonlySet<string>, out: Findings): Promise<void> {
  for (const e of await listDir(path.join(root, 'store', 'ingest'))) {
    if (abandoned(pidPrefixed(e.name))) out.add('leftover', path.join('store', 'ingest', e.name), 'ingest file of a dead writer');
  }
  for (const e of await listDir(path.join(root, 'tmp'))) {
    if (abandoned(pidPrefixed(e.name))) out.add('leftover', path.join('tmp', e.name), 'build temp dir of a dead process (removed by the next build)');
  }
  const dirs = [...ATOMIC_DIRS, ...[...snapshotIds].map((id) => path.join('snapshots', id))];
  for (const rel of dirs) {
    for (const e of await listDir(path.join(root, rel))) {
      const pid = atomicTempPid(e.name);
      if (pid !== undefined) {
        if (abandoned(pid)) out.add('leftover', path.join(rel, e.name), 'temp file of an interrupted atomic write');
      } else if (looksTemporary(e.name)) {
        // Lease files are found by listing; the other dirs' readers open exact names.
        if (LISTED_DIRS.has(rel)) out.add('error', path.join(rel, e.name), 'temporary file left visible where readers look');
        else out.add('leftover', path.join(rel, e.name), 'temp file of an interrupted write (readers open exact names)');
      }
    }
  }
}
