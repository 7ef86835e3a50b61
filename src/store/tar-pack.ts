// Deterministic tar entries for the archives Slipway writes (`save`, OCI layout and rootfs
// exports): mtime 0, owner 0:0 without names, streaming bodies with backpressure.
import type { Writable } from 'node:stream';
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

export async function streamEntry(pack: Pack, header: Partial<Header> & { name: string; size: number },
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const entry = pack.entry({ mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '', mode: 0o644, type: 'file', ...header }, (err) => (err ? reject(err) : resolve()));
    void (async () => {
      try {
        for await (const chunk of source) {
          if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
        }
        entry.end(undefined);
      } catch (err) {
        entry.destroy(err as Error);
        reject(err as Error);
      }
    })();
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
