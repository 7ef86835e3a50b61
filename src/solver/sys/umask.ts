// This process's umask, read once (nothing in Slipway changes it): from /proc, since
// process.umask() reads it by setting it and setting it back.
import { readFileSync } from 'node:fs';

let umask: number | undefined;

export function processUmask(): number {
  if (umask === undefined) {
    let m: RegExpExecArray | null = null;
    try {
      m = /^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    } catch {
      // no /proc
    }
    umask = m ? parseInt(m[1] as string, 8) : process.umask();
  }
  return umask;
}

/** The umask BuildKit's processes run under (buildkitd's, 022): for the runtime and git. */
export const STANDARD_UMASK = 0o022;

/** `sh` arguments that run `file args…` under STANDARD_UMASK whatever this process's. */
export function shUnderStandardUmask(file: string, args: readonly string[]): string[] {
  return ['-c', `umask 0${STANDARD_UMASK.toString(8)} && exec "$0" "$@"`, file, ...args];
}
