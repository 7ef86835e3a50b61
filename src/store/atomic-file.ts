// Whole-file replacement that readers never see half-done: temp file in the same directory,
// fsync, rename (DESIGN.md principle 2). `durable: false` skips the fsync for files that
// matter only while this process lives (a crash makes them void anyway): the rename still
// keeps other processes from reading a half-written file. Those small writes are made with
// synchronous calls: five thread-pool round trips queue behind whatever else the pool is
// doing (hashing, copying) and took 7-12 ms for a lease file during a build.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array,
  opts: { durable?: boolean } = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}`);
  if (opts.durable === false) {
    writeNowAtomic(file, tmp, data);
    return;
  }
  await fs.mkdir(dir, { recursive: true });
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

function writeNowAtomic(file: string, tmp: string, data: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.byteLength;) off += writeSync(fd, bytes, off);
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
