// Snapshot check (<root>/snapshots, see src/solver/snapshot/snapshotter.ts): every published
// snapshot has its fs/ directory and a parseable layer.json (when present) whose blobs exist
// (a garbage-collected blob only makes the memo stale: the exporter checks before reuse).
// Temp dirs `.tmp-<pid>-…` of dead builds are leftovers the next build removes.
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { abandoned, snapshotTempPid } from './temp-names.js';
import { isObject, listDir, readJsonFile } from './fs-read.js';
import type { Findings } from './findings.js';

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/** Returns the ids of published snapshots. */
export async function checkSnapshots(root: string, present: ReadonlySet<string>, out: Findings): Promise<Set<string>> {
  const ids = new Set<string>();
  const dir = path.join(root, 'snapshots');
  for (const e of await listDir(dir)) {
    const rel = path.join('snapshots', e.name);
    if (e.name.startsWith('.')) {
      const pid = snapshotTempPid(e.name);
      if (abandoned(pid)) out.add('leftover', rel, 'snapshot temp dir of a dead process (removed by the next build)');
      continue;
    }
    if (!e.isDirectory()) {
      out.add('error', rel, 'unexpected file among snapshots');
      continue;
    }
    if (!(await isDir(path.join(dir, e.name, 'fs')))) {
      out.add('error', rel, 'snapshot has no fs/ directory');
      continue;
    }
    ids.add(e.name);
    const meta = await readJsonFile<unknown>(path.join(dir, e.name, 'layer.json'));
    if (!meta.ok) {
      if (!meta.missing) out.add('error', path.join(rel, 'layer.json'), meta.why);
      continue;
    }
    if (!isObject(meta.value)) {
      out.add('error', path.join(rel, 'layer.json'), 'not a JSON object');
      continue;
    }
    const blobs = meta.value.blobs;
    if (blobs === undefined) continue;
    if (!isObject(blobs)) {
      out.add('error', path.join(rel, 'layer.json'), '"blobs" is not an object');
      continue;
    }
    for (const [key, d] of Object.entries(blobs)) {
      const digest = isObject(d) ? d.digest : undefined;
      if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
        out.add('error', path.join(rel, 'layer.json'), `blob "${key}" has no valid digest`);
      } else if (!present.has(digest)) {
        out.add('stale', path.join(rel, 'layer.json'), `blob "${key}" ${digest} was garbage-collected (re-made on the next export)`);
      }
    }
  }
  return ids;
}
