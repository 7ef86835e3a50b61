// lstat that answers "absent" instead of throwing when a path (or one of its parents) is
// missing. Synchronous: these run per entry on hot paths, where a threadpool round trip
// costs more than the syscall.
import { lstatSync, type BigIntStats, type Stats } from 'node:fs';
import { fsPath } from './byte-names.js';

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

// throwIfNoEntry: an absent path is the common answer (every new entry of a layer), and
// building the ENOENT exception costs more than the lstat itself.
export function lstatIfExists(p: string): Stats | undefined {
  try {
    return lstatSync(fsPath(p), { throwIfNoEntry: false });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export function lstatBigIfExists(p: string): BigIntStats | undefined {
  try {
    return lstatSync(fsPath(p), { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}
