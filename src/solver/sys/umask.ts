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
