// Whole-file replacement that readers never see half-done: temp file in the same directory,
// fsync, rename (DESIGN.md principle 2). `durable: false` skips the fsync for files that
// matter only while this process lives (a crash makes them void anyway): the rename still
// keeps other processes from reading a half-written file. The files are small and written with
// synchronous calls (only a durable write's fsync goes to the thread pool): five thread-pool
// round trips queue behind whatever else the pool is doing (hashing, copying) and took
// 7-12 ms for a lease file during a build.
import { randomBytes } from 'node:crypto';
import { closeSync, fsync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** false: no fsync (see above). */
  durable?: boolean;
  /**
   * The file is not replaced before this settles, while its content is written and synced
   * meanwhile: e.g. the fsync that makes durable the names of the blobs the new index names.
   */
  beforeRename?: Promise<unknown>;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  opts.beforeRename?.catch(() => undefined); // (awaited below: a rejection is this call's)
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openTemp(tmp);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.byteLength;) off += writeSync(fd, bytes, off);
    // The fsync is the one call that waits on the disk: on the thread pool, not the main thread.
    if (opts.durable !== false) await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    await opts.beforeRename;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** unlink(2), no error when the file is already gone (rmSync stats it first). */
export function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates the temp file, and its directory only when missing (two syscalls saved per write). */
function openTemp(tmp: string): number {
  try {
    return openSync(tmp, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(tmp), { recursive: true });
  return openSync(tmp, 'wx', 0o644);
}
