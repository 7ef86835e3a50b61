// Hostile tar archives for ADD tests, written with tar-stream.
import { pack, type Header } from 'tar-stream';

export type EvilEntry = Partial<Header> & { name: string; body?: string };

export async function makeTar(entries: EvilEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => p.entry({ ...header, mode: header.mode ?? 0o644, mtime: header.mtime ?? new Date(0) }, body ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
