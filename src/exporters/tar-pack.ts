// Deterministic tar entries for the archives exporters write (OCI layout, rootfs tar):
// mtime 0, owner 0:0 without names, streaming bodies with backpressure.
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';

const EPOCH = new Date(0);

export function addEntry(pack: Pack, header: Partial<Header> & { name: string }, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const h: Partial<Header> & { name: string } = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '', mode: 0o644, type: 'file', ...header };
    if (body) pack.entry(h, body, (err) => (err ? reject(err) : resolve()));
    else pack.entry(h, (err) => (err ? reject(err) : resolve()));
  });
}

export function streamEntry(pack: Pack, header: Partial<Header> & { name: string; size: number }, source: Readable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '', mode: 0o644, type: 'file', ...header }, (err) => (err ? reject(err) : resolve()));
    source.on('error', (err) => {
      entry.destroy(err);
      reject(err);
    });
    source.pipe(entry);
  });
}

/** Runs `fill` against a tar pack piped into `out`; the tar is finalized when `fill` resolves. */
export async function writeTar(out: Writable, fill: (pack: Pack) => Promise<void>): Promise<void> {
  const pack = tarPack();
  const done = pipeline(pack, out);
  try {
    await fill(pack);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
}
