import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lease } from '../../src/store/leases.js';
import { withFileLock } from '../../src/store/lock.js';
import { makeImage, makeLayer, openStore, slipwayAsync, tempRoot } from './fixtures.js';

describe('ImageStore', () => {
  it('records names as OCI layout index entries with containerd and OCI annotations', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ a: '1' })] }, 'busybox');
    const index = JSON.parse(readFileSync(path.join(root, 'store', 'index.json'), 'utf8'));
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].digest).toBe(img.manifest.digest);
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe('docker.io/library/busybox:latest');
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('latest');
    expect(JSON.parse(readFileSync(path.join(root, 'store', 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('resolves by name, full ID, short ID and manifest digest; the ID is the config digest', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ a: '1' })] }, '127.0.0.1:5000/x/y:v1');
    const store = openStore(root);
    for (const q of ['127.0.0.1:5000/x/y:v1', img.id, img.id.slice(7, 19), img.manifest.digest]) {
      expect((await store.resolve(q))?.id, q).toBe(img.id);
    }
    expect(await store.resolve('127.0.0.1:5000/x/y')).toBeUndefined(); // :latest does not exist
    expect(await store.resolve('nope')).toBeUndefined();
  });

  it('keeps an image that lost its only name as dangling, and drops the dangling entry when re-named', async () => {
    const root = tempRoot();
    const store = openStore(root);
    const a = await makeImage(root, { layers: [await makeLayer({ a: '1' })], created: '2024-01-01T00:00:00Z' }, 'app:1');
    const b = await makeImage(root, { layers: [await makeLayer({ b: '2' })], created: '2024-02-01T00:00:00Z' });
    const replaced = await store.tag('app:1', b.manifest);
    expect(replaced?.id).toBe(a.id);
    const list = await store.list();
    expect(list.map((r) => [r.id, r.tags])).toEqual([
      [b.id, ['docker.io/library/app:1']],
      [a.id, []],
    ]);
    await store.tag('app:2', a.manifest);
    expect((await store.list()).find((r) => r.id === a.id)?.tags).toEqual(['docker.io/library/app:2']);
    const index = JSON.parse(readFileSync(path.join(root, 'store', 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(2);
  });

  it('stores a layer shared by two images once and keeps it until the last user is gone', async () => {
    const root = tempRoot();
    const store = openStore(root);
    const shared = await makeLayer({ 'etc/base': 'base' });
    const a = await makeImage(root, { layers: [shared, await makeLayer({ a: '1' })] }, 'a');
    const b = await makeImage(root, { layers: [shared, await makeLayer({ b: '2' })] }, 'b');
    const blob = store.content.path(shared.digest);
    expect(existsSync(blob)).toBe(true);
    await store.remove((await store.resolve('a'))!);
    const first = await store.gc();
    expect(first.deleted).toContain(a.id);
    expect(first.deleted).not.toContain(shared.digest);
    expect(existsSync(blob)).toBe(true);
    await store.remove((await store.resolve('b'))!);
    const second = await store.gc();
    expect(second.deleted).toContain(shared.digest);
    expect(second.deleted).toContain(b.id);
    expect(existsSync(blob)).toBe(false);
  });

  it('never collects blobs held by a live lease; a dead process lease is ignored', async () => {
    const root = tempRoot();
    const store = openStore(root);
    const layer = await makeLayer({ x: 'y' });
    await store.content.writeBytes(layer.gz);
    const lease = await Lease.acquire(root, [layer.digest]);
    expect((await store.gc()).deleted).toEqual([]);
    await lease.release();
    // A lease file left by a process that no longer exists does not pin anything.
    mkdirSync(path.join(root, 'store', 'leases'), { recursive: true });
    writeFileSync(path.join(root, 'store', 'leases', '999999999-dead'), `${layer.digest}\n`);
    expect((await store.gc()).deleted).toEqual([layer.digest]);
    // A named (standing) lease holds across processes until it is released.
    await store.content.writeBytes(layer.gz);
    const standing = Lease.named(root, 'build-cache');
    await standing.set([layer.digest]);
    expect((await store.gc()).deleted).toEqual([]);
    await standing.release();
    expect((await store.gc()).deleted).toEqual([layer.digest]);
  });

  it('keeps everything a leased manifest reaches, after its last name is gone', async () => {
    const root = tempRoot();
    const store = openStore(root);
    const layer = await makeLayer({ leased: 'yes' });
    const img = await makeImage(root, { layers: [layer] }, 'leased');
    const record = (await store.resolve('leased'))!;
    const lease = await Lease.acquire(root, [record.target.digest]);
    await store.remove(record);
    expect((await store.gc()).deleted).toEqual([]);
    expect(existsSync(store.content.path(layer.digest))).toBe(true);
    await lease.release();
    const deleted = (await store.gc()).deleted;
    expect(deleted).toContain(layer.digest);
    expect(deleted).toContain(img.id);
  });

  it('tag with the target given (an export): the same entry without reading the blobs; `after` gates the index', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ a: '1' })] }, 'read');
    const store = openStore(root);
    const entryOf = async (name: string) => {
      const e = (await store.readIndex()).manifests.find((m) => m.annotations?.['io.containerd.image.name'] === `docker.io/library/${name}:latest`);
      const { 'vnd.slipway.image.tagged': _t, 'io.containerd.image.name': _n, 'org.opencontainers.image.ref.name': _r, ...rest } = e?.annotations ?? {};
      return { digest: e?.digest, rest };
    };
    const created = JSON.parse(readFileSync(store.content.path(img.id), 'utf8')).created as string | undefined;
    // A failed store (rejected `after`) leaves the index as it was.
    await expect(store.tag('given', img.manifest, { target: { id: img.id, ...(created ? { created } : {}) }, after: Promise.reject(new Error('no')) }))
      .rejects.toThrow('no');
    expect((await entryOf('given')).digest).toBeUndefined();
    await store.tag('given', img.manifest, { target: { id: img.id, ...(created ? { created } : {}) }, after: Promise.resolve() });
    expect(await entryOf('given')).toEqual(await entryOf('read'));
  });

  it('a lease file is written only when what it holds changes; an empty process lease is not written', async () => {
    const root = tempRoot();
    const dir = path.join(root, 'store', 'leases');
    const lease = await Lease.acquire(root);
    expect(existsSync(lease.file)).toBe(false);
    await lease.add(['sha256:' + 'a'.repeat(64)]);
    const first = statSync(lease.file).ino;
    await lease.add(['sha256:' + 'a'.repeat(64)]);
    expect(statSync(lease.file).ino).toBe(first); // not rewritten (a rewrite renames a new inode in)
    await lease.release();
    expect(existsSync(lease.file)).toBe(false);
    await lease.release(); // twice: no error
    const standing = Lease.named(root, 'held');
    await standing.set(['sha256:' + 'b'.repeat(64)]);
    await standing.set([]);
    expect(readFileSync(path.join(dir, 'held'), 'utf8')).toBe('');
  });

  it('re-tagging the same image under the same name does not rewrite index.json', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ a: '1' })] }, 'same');
    const indexPath = path.join(root, 'store', 'index.json');
    const before = statSync(indexPath).mtimeMs;
    const text = readFileSync(indexPath, 'utf8');
    await new Promise((r) => setTimeout(r, 20));
    expect(await openStore(root).tag('same', img.manifest)).toBeUndefined();
    expect(readFileSync(indexPath, 'utf8')).toBe(text);
    expect(statSync(indexPath).mtimeMs).toBe(before);
    // A pulled name keeps its RepoDigest when re-tagged locally onto the same image.
    await openStore(root).tag('same', img.manifest, { fromRegistry: true });
    await openStore(root).tag('same', img.manifest);
    expect((await openStore(root).resolve('same'))?.digests).toEqual([`docker.io/library/same@${img.manifest.digest}`]);
  });

  it('serializes updates with the lock and breaks a lock left by a dead process', async () => {
    const root = tempRoot();
    const lockPath = path.join(root, 'lock');
    writeFileSync(lockPath, '999999999\nabc\n');
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        withFileLock(lockPath, async () => {
          order.push(n);
          await new Promise((r) => setTimeout(r, 20));
          order.push(n);
        }),
      ),
    );
    // Each critical section ran alone: pairs never interleave.
    for (let i = 0; i < order.length; i += 2) expect(order[i]).toBe(order[i + 1]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('loses no entry when several processes tag at once', async () => {
    const root = tempRoot();
    await makeImage(root, { layers: [await makeLayer({ a: '1' })] }, 'base');
    const procs = [0, 1, 2, 3].map(async (p) => {
      for (let i = 0; i < 4; i++) {
        const r = await slipwayAsync(root, ['tag', 'base', `many/p${p}:t${i}`]);
        expect(r.status, r.stderr).toBe(0);
      }
    });
    await Promise.all(procs);
    const tags = (await openStore(root).list())[0]!.tags;
    expect(tags).toHaveLength(17);
  });
});
