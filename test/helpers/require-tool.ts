// Tools the tests drive must exist: a missing one fails the test with a clear message (never a skip).
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The tool's path on PATH, or an error naming it and how to get it. */
export function requireTool(name: string, hint = `scripts/testenv/setup.sh installs it; or apt-get install -y ${name}`): string {
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(`test prerequisite missing: \`${name}\` is not on PATH (${hint})`);
}
