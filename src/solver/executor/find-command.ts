// Where a command is along PATH, looked up once per process: spawning by bare name makes
// every start try each PATH directory in turn (execve after failed execve). A command that
// moves while slipway runs is found again only by a later process.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

const found = new Map<string, string | undefined>();

/** The absolute path `cmd` runs from (execvp's search), or undefined when there is none. */
export function findCommand(cmd: string, searchPath = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string | undefined {
  if (cmd.includes('/')) return path.resolve(cmd);
  const key = `${searchPath}\0${cmd}`;
  if (found.has(key)) return found.get(key);
  let hit: string | undefined;
  for (const dir of searchPath.split(':')) {
    const file = path.resolve(dir || '.', cmd);
    try {
      accessSync(file, constants.X_OK);
      if (!statSync(file).isFile()) continue;
      hit = file;
      break;
    } catch {
      // not here
    }
  }
  found.set(key, hit);
  return hit;
}
