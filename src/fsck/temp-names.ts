// Recognizing the temp names Slipway's writers use, and whether their writer is still alive:
//  - atomic writes (src/store/atomic-file.ts): `.<name>.<pid>-<hex>` next to the target,
//  - blob ingestion (src/content/store.ts): `<root>/store/ingest/<pid>-<hex>`,
//  - snapshots (src/solver/snapshot): `<root>/snapshots/.tmp-<pid>-…`,
//  - build temp dirs (src/solver/ops/context.ts): `<root>/tmp/<pid>-…`.
import { processAlive } from '../store/process-alive.js';

const ATOMIC_TEMP = /^\..+\.(\d+)-[0-9a-f]+$/;
const SNAPSHOT_TEMP = /^\.tmp-(\d+)-/;
const PID_PREFIX = /^(\d+)-/;

function pidOf(re: RegExp, name: string): number | undefined {
  const m = re.exec(name);
  return m ? Number(m[1]) : undefined;
}

export const atomicTempPid = (name: string): number | undefined => pidOf(ATOMIC_TEMP, name);
export const snapshotTempPid = (name: string): number | undefined => pidOf(SNAPSHOT_TEMP, name);
export const pidPrefixed = (name: string): number | undefined => pidOf(PID_PREFIX, name);

/** A name readers would take for real data although it looks like a temp file. */
export function looksTemporary(name: string): boolean {
  return /\.tmp$|^\.?tmp-|\.partial$|\.ingest$/i.test(name);
}

/** Whether debris written by `pid` is abandoned (its process is gone, or it is not ours). */
export function abandoned(pid: number | undefined): boolean {
  return pid === undefined || pid <= 0 || !processAlive(pid);
}
