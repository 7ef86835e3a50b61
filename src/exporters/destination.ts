// Where an archive output goes: a file (written beside its final name, then renamed, so a
// failed export never leaves a truncated archive under the name) or stdout (`-`).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';

export async function writeToDest(dest: string, stdout: Writable, write: (out: Writable) => Promise<void>): Promise<void> {
  if (dest === '-') {
    await write(nonClosing(stdout));
    return;
  }
  const file = path.resolve(dest);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await write(createWriteStream(tmp, { mode: 0o644 }));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** stdout must stay open after the archive ends: forward the writes, never end it. */
function nonClosing(out: Writable): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (out.write(chunk)) cb();
      else out.once('drain', () => cb());
    },
  });
}
