import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../src/content/coalesce.js';
import { chunksOf, decompressedStream } from '../../../src/solver/layer/decompress.js';

async function* pieces(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < data.length; off += size) yield data.subarray(off, off + size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('coalesce', () => {
  it('keeps the bytes and their order, in chunks of at least min (the last may be short)', async () => {
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    for (const size of [1, 700, 4096, 40_000, 100_000]) {
      const chunks = await collect(coalesce(pieces(data, size), 8192));
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      for (const c of chunks.slice(0, -1)) expect(c.byteLength).toBeGreaterThanOrEqual(8192);
    }
    expect(await collect(coalesce(pieces(Buffer.alloc(0), 10), 8192))).toEqual([]);
  });
});

describe('decompressedStream', () => {
  it('gunzips concatenated members fed in small pieces; a cut stream fails', async () => {
    const a = Buffer.alloc(3 << 20, 'a');
    const b = Buffer.from('tail');
    const gz = Buffer.concat([gzipSync(a), gzipSync(b)]);
    const out = Buffer.concat(await collect(await decompressedStream(pieces(gz, 1000))));
    expect(out.equals(Buffer.concat([a, b]))).toBe(true);
    await expect(collect(await decompressedStream(Readable.from([gz.subarray(0, gz.length - 30)])))).rejects.toThrow(/unexpected end/);
  });
});

describe('chunksOf', () => {
  it('yields the pushed chunks as they are (no joining), and stops the stream when the reader stops', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(1000, i));
    const got = await collect(chunksOf(Readable.from(parts, { objectMode: false }), 4096));
    expect(got.map((c) => c.byteLength)).toEqual(parts.map((p) => p.length));
    expect(Buffer.concat(got).equals(Buffer.concat(parts))).toBe(true);

    const src = Readable.from(parts, { objectMode: false });
    for await (const _ of chunksOf(src, 4096)) break;
    expect(src.destroyed).toBe(true);

    const failing = new Readable({ read() { this.destroy(new Error('inflate failed')); } });
    await expect(collect(chunksOf(failing, 4096))).rejects.toThrow('inflate failed');
  });
});

describe('coalesce with a growing threshold', () => {
  it('keeps the bytes in order, in pieces growing from first to max (the last may be short)', async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    for (const size of [1, 1000, 4096, 70_000, 300_000]) {
      const chunks = await collect(coalesce(pieces(data, size), 4096, 65_536));
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      let min = 4096;
      for (const c of chunks.slice(0, -1)) {
        expect(c.byteLength).toBeGreaterThanOrEqual(min);
        // Never more than one source piece past the threshold.
        expect(c.byteLength).toBeLessThan(min + size);
        min = Math.min(65_536, min * 2);
      }
    }
    // 1000-byte pieces: 4096 is reached at the 5th, so the first chunk is 5000 bytes, not a whole MiB.
    const first = (await collect(coalesce(pieces(data, 1000), 4096, 65_536)))[0]!;
    expect(first.byteLength).toBe(5000);
    expect(await collect(coalesce(pieces(Buffer.alloc(0), 10), 4096, 65_536))).toEqual([]);
  });
});
