// Review of blob-prefetch.ts under failure: what a pull that took a prefetched download
// reports must be what its own download would have reported.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/content/store.js';
import { prefetchBlobs, takePrefetched } from '../../src/registry/blob-prefetch.js';
import { RegistryClient } from '../../src/registry/client.js';
import { fetchBlob } from '../../src/registry/pull.js';

const blob = Buffer.alloc(200_000, 7);
const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;

const servers: Server[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill();
  for (const s of servers) { s.closeAllConnections(); s.close(); }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Serves `blob`; with `cut`, the first answer stops halfway and drops the connection. */
async function registry(cut = false, counter = { gets: 0 }): Promise<string> {
  const server = createServer((_req, res) => {
    counter.gets++;
    res.setHeader('content-length', blob.length);
    if (cut && counter.gets === 1) {
      res.write(blob.subarray(0, blob.length / 2), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(blob);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

function store(): ContentStore {
  const d = mkdtempSync(path.join(tmpdir(), 'slipway-prefetch-'));
  dirs.push(d);
  return new ContentStore(d);
}

async function pullError(prefetch: boolean, waitMs = 0): Promise<{ message: string; code?: string }> {
  const host = await registry();
  const client = new RegistryClient(host, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  // The manifest says less than the registry sends.
  const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length - 1000 };
  if (prefetch) prefetchBlobs(client, 'lib/big', [desc], () => false);
  if (waitMs) await new Promise((r) => setTimeout(r, waitMs)); // the prefetch has it all
  const err = await fetchBlob(client, store(), 'lib/big', desc).then(() => undefined, (e: unknown) => e as { message: string; code?: string });
  expect(err).toBeDefined();
  return { message: err!.message.replace(host, 'HOST'), ...(err!.code ? { code: err!.code } : {}) };
}

describe('blob prefetch, a blob larger than its descriptor', () => {
  it('is reported as the pull\'s own download reports it (rejected, DIGEST_INVALID)', async () => {
    const own = await pullError(false);
    expect(own.code).toBe('DIGEST_INVALID');
    expect(await pullError(true)).toEqual(own);
    expect(await pullError(true, 200)).toEqual(own);
  });
});

describe('blob prefetch, a connection cut mid-blob', () => {
  for (const waitMs of [0, 300]) {
    it(`is retried with a request of the pull's own (taken ${waitMs ? 'after' : 'before'} the cut)`, async () => {
      const counter = { gets: 0 };
      const host = await registry(true, counter);
      const client = new RegistryClient(host, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
      const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length };
      prefetchBlobs(client, `lib/cut${waitMs}`, [desc], () => false);
      if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
      const content = store();
      expect(await fetchBlob(client, content, `lib/cut${waitMs}`, desc)).toBe(true);
      expect((await content.readBytes(digest)).equals(blob)).toBe(true);
      expect(counter.gets).toBe(2);
    });
  }
});

describe('blob prefetch, content that does not match its digest', () => {
  it('is rejected and not stored, as the pull\'s own download would be', async () => {
    const host = await registry();
    const client = new RegistryClient(host, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const wrong = `sha256:${'2'.repeat(64)}`;
    const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: wrong, size: blob.length };
    prefetchBlobs(client, 'lib/bad', [desc], () => false);
    const content = store();
    const err = await fetchBlob(client, content, 'lib/bad', desc).then(() => undefined, (e: unknown) => e as { code?: string; message: string });
    expect(err?.code).toBe('DIGEST_INVALID');
    expect(err?.message).toContain(`lib/bad@${wrong}: blob rejected`);
    expect(await content.has(wrong)).toBe(false);
  });
});

describe('blob prefetch, a registry with token auth', () => {
  it('answers the 401 challenge once, and the pull takes the authorized download', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      seen.push(`${req.url!.split('?')[0]} ${auth}`);
      if (req.url!.startsWith('/token')) {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ token: 'T1' }));
      }
      if (auth !== 'Bearer T1') {
        const { port } = server.address() as { port: number };
        res.statusCode = 401;
        res.setHeader('www-authenticate', `Bearer realm="http://127.0.0.1:${port}/token",service="reg",scope="repository:lib/tok:pull"`);
        return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
      res.setHeader('content-length', blob.length);
      res.end(blob);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = new RegistryClient(host, { credentials: async () => undefined, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length };
    prefetchBlobs(client, 'lib/tok', [desc], () => false);
    const content = store();
    expect(await fetchBlob(client, content, 'lib/tok', desc)).toBe(true);
    expect((await content.readBytes(digest)).equals(blob)).toBe(true);
    expect(seen.filter((l) => l.startsWith('/v2/')).map((l) => l.split(' ')[1] ?? '')).toEqual(['', 'Bearer']);
  });
});

describe('blob prefetch, a pull waiting for a download the agent still queues', () => {
  it('keeps the process alive (the queued request has no socket to reference yet)', async () => {
    // A registry in another process (its sockets are not this process's handles) that never answers.
    const child = spawn(process.execPath, ['-e', `require('node:http').createServer(() => {}).listen(0, '127.0.0.1', function () { console.log(this.address().port); })`],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const [line] = await once(child.stdout!, 'data') as [Buffer];
    const host = `127.0.0.1:${line.toString().trim()}`;
    const client = new RegistryClient(host);
    // 17 small layers: the agent runs 16 requests per host (unreferenced: nobody took them), the 17th waits.
    const descs = Array.from({ length: 17 }, (_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${i.toString(16).padStart(64, 'a')}`, size: 10 }));
    prefetchBlobs(client, 'lib/many', descs, () => false);
    await new Promise((r) => setTimeout(r, 300)); // the 16 are on the wire
    const referenced = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const before = referenced();
    const taken = takePrefetched(client.host, 'lib/many', descs[16]!.digest)!;
    const reading = taken.body[Symbol.asyncIterator]().next().catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    // Without a referenced handle Node would end the process here, in the middle of the pull.
    expect(referenced()).toBeGreaterThan(before);
    taken.destroy();
    for (const d of descs.slice(0, 16)) takePrefetched(client.host, 'lib/many', d.digest)?.destroy();
    await reading;
  });
});
