// Layer downloads started by the metadata lookup (src/registry/blob-prefetch.ts): a pull takes
// the bytes instead of asking again, a failed prefetch leaves the pull its own request, and a
// prefetch nobody takes never keeps the process alive (its socket is unreferenced).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentStore } from '../../src/content/store.js';
import { prefetchBlobs, takePrefetched } from '../../src/registry/blob-prefetch.js';
import { RegistryClient } from '../../src/registry/client.js';
import { fetchBlob } from '../../src/registry/pull.js';

const blob = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length };

// The registry runs in a child process, so that this process's own handles are only the client's.
const SERVER = `
const http = require('node:http');
const blob = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7) % 256));
let gets = 0;
const mode = process.argv[1];
http.createServer((req, res) => {
  gets++;
  process.stdout.write('get\\n');
  if (mode === 'stall') return; // never answers
  if (mode === 'fail' && gets === 1) { res.statusCode = 404; return res.end('{"errors":[{"code":"BLOB_UNKNOWN"}]}'); }
  res.setHeader('content-length', blob.length);
  res.end(blob);
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });
`;

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The registry's address, and how many requests it got so far (it reports each on stdout). */
async function registry(mode: 'ok' | 'fail' | 'stall'): Promise<{ host: string; gets: () => Promise<number> }> {
  const child = spawn(process.execPath, ['-e', SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [line] = await once(child.stdout!, 'data') as [Buffer];
  const host = `127.0.0.1:${line.toString().trim()}`;
  let gets = 0;
  child.stdout!.on('data', (d: Buffer) => { gets += d.toString().split('get').length - 1; });
  return { host, gets: async () => { await new Promise((r) => setTimeout(r, 20)); return gets; } };
}

function store(): ContentStore {
  const d = mkdtempSync(path.join(tmpdir(), 'slipway-prefetch-'));
  dirs.push(d);
  return new ContentStore(d);
}

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('blob prefetch', () => {
  it('a pull takes the prefetched bytes: one request, the blob stored verified', async () => {
    const reg = await registry('ok');
    const client = new RegistryClient(reg.host);
    prefetchBlobs(client, 'lib/x', [desc], () => false);
    const content = store();
    const seen: Buffer[] = [];
    await fetchBlob(client, content, 'lib/x', desc, {
      sink: async (bytes) => { for await (const c of bytes) seen.push(Buffer.from(c)); },
    });
    expect(readFileSync(content.path(digest)).equals(blob)).toBe(true);
    expect(Buffer.concat(seen).equals(blob)).toBe(true);
    expect(await reg.gets()).toBe(1);
    expect(takePrefetched(client.host, 'lib/x', digest)).toBeUndefined(); // taken once only
  });

  it('skips blobs already present; a failed prefetch leaves the pull its own request', async () => {
    const reg = await registry('fail');
    const client = new RegistryClient(reg.host);
    prefetchBlobs(client, 'lib/y', [desc], () => true);
    expect(takePrefetched(client.host, 'lib/y', digest)).toBeUndefined();
    prefetchBlobs(client, 'lib/z', [desc], () => false);
    await new Promise((r) => setTimeout(r, 300)); // the 404 arrives
    const content = store();
    await fetchBlob(client, content, 'lib/z', desc);
    expect(readFileSync(content.path(digest)).equals(blob)).toBe(true);
    expect(await reg.gets()).toBe(2);
  });

  it('an untaken prefetch holds no referenced socket; taking it references it', async () => {
    const reg = await registry('stall');
    const client = new RegistryClient(reg.host);
    const before = tcpSockets();
    prefetchBlobs(client, 'lib/s', [{ ...desc, digest: `sha256:${'1'.repeat(64)}` }], () => false);
    for (let i = 0; i < 50 && (await reg.gets()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await reg.gets()).toBe(1);
    expect(tcpSockets()).toBe(before);
    const taken = takePrefetched(client.host, 'lib/s', `sha256:${'1'.repeat(64)}`)!;
    expect(taken).toBeDefined();
    expect(tcpSockets()).toBe(before + 1);
    taken.destroy();
  });
});
