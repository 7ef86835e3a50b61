import { describe, expect, it } from 'vitest';
import { rampedChunks } from '../../../src/solver/layer/decompress.js';

async function* pieces(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < data.length; off += size) yield data.subarray(off, off + size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe('rampedChunks', () => {
  it('keeps the bytes in order, in pieces growing from first to max (the last may be short)', async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    for (const size of [1, 1000, 4096, 70_000, 300_000]) {
      const chunks = await collect(rampedChunks(pieces(data, size), 4096, 65_536));
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
    const first = (await collect(rampedChunks(pieces(data, 1000), 4096, 65_536)))[0]!;
    expect(first.byteLength).toBe(5000);
    expect(await collect(rampedChunks(pieces(Buffer.alloc(0), 10), 4096, 65_536))).toEqual([]);
  });
});
