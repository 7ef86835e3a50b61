// Reads that leave a file's access time alone (O_NOATIME; only the file's owner or
// CAP_FOWNER may ask, so the plain open is the fallback): a build reading a cache record
// is its use, which `builder prune --keep-storage/--filter until` go by; a prune or an
// fsck reading it is not.
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

const NOATIME = constants.O_RDONLY | (constants.O_NOATIME ?? 0);

export function readFileNoAtimeSync(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    fd = openSync(file, constants.O_RDONLY);
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export async function readFileNoAtime(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    handle = await open(file, constants.O_RDONLY);
  }
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
