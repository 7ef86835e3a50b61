import { describe, expect, it } from 'vitest';
import { teeStream } from '../../src/content/stream-tee.js';

async function* chunks(n: number, size: number, fail?: Error): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) yield Buffer.alloc(size, i);
  if (fail) throw fail;
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('teeStream', () => {
  it('gives both readers every byte; the secondary ends only after finish()', async () => {
    const tee = teeStream(chunks(10, 100), 250);
    let finished = false;
    const second = collect(tee.secondary).then((b) => ({ b, finished }));
    const first = await collect(tee.primary);
    await new Promise((r) => setTimeout(r, 10));
    finished = true;
    tee.finish();
    const { b, finished: seenAfter } = await second;
    expect(first.equals(b)).toBe(true);
    expect(b.length).toBe(1000);
    expect(seenAfter).toBe(true);
  });

  it('fails the secondary with the writer\'s error (e.g. a digest mismatch)', async () => {
    const tee = teeStream(chunks(3, 10), 1 << 20);
    const second = collect(tee.secondary);
    await collect(tee.primary);
    tee.finish(new Error('digest mismatch'));
    await expect(second).rejects.toThrow('digest mismatch');
  });

  it('a source error reaches the primary; the secondary gets it from finish(err)', async () => {
    const tee = teeStream(chunks(2, 10, new Error('reset')), 1 << 20);
    const second = collect(tee.secondary);
    const err = await collect(tee.primary).catch((e: unknown) => e);
    expect(String(err)).toMatch(/reset/);
    tee.finish(err);
    await expect(second).rejects.toThrow('reset');
  });

  it('holds the source back beyond highWater until the secondary reads', async () => {
    let produced = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield Buffer.alloc(100);
      }
    }
    const tee = teeStream(counted(), 250);
    const first = collect(tee.primary);
    await new Promise((r) => setTimeout(r, 20));
    expect(produced).toBeLessThan(10);
    const second = collect(tee.secondary);
    await first;
    tee.finish();
    expect((await second).length).toBe(1000);
  });

  it('a secondary that stops (or never starts, then cancel()) does not stall the primary', async () => {
    const tee = teeStream(chunks(10, 100), 150);
    const first = collect(tee.primary);
    const it = tee.secondary[Symbol.asyncIterator]();
    await it.next();
    await it.return?.();
    expect((await first).length).toBe(1000);

    const idle = teeStream(chunks(10, 100), 150);
    idle.cancel();
    expect((await collect(idle.primary)).length).toBe(1000);
  });
});
