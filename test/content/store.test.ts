import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf, parseDigest } from '../../src/content/digest.js';
import { ContentStore, DigestMismatchError } from '../../src/content/store.js';

let root: string;
let store: ContentStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'slipway-content-'));
  store = new ContentStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function ingestEntries(): Promise<string[]> {
  return readdir(path.join(root, 'store', 'ingest'));
}
async function listAll(): Promise<string[]> {
  const out: string[] = [];
  for await (const d of store.list()) out.push(d);
  return out;
}

describe('parseDigest', () => {
  it('accepts sha256 and rejects others', () => {
    expect(parseDigest(`sha256:${'0'.repeat(64)}`).hex).toBe('0'.repeat(64));
    expect(() => parseDigest('sha256:xyz')).toThrow(/64 lowercase hex/);
    expect(() => parseDigest(`sha512:${'0'.repeat(128)}`)).toThrow(/unsupported digest algorithm "sha512"/);
    expect(() => parseDigest('nope')).toThrow(/invalid digest/);
    expect(() => parseDigest(`SHA256:${'0'.repeat(64)}`)).toThrow(/invalid digest/);
  });
});

describe('ContentStore', () => {
  it('writes a blob at blobs/sha256/<hex> with an oci-layout file', async () => {
    const data = Buffer.from('hello world');
    const { digest, size } = await store.writeBytes(data);
    expect(digest).toBe(digestOf(data));
    expect(size).toBe(11);
    expect(store.path(digest)).toBe(path.join(root, 'store', 'blobs', 'sha256', digest.slice(7)));
    expect(await readFile(store.path(digest), 'utf8')).toBe('hello world');
    expect(JSON.parse(await readFile(path.join(root, 'store', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(await store.has(digest)).toBe(true);
    expect(await store.size(digest)).toBe(11);
    expect((await store.readBytes(digest)).toString()).toBe('hello world');
    expect(await ingestEntries()).toEqual([]);
  });

  it('streams from async iterables and Readables, verifying digest and size', async () => {
    const parts = ['a', 'bc', 'def'].map((s) => Buffer.from(s));
    async function* gen() {
      for (const p of parts) yield p;
    }
    const expectedDigest = digestOf('abcdef');
    expect(await store.writeStream(gen(), { digest: expectedDigest, size: 6 })).toEqual({ digest: expectedDigest, size: 6 });
    expect(await store.writeStream(Readable.from(parts), { digest: expectedDigest })).toEqual({ digest: expectedDigest, size: 6 });
    expect(await listAll()).toEqual([expectedDigest]);
    const chunks: Buffer[] = [];
    for await (const c of store.openRead(expectedDigest)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
  });

  it('rejects a digest mismatch and leaves nothing behind', async () => {
    const wrong = digestOf('something else');
    await expect(store.writeBytes('payload', { digest: wrong })).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(store.writeBytes('payload', { digest: wrong })).rejects.toThrow(/digest mismatch: expected sha256:/);
    expect(await store.has(wrong)).toBe(false);
    expect(await store.has(digestOf('payload'))).toBe(false);
    expect(await listAll()).toEqual([]);
    expect(await ingestEntries()).toEqual([]);
  });

  it('rejects a size mismatch (too short and too long) early', async () => {
    await expect(store.writeBytes('12345', { size: 4 })).rejects.toThrow(/size mismatch: expected 4 bytes/);
    await expect(store.writeBytes('12345', { size: 9 })).rejects.toThrow(/expected 9 bytes.*got 5/);
    expect(await listAll()).toEqual([]);
    expect(await ingestEntries()).toEqual([]);
  });

  it('a source that fails mid-stream stores nothing and cleans its temp file', async () => {
    async function* broken() {
      yield Buffer.alloc(1024, 1);
      throw new Error('connection reset');
    }
    await expect(store.writeStream(broken())).rejects.toThrow('connection reset');
    expect(await listAll()).toEqual([]);
    expect(await ingestEntries()).toEqual([]);
  });

  it('the blob is invisible under its digest until complete', async () => {
    const data = Buffer.alloc(256 * 1024, 7);
    const digest = digestOf(data);
    let seenDuring: boolean | undefined;
    // (the first piece is bigger than the blobs gathered in memory before writing: 64 KiB)
    async function* slow() {
      yield data.subarray(0, 100_000);
      seenDuring = await store.has(digest);
      expect((await ingestEntries()).length).toBe(1);
      yield data.subarray(100_000);
    }
    await store.writeStream(slow(), { digest });
    expect(seenDuring).toBe(false);
    expect(await store.size(digest)).toBe(data.length);
  });

  it('a small streamed blob (written in one piece) is checked like a big one and stored whole', async () => {
    async function* pieces(n: number) {
      for (let i = 0; i < n; i++) yield Buffer.from(`piece ${i}\n`);
    }
    const text = Array.from({ length: 50 }, (_, i) => `piece ${i}\n`).join('');
    await expect(store.writeStream(pieces(50), { digest: digestOf('other') })).rejects.toThrow(/digest mismatch/);
    await expect(store.writeStream(pieces(50), { size: 3 })).rejects.toThrow(/size mismatch/);
    expect(await listAll()).toEqual([]);
    expect(await ingestEntries()).toEqual([]);
    const r = await store.writeStream(pieces(50), { digest: digestOf(text), size: text.length });
    expect(r).toEqual({ digest: digestOf(text), size: text.length });
    expect((await store.readBytes(r.digest)).toString()).toBe(text);
    expect(await ingestEntries()).toEqual([]);
  });

  it('staged blobs become visible only when committed, in the caller\'s order; a discarded one leaves nothing', async () => {
    const a = await store.stage(Buffer.from('config'));
    const b = await store.stage(Buffer.from('manifest'));
    const c = await store.stage(Buffer.from('dropped'));
    expect(await store.has(a.digest)).toBe(false);
    expect((await ingestEntries()).length).toBe(3);
    a.commit();
    expect(await store.has(a.digest)).toBe(true);
    expect(await store.has(b.digest)).toBe(false);
    b.commit();
    c.discard();
    await store.syncNames();
    expect(await store.has(b.digest)).toBe(true);
    expect(await store.has(c.digest)).toBe(false);
    expect(await ingestEntries()).toEqual([]);
    // Staging what the store has writes nothing.
    const again = await store.stage(Buffer.from('config'));
    expect(await ingestEntries()).toEqual([]);
    again.commit();
    expect((await store.readBytes(a.digest)).toString()).toBe('config');
  });

  it('concurrent writers of the same blob both succeed and leave one file', async () => {
    const data = Buffer.alloc(100_000, 3);
    const results = await Promise.all(Array.from({ length: 5 }, () => store.writeBytes(data)));
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
    expect(await listAll()).toEqual([digestOf(data)]);
    expect(await ingestEntries()).toEqual([]);
  });

  it('rewriting an existing blob keeps the same inode (no churn)', async () => {
    const { digest } = await store.writeBytes('same');
    const ino = (await stat(store.path(digest))).ino;
    await store.writeBytes('same');
    expect((await stat(store.path(digest))).ino).toBe(ino);
  });

  it('delete and list', async () => {
    const a = await store.writeBytes('a');
    const b = await store.writeBytes('b');
    expect((await listAll()).sort()).toEqual([a.digest, b.digest].sort());
    expect(await store.delete(a.digest)).toBe(true);
    expect(await store.delete(a.digest)).toBe(false);
    expect(await listAll()).toEqual([b.digest]);
    expect(await store.size(a.digest)).toBeUndefined();
  });

  it('rejects malformed digests in path()', () => {
    expect(() => store.path('sha256:../../etc/passwd')).toThrow(/invalid/);
  });
});

describe('ContentStore concurrent writers', () => {
  it('blobs written at the same time (sharing directory fsyncs) are all stored and readable', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'slipway-cs-'));
    try {
      const store = new ContentStore(root);
      const datas = Array.from({ length: 8 }, (_, i) => Buffer.from(`blob ${i}\n`.repeat(i + 1)));
      const written = await Promise.all(datas.map((d) => store.writeBytes(d)));
      for (const [i, w] of written.entries()) expect((await store.readBytes(w.digest)).equals(datas[i]!)).toBe(true);
      // and again, one after another
      for (const d of datas) await store.writeBytes(Buffer.concat([d, Buffer.from('x')]));
      // names synced later, together (what a pull or an export does before its manifest)
      const deferred = await Promise.all(datas.map((d) => store.writeBytes(Buffer.concat([d, Buffer.from('y')]), {}, { syncName: false })));
      await store.syncNames();
      for (const w of deferred) expect(await store.has(w.digest)).toBe(true);
      const listed: string[] = [];
      for await (const d of store.list()) listed.push(d);
      expect(listed).toHaveLength(24);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
