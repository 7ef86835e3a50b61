import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionKey, compressionOfMediaType, compressNow, compressStream, layerMediaType, SMALL_TAR, tapStream } from '../../src/exporters/compression.js';
import { seededRandom } from '../helpers/seeded-random.js';

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('layer compression', () => {
  it('tapStream closes its source when its reader stops early (a failed blob write)', async () => {
    let closed = false;
    const source = new Readable({ read() { this.push(Buffer.alloc(1024)); } });
    source.on('close', () => { closed = true; });
    const rest = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const tapped = tapStream([Buffer.from('head')], rest, () => undefined);
    let n = 0;
    for await (const _ of tapped) if (++n === 5) break; // destroys tapped, as a failed write does
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });

  it('gzip is deterministic: no name, mtime 0, fixed level', async () => {
    const data = Buffer.from('hello '.repeat(1000));
    const a = await collect(compressStream(Readable.from([data]), { type: 'gzip' }));
    const b = await collect(compressStream(Readable.from([data.subarray(0, 10), data.subarray(10)]), { type: 'gzip' }));
    expect(a).toEqual(b);
    expect(a.readUInt32LE(4)).toBe(0); // MTIME
    expect(a[3]! & 0x08).toBe(0); // no FNAME
    expect(gunzipSync(a)).toEqual(data);
  });

  it('compressNow (one call, for small tars) gives the same bytes as the stream at every level it takes; zstd and gzip level 0 stay streamed', async () => {
    const rand = seededRandom(7);
    // Tar-like inputs: 512-byte headers, text, runs of zeros, random bytes; fed to the stream in random pieces.
    const inputs = [0, 1, 511, 512, 3000, 20_000, SMALL_TAR].map((n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = i % 512 < 100 ? 0 : rand() < 0.3 ? Math.floor(rand() * 256) : 97 + (i % 7);
      return b;
    });
    for (const level of [undefined, 1, 2, 5, 6, 9]) {
      for (const data of inputs) {
        const pieces: Buffer[] = [];
        for (let at = 0; at < data.length;) {
          const n = 1 + Math.floor(rand() * 4096);
          pieces.push(data.subarray(at, at + n));
          at += n;
        }
        const c = { type: 'gzip' as const, ...(level !== undefined ? { level } : {}) };
        expect(compressNow(data, c), `level ${level}, ${data.length} bytes`).toEqual(await collect(compressStream(Readable.from(pieces), c)));
      }
    }
    expect(compressNow(inputs[3]!, { type: 'uncompressed' })).toEqual(inputs[3]);
    expect(compressNow(inputs[3]!, { type: 'zstd' })).toBeUndefined();
    expect(compressNow(inputs[3]!, { type: 'gzip', level: 0 })).toBeUndefined();
  });

  it('zstd output is complete even when the reader starts after zstd has exited', async () => {
    const inputs = [1, 2, 3, 4].map((i) => Buffer.alloc(3000 * i, i));
    const streams = inputs.map((b) => compressStream(Readable.from([b]), { type: 'zstd' }));
    await new Promise((r) => setTimeout(r, 300));
    const outs = await Promise.all(streams.map(collect));
    outs.forEach((o, i) => expect(execFileSync('zstd', ['-dc'], { input: o })).toEqual(inputs[i]));
  });

  it('a failing source fails the compressed stream', async () => {
    const bad = new Readable({ read() { this.destroy(new Error('disk on fire')); } });
    await expect(collect(compressStream(bad, { type: 'zstd' }))).rejects.toThrow(/disk on fire/);
    const bad2 = new Readable({ read() { this.destroy(new Error('disk on fire')); } });
    await expect(collect(compressStream(bad2, { type: 'gzip' }))).rejects.toThrow(/disk on fire/);
  });

  it('memo keys and media types', () => {
    expect(compressionKey({ type: 'gzip' })).toBe('gzip');
    expect(compressionKey({ type: 'gzip', level: 9 })).toBe('gzip-9');
    expect(compressionKey({ type: 'uncompressed', level: 3 })).toBe('uncompressed');
    expect(layerMediaType('zstd', true)).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(layerMediaType('gzip', false)).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    expect(layerMediaType('uncompressed', false)).toBe('application/vnd.docker.image.rootfs.diff.tar');
    expect(() => layerMediaType('zstd', false)).toThrow(/OCI media types/);
    expect(compressionOfMediaType('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar')).toBe('uncompressed');
    expect(compressionOfMediaType('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(compressionOfMediaType('application/vnd.oci.image.config.v1+json')).toBeUndefined();
  });
});
