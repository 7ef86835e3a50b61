// Integration tests against the real CNCF distribution registry started by
// scripts/testenv/setup.sh, with a counting / fault-injecting proxy of our own in front.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/content/digest.js';
import { MediaType } from '../../src/content/media-types.js';
import { ContentStore } from '../../src/content/store.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { login, logout } from '../../src/registry/login.js';
import { pullImage } from '../../src/registry/pull.js';
import { pushImage } from '../../src/registry/push.js';
import { resolveImageConfig } from '../../src/registry/resolve-config.js';
import { ImageStore } from '../../src/store/image-store.js';
import { RegistryProxy } from '../helpers/proxy.js';
import { testEnv, type TestEnv } from '../helpers/testenv.js';

let env: TestEnv;
let plain: string;
let tmp: string;
const roots: string[] = [];
const proxies: RegistryProxy[] = [];
const run = randomBytes(4).toString('hex');

beforeAll(async () => {
  env = testEnv();
  plain = env.registries.plain;
  tmp = await mkdtemp(path.join(tmpdir(), 'slipway-registry-'));
  process.env.DOCKER_CONFIG = path.join(tmp, 'docker-config');
  process.env.SLIPWAY_REGISTRY_RETRY_DELAY_MS = '5';
  process.env.SLIPWAY_REGISTRY_ATTEMPTS = '4';
});
afterEach(async () => {
  while (proxies.length) await proxies.pop()!.close();
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function newRoot(): Promise<string> {
  const r = await mkdtemp(path.join(tmp, 'root-'));
  roots.push(r);
  return r;
}
async function proxy(opts?: Parameters<typeof RegistryProxy.start>[1]): Promise<RegistryProxy> {
  const p = await RegistryProxy.start(plain, opts);
  proxies.push(p);
  return p;
}
function skopeo(...args: string[]): string {
  return execFileSync(env.tools.skopeo, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
async function storeFiles(root: string): Promise<{ blobs: string[]; ingest: string[] }> {
  const list = async (d: string) => readdir(path.join(root, 'store', d)).catch(() => [] as string[]);
  return { blobs: await list('blobs/sha256'), ingest: await list('ingest') };
}
/** Every blob's content matches its name. */
async function assertStoreValid(root: string): Promise<void> {
  const { blobs } = await storeFiles(root);
  for (const hex of blobs) {
    const data = await readFile(path.join(root, 'store', 'blobs', 'sha256', hex));
    expect(createHash('sha256').update(data).digest('hex')).toBe(hex);
  }
}
/** The busybox layer's digest, read from the OCI layout setup.sh made. */
async function busyboxLayerDigest(): Promise<string> {
  const hex = env.images.busybox.manifestDigest.slice('sha256:'.length);
  const m = JSON.parse(await readFile(path.join(env.images.busybox.layout, 'blobs', 'sha256', hex), 'utf8')) as { layers: Array<{ digest: string }> };
  return m.layers[0]!.digest;
}
function busyboxRef(host = plain, tag = 'latest'): string {
  return `${host}/library/busybox:${tag}`;
}

describe('pull', () => {
  it('pulls an OCI image: blobs verified, index.json records the name, output like docker pull', async () => {
    const root = await newRoot();
    const lines: string[] = [];
    const progress = { line: (t: string) => lines.push(t), layer: (id: string, s: string, cur?: number) => cur === undefined && lines.push(`${id}: ${s}`), done: () => {} };
    const res = await pullImage(busyboxRef(), { root, progress });
    expect(res.target.digest).toBe(env.images.busybox.manifestDigest);
    expect(res.target.mediaType).toBe(MediaType.OCI_MANIFEST);
    expect(res.config.rootfs.diff_ids).toHaveLength(1);
    expect(res.downloaded).toBe(1);
    const layer = (JSON.parse((await new ContentStore(root).readBytes(res.manifest.digest)).toString()) as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    expect(lines).toEqual([
      'latest: Pulling from library/busybox',
      `${layer.slice(7, 19)}: Pulling fs layer`,
      `${layer.slice(7, 19)}: Pull complete`,
      `Digest: ${env.images.busybox.manifestDigest}`,
      `Status: Downloaded newer image for ${plain}/library/busybox:latest`,
    ]);
    await assertStoreValid(root);
    expect((await storeFiles(root)).blobs).toHaveLength(3);
    const rec = await new ImageStore(root, new ContentStore(root)).resolve(busyboxRef());
    expect(rec?.target.digest).toBe(env.images.busybox.manifestDigest);
    expect(rec?.digests).toEqual([`${plain}/library/busybox@${env.images.busybox.manifestDigest}`]);
    // Pulling again changes nothing and says so.
    const again = await pullImage(busyboxRef(), { root });
    expect(again.newer).toBe(false);
    expect(again.downloaded).toBe(0);
  });

  it('pulls by digest; a digest the content does not match is refused', async () => {
    const root = await newRoot();
    const digest = env.images.busybox.manifestDigest;
    const lines: string[] = [];
    const progress = { line: (t: string) => lines.push(t), layer: () => {}, done: () => {} };
    const res = await pullImage(`${plain}/library/busybox@${digest}`, { root, progress });
    expect(res.target.digest).toBe(digest);
    expect(lines[0]).toBe(`${digest}: Pulling from library/busybox`);
    const rec = await new ImageStore(root, new ContentStore(root)).resolve(`${plain}/library/busybox@${digest}`);
    expect(rec?.target.digest).toBe(digest);
    // the proxy serves the v2s2 manifest under the OCI manifest's digest
    const p = await proxy();
    const v2s2 = skopeo('inspect', '--raw', '--tls-verify=false', `docker://${busyboxRef(plain, 'v2s2')}`);
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'body', body: v2s2 });
    const err = (await pullImage(`${p.host}/library/busybox@${digest}`, { root: await newRoot() }).catch((e: unknown) => e)) as RegistryError;
    expect(err.code).toBe('DIGEST_INVALID');
    expect(err.message).toContain(`manifest digest mismatch: asked for ${digest}`);
  });

  it('pulls a Docker schema2 image sharing the layer (stored once)', async () => {
    const root = await newRoot();
    await pullImage(busyboxRef(), { root });
    const res = await pullImage(busyboxRef(plain, 'v2s2'), { root });
    expect(res.target.digest).toBe(env.images.busybox.v2s2ManifestDigest);
    expect(res.target.mediaType).toBe(MediaType.DOCKER_MANIFEST);
    expect(res.downloaded).toBe(0);
    // OCI manifest + v2s2 manifest + one config each (the v2s2 config has the same bytes) + one layer
    expect((await storeFiles(root)).blobs.length).toBe(4);
  });

  it('zstd and uncompressed layers are pulled as blobs like gzip ones', async () => {
    const client = new RegistryClient(plain);
    const repo = `slipway-test/zstd-${run}`;
    const upload = async (data: Buffer) => {
      const loc = await client.startUpload(repo, 'test');
      await client.putBlob(repo, loc, digestOf(data), data.length, () => data, 'test');
      return digestOf(data);
    };
    const zstdLayer = execFileSync('zstd', ['-q', '-c'], { input: Buffer.alloc(4096, 1) });
    const rawLayer = Buffer.alloc(2048, 2);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(Buffer.alloc(4096, 1)), digestOf(rawLayer)] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OCI_MANIFEST,
        config: { mediaType: MediaType.OCI_CONFIG, digest: await upload(config), size: config.length },
        layers: [
          { mediaType: MediaType.OCI_LAYER_ZSTD, digest: await upload(zstdLayer), size: zstdLayer.length },
          { mediaType: MediaType.OCI_LAYER, digest: await upload(rawLayer), size: rawLayer.length },
        ],
      }),
    );
    await client.putManifest(repo, 'z', manifest, MediaType.OCI_MANIFEST, 'test');
    const root = await newRoot();
    const res = await pullImage(`${plain}/${repo}:z`, { root });
    expect(res.target.digest).toBe(digestOf(manifest));
    expect(res.downloaded).toBe(2);
    const content = new ContentStore(root);
    expect(await content.readBytes(digestOf(zstdLayer))).toEqual(zstdLayer);
    expect(await content.readBytes(digestOf(rawLayer))).toEqual(rawLayer);
  });

  it('unknown image: error names the reference and the registry answer', async () => {
    const root = await newRoot();
    const ref = `${plain}/library/busybox:no-such-tag-${run}`;
    const err = await pullImage(ref, { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    const e = err as RegistryError;
    expect(e.status).toBe(404);
    expect(e.reference).toBe(ref);
    expect(e.message).toContain(ref);
    expect(e.message).toMatch(/404 Not Found \(MANIFEST_UNKNOWN/);
    const err2 = (await pullImage(`${plain}/nobody/nothing-${run}`, { root }).catch((x: unknown) => x)) as RegistryError;
    expect(err2.status).toBe(404);
    expect(err2.message).toMatch(/NAME_UNKNOWN|MANIFEST_UNKNOWN/);
    expect((await storeFiles(root)).blobs).toEqual([]);
  });

  it('image index: picks linux/amd64, stores the index, errors list the platforms offered', async () => {
    const root = await newRoot();
    const repo = `slipway-test/multi-${run}`;
    const content = new ContentStore(root);
    await pullImage(busyboxRef(), { root, content });
    // Make a two-platform index in the registry (both entries point at the busybox manifest).
    const client = new RegistryClient(plain);
    await pushImage(busyboxRef(), { root, content }); // ensure the blobs are in library/busybox
    const seed = await new ImageStore(root, content).resolve(busyboxRef());
    await new ImageStore(root, content).tag(`${plain}/${repo}:single`, seed!.target);
    await pushImage(`${plain}/${repo}:single`, { root, content });
    const m = seed!.target;
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: [
          { mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    );
    await client.putManifest(repo, 'multi', index, MediaType.OCI_INDEX, 'index');
    const root2 = await newRoot();
    const res = await pullImage(`${plain}/${repo}:multi`, { root: root2 });
    expect(res.target).toMatchObject({ mediaType: MediaType.OCI_INDEX, digest: digestOf(index) });
    expect(res.manifest.digest).toBe(m.digest);
    expect(res.manifest.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(await new ContentStore(root2).has(digestOf(index))).toBe(true);
    const rec = await new ImageStore(root2, new ContentStore(root2)).resolve(`${plain}/${repo}:multi`);
    expect(rec?.target.digest).toBe(digestOf(index));
    const err = await pullImage(`${plain}/${repo}:multi`, { root: root2, platform: { os: 'linux', architecture: 's390x' } }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no manifest for platform linux\/s390x .*platforms offered: linux\/arm64\/v8, linux\/amd64/);
  });
});

describe('push', () => {
  it('pull → tag → push → pull keeps digests; skopeo reads what was pushed', async () => {
    const root = await newRoot();
    const content = new ContentStore(root);
    const pulled = await pullImage(busyboxRef(), { root, content });
    const name = `${plain}/slipway-test/roundtrip-${run}:v1`;
    await new ImageStore(root, content).tag(name, pulled.target);
    const lines: string[] = [];
    const progress = { line: (t: string) => lines.push(t), layer: () => {}, done: () => {} };
    const pushed = await pushImage(name, { root, content, progress });
    expect(pushed.digest).toBe(pulled.target.digest);
    expect(lines[0]).toBe(`The push refers to repository [${plain}/slipway-test/roundtrip-${run}]`);
    expect(lines.at(-1)).toBe(`v1: digest: ${pulled.target.digest} size: ${pulled.target.size}`);
    // the layer and config were mounted from library/busybox (known source, same registry)
    expect(pushed.mounted + pushed.skipped).toBe(2);

    const raw = skopeo('inspect', '--raw', '--tls-verify=false', `docker://${name}`);
    expect(digestOf(raw)).toBe(pulled.target.digest);
    const info = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${name}`)) as { Digest: string; Layers: string[] };
    expect(info.Digest).toBe(pulled.target.digest);
    const ociDir = path.join(tmp, `skopeo-${run}`);
    skopeo('copy', '-q', '--src-tls-verify=false', `docker://${name}`, `oci:${ociDir}:v1`);

    const root2 = await newRoot();
    const again = await pullImage(name, { root: root2 });
    expect(again.target.digest).toBe(pulled.target.digest);
    expect(again.config).toEqual(pulled.config);
  });

  it('pushing an image whose blobs exist sends only the manifest', async () => {
    const root = await newRoot();
    const content = new ContentStore(root);
    const pulled = await pullImage(busyboxRef(), { root, content });
    const p = await proxy();
    const name = `${p.host}/library/busybox:copy-${run}`;
    await new ImageStore(root, content).tag(name, pulled.target);
    const res = await pushImage(name, { root, content });
    expect(res).toMatchObject({ uploaded: 0, mounted: 0, skipped: 2 });
    expect(p.count('HEAD', /\/blobs\//)).toBe(2);
    expect(p.count('PUT', /\/manifests\//)).toBe(1);
    expect(p.requests.filter((r) => r.method !== 'HEAD' && !/\/manifests\//.test(r.path) && r.path !== '/v2/')).toEqual([]);
  });

  it('mounts blobs from another repository of the same registry', async () => {
    const root = await newRoot();
    const content = new ContentStore(root);
    const p = await proxy();
    const pulled = await pullImage(`${p.host}/library/busybox:latest`, { root, content });
    const name = `${p.host}/slipway-test/mounted-${run}:x`;
    await new ImageStore(root, content).tag(name, pulled.target);
    p.clear();
    const res = await pushImage(name, { root, content });
    expect(res).toMatchObject({ uploaded: 0, mounted: 2, skipped: 0 });
    const mounts = p.requests.filter((r) => r.method === 'POST' && /mount=sha256/.test(r.path));
    expect(mounts.map((r) => r.status)).toEqual([201, 201]);
    expect(mounts[0]!.path).toContain('from=library%2Fbusybox');
    expect(p.count('PATCH', /./) + p.count('PUT', /\/blobs\//)).toBe(0);
  });

  it('uploads monolithically below the threshold and in PATCH chunks above it', async () => {
    const root = await newRoot();
    const content = new ContentStore(root);
    const pulled = await pullImage(busyboxRef(), { root, content });
    await rm(path.join(root, 'store', 'sources.json'), { force: true }); // forget where blobs came from: no mount
    const p = await proxy();
    const name = `${p.host}/slipway-test/chunked-${run}:c`;
    await new ImageStore(root, content).tag(name, pulled.target);
    const layer = (JSON.parse((await content.readBytes(pulled.manifest.digest)).toString()) as { layers: Array<{ size: number }> }).layers[0]!;
    const chunk = 256 * 1024;
    const res = await pushImage(name, { root, content, chunkThreshold: 64 * 1024, chunkSize: chunk });
    expect(res.uploaded).toBe(2);
    expect(p.count('PATCH', /\/blobs\/uploads\//)).toBe(Math.ceil(layer.size / chunk));
    // config (small) went up in one PUT with the body; layer closed by an empty PUT
    expect(p.count('PUT', /\/blobs\/uploads\/.*digest=/)).toBe(2);
    const root2 = await newRoot();
    expect((await pullImage(name, { root: root2 })).target.digest).toBe(pulled.target.digest);
    await assertStoreValid(root2);
  });

  it('a failed upload (500 on PUT, reset during PATCH) starts over and succeeds', async () => {
    const root = await newRoot();
    const content = new ContentStore(root);
    const pulled = await pullImage(busyboxRef(), { root, content });
    await rm(path.join(root, 'store', 'sources.json'), { force: true });
    const p = await proxy();
    p.addFault({ method: 'PUT', path: /\/blobs\/uploads\//, kind: 'status', status: 500, times: 1 });
    p.addFault({ method: 'PATCH', path: /\/blobs\/uploads\//, kind: 'status', status: 502, times: 1 });
    const name = `${p.host}/slipway-test/retried-${run}:r`;
    await new ImageStore(root, content).tag(name, pulled.target);
    const res = await pushImage(name, { root, content, chunkThreshold: 64 * 1024, chunkSize: 512 * 1024 });
    expect(res.uploaded).toBe(2);
    expect(p.requests.filter((r) => r.status >= 500)).toHaveLength(2);
    expect(digestOf(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${env.registries.plain}/slipway-test/retried-${run}:r`))).toBe(pulled.target.digest);
  });

  it('unknown local image: Docker wording', async () => {
    const root = await newRoot();
    await expect(pushImage(`${plain}/nope/nope:1`, { root })).rejects.toThrow('An image does not exist locally with the tag: 127.0.0.1:5100/nope/nope:1');
  });
});

describe('authentication', () => {
  it('Basic: 401 tells the user to log in; login stores 0600 credentials; logout removes them', async () => {
    const auth = env.registries.auth;
    const root = await newRoot();
    const err = (await pullImage(busyboxRef(auth), { root }).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(401);
    expect(err.message).toContain(`slipway login ${auth}`);
    expect(err.message).toContain(busyboxRef(auth));

    await expect(login(auth, { username: env.auth.username, password: 'wrong' })).rejects.toThrow(
      `login attempt to http://${auth}/v2/ failed with status: 401 Unauthorized`,
    );
    const cfgFile = path.join(process.env.DOCKER_CONFIG!, 'config.json');
    await expect(stat(cfgFile)).rejects.toThrow();

    await login(auth, { username: env.auth.username, password: env.auth.password });
    expect((await stat(cfgFile)).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(await readFile(cfgFile, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(cfg.auths[auth]!.auth, 'base64').toString()).toBe(`${env.auth.username}:${env.auth.password}`);

    // a fresh client (new process) picks the credentials up from the file
    const client = new RegistryClient(auth);
    const root2 = await newRoot();
    const res = await pullImage(busyboxRef(auth), { root: root2, client });
    expect(res.target.digest).toBe(env.images.busybox.manifestDigest);

    expect(await logout(auth)).toBe(true);
    expect(await logout(auth)).toBe(false);
    const after = (await pullImage(busyboxRef(auth), { root: await newRoot(), client: new RegistryClient(auth) }).catch((e: unknown) => e)) as RegistryError;
    expect(after.status).toBe(401);
  });

  it('Bearer: anonymous token flow, one token per scope, reused', async () => {
    const p = await proxy({ bearer: {} });
    const root = await newRoot();
    const client = new RegistryClient(p.host);
    await pullImage(`${p.host}/library/busybox:latest`, { root, client });
    await pullImage(`${p.host}/library/busybox:v2s2`, { root, client });
    expect(p.tokenRequests).toHaveLength(1);
    expect(p.tokenRequests[0]).toMatchObject({ scope: ['repository:library/busybox:pull'], service: 'slipway-test' });
    // all registry requests after the first challenge carried the token
    expect(p.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('Bearer: credentialed token request; bad credentials give a login hint', async () => {
    const p = await proxy({ bearer: { username: 'alice', password: 's3cret' } });
    const good = new RegistryClient(p.host, { credentials: async () => ({ username: 'alice', password: 's3cret' }) });
    const res = await pullImage(`${p.host}/library/busybox:latest`, { root: await newRoot(), client: good });
    expect(res.target.digest).toBe(env.images.busybox.manifestDigest);
    expect(p.tokenRequests.at(-1)?.authorized).toBe(true);
    const bad = new RegistryClient(p.host, { credentials: async () => ({ username: 'alice', password: 'nope' }) });
    const err = (await pullImage(`${p.host}/library/busybox:latest`, { root: await newRoot(), client: bad }).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(401);
    expect(err.message).toContain(`slipway login ${p.host}`);
  });
});

describe('faults', () => {
  it('retries 500s and 429 on manifests and blobs', async () => {
    const p = await proxy();
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'status', status: 503, times: 1 });
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'status', status: 429, times: 1, headers: { 'retry-after': '0' } });
    p.addFault({ method: 'GET', path: /\/blobs\/sha256:/, kind: 'status', status: 500, times: 2 });
    const root = await newRoot();
    const res = await pullImage(`${p.host}/library/busybox:latest`, { root });
    expect(res.target.digest).toBe(env.images.busybox.manifestDigest);
    expect(p.requests.filter((r) => r.status >= 500 || r.status === 429)).toHaveLength(4);
    await assertStoreValid(root);
  });

  it('a persistent 500 fails after bounded attempts with the status in the error', async () => {
    const p = await proxy();
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'status', status: 500 });
    const err = (await pullImage(`${p.host}/library/busybox:latest`, { root: await newRoot() }).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/500 Internal Server Error/);
    expect(p.count('GET', /\/manifests\//)).toBe(4);
  });

  it('a connection reset mid-blob is retried; nothing half-written stays', async () => {
    const p = await proxy();
    const layer = await busyboxLayerDigest();
    p.addFault({ method: 'GET', path: new RegExp(`/blobs/${layer}`), kind: 'reset', afterBytes: 50_000, times: 2 });
    const root = await newRoot();
    const res = await pullImage(`${p.host}/library/busybox:latest`, { root });
    expect(res.downloaded).toBe(1);
    // the ~1 MB layer was cut twice after 50 kB, then served whole
    expect(p.requests.filter((r) => r.path.includes(layer) && r.method === 'GET').length).toBe(3);
    expect((await storeFiles(root)).ingest).toEqual([]);
    await assertStoreValid(root);
  });

  it('a blob with the wrong digest is rejected, not stored, and the store stays valid', async () => {
    const p = await proxy();
    const root = await newRoot();
    const content = new ContentStore(root);
    p.addFault({ method: 'GET', path: /\/blobs\/sha256:/, kind: 'corrupt' });
    const ref = `${p.host}/library/busybox:latest`;
    const err = (await pullImage(ref, { root, content }).catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe('DIGEST_INVALID');
    expect(err.message).toMatch(/digest mismatch/);
    const files = await storeFiles(root);
    expect(files.ingest).toEqual([]);
    expect(files.blobs).toEqual([]); // neither the bad blobs nor the manifest
    expect(await new ImageStore(root, content).resolve(ref)).toBeUndefined();
    await assertStoreValid(root);
  });

  it('a layer sink reads the layer while it downloads and sees its end only once it is stored', async () => {
    const p = await proxy();
    const layer = await busyboxLayerDigest();
    const root = await newRoot();
    const content = new ContentStore(root);
    let read: Buffer | undefined;
    let storedAtEnd = false;
    const res = await pullImage(`${p.host}/library/busybox:latest`, {
      root, content,
      layerSink: async (desc, index, config) => {
        expect(desc.digest).toBe(layer);
        expect(index).toBe(0);
        expect(config.rootfs.diff_ids).toHaveLength(1);
        return async (bytes) => {
          const parts: Buffer[] = [];
          for await (const c of bytes) parts.push(Buffer.from(c));
          storedAtEnd = await content.has(layer);
          read = Buffer.concat(parts);
        };
      },
    });
    expect(res.downloaded).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(storedAtEnd).toBe(true);
    expect(read?.equals(await content.readBytes(layer))).toBe(true);
  });

  it('a layer sink fails on a corrupt or cut download; a retried download does not call it again', async () => {
    const layer = await busyboxLayerDigest();
    for (const fault of [{ kind: 'corrupt' as const }, { kind: 'reset' as const, afterBytes: 50_000, times: 1 }]) {
      const p = await proxy();
      p.addFault({ method: 'GET', path: new RegExp(`/blobs/${layer}`), ...fault });
      const root = await newRoot();
      const outcomes: Array<Promise<unknown>> = [];
      const pulled = pullImage(`${p.host}/library/busybox:latest`, {
        root,
        layerSink: async () => async (bytes) => {
          const done = (async () => { for await (const _ of bytes) { /* read */ } })();
          outcomes.push(done);
          await done;
        },
      });
      if (fault.kind === 'corrupt') await expect(pulled).rejects.toThrow(/digest mismatch/);
      else expect((await pulled).downloaded).toBe(1);
      expect(outcomes).toHaveLength(1);
      await expect(outcomes[0]).rejects.toThrow(fault.kind === 'corrupt' ? /digest mismatch/ : /./);
      expect((await storeFiles(root)).ingest).toEqual([]);
      await assertStoreValid(root);
    }
  });

  it('malformed manifests: bad JSON, unknown media type, over 4 MiB', async () => {
    const p = await proxy();
    const ref = `${p.host}/library/busybox:latest`;
    const root = await newRoot();
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'body', body: '{"schemaVersion":2,', times: 1 });
    await expect(pullImage(ref, { root })).rejects.toThrow(/invalid manifest: not valid JSON/);
    p.addFault({
      method: 'GET',
      path: /\/manifests\//,
      kind: 'body',
      body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-bogus', config: {}, layers: [] }),
      headers: { 'content-type': 'application/x-bogus' },
      times: 1,
    });
    await expect(pullImage(ref, { root })).rejects.toThrow(/unsupported media type "application\/x-bogus"/);
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'body', body: Buffer.alloc(4 * 1024 * 1024 + 10, 0x20), times: 1 });
    await expect(pullImage(ref, { root })).rejects.toThrow(/manifest too large/);
    p.addFault({ method: 'GET', path: /\/manifests\//, kind: 'body', body: JSON.stringify({ schemaVersion: 1, name: 'x' }), times: 1 });
    await expect(pullImage(ref, { root })).rejects.toThrow(/schema 1 manifests are not supported/);
    expect((await storeFiles(root)).blobs).toEqual([]);
  });
});

describe('resolveImageConfig', () => {
  it('answers from the registry without storing, then from the local store', async () => {
    const root = await newRoot();
    const p = await proxy();
    const ref = `${p.host}/library/busybox:latest`;
    const remote = await resolveImageConfig(ref, { root });
    expect(remote).toMatchObject({ ref, digest: env.images.busybox.manifestDigest, source: 'registry' });
    expect(remote.config.config?.Cmd).toEqual(['sh']);
    expect((await storeFiles(root)).blobs).toEqual([]);
    const pulled = await resolveImageConfig(ref, { root, pull: true });
    expect(pulled.source).toBe('registry');
    await p.close();
    proxies.length = 0;
    const local = await resolveImageConfig(ref, { root });
    expect(local).toMatchObject({ ref, digest: env.images.busybox.manifestDigest, source: 'local' });
    expect(local.config).toEqual(remote.config);
  });

  it('a build\'s metadata lookup then its pull by digest fetch the manifest and the config once', async () => {
    const root = await newRoot();
    const p = await proxy();
    const remote = await resolveImageConfig(`${p.host}/library/busybox:latest`, { root });
    const res = await pullImage(`${p.host}/library/busybox@${remote.digest}`, { root });
    expect(res.manifest.digest).toBe(env.images.busybox.manifestDigest);
    expect(p.count('GET', /\/manifests\//)).toBe(1);
    const config = JSON.parse(await readFile(path.join(env.images.busybox.layout, 'blobs', 'sha256', remote.digest.slice(7)), 'utf8')) as { config: { digest: string } };
    expect(p.count('GET', new RegExp(`/blobs/${config.config.digest}$`))).toBe(1);
    // The config reached the store from memory, verified as any fetched blob.
    expect(await new ContentStore(root).has(config.config.digest)).toBe(true);
  });
});
