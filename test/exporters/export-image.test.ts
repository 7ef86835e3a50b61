// Every output type, checked by outside tools (skopeo, umoci, oci-image-tool, the real
// registry), plus reproducibility, compression variants, base-layer reuse and memoization.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageConfig, ImageIndex, ImageManifest } from '../../src/content/descriptor.js';
import { digestOf } from '../../src/content/digest.js';
import { ContentStore } from '../../src/content/store.js';
import { exportedImage, exportImage, type ExportImageOptions, type ExportResult } from '../../src/exporters/export-image.js';
import { sourceDateEpoch } from '../../src/exporters/epoch.js';
import { INLINE_CACHE_KEY } from '../../src/exporters/image-document.js';
import { iidfileContent, metadataFileContent, writeIidFile, writeMetadataFile } from '../../src/exporters/metadata.js';
import { parseOutputs } from '../../src/exporters/outputs.js';
import { readLayerMeta } from '../../src/solver/layer-meta.js';
import { openImageStore } from '../../src/store/open.js';
import { testEnv } from '../helpers/testenv.js';
import { listTar } from '../solver/snapshot/tar-fixtures.js';
import { BASE_CREATED, EXPECTED_ROOTFS, makeChain, requireTool, run, tempDir, type Chain } from './fixtures.js';

const work = tempDir();
afterAll(() => rmSync(work, { recursive: true, force: true }));

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path.join(dir, r));
      if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(path.join(dir, r))}`;
      else out[r] = readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

async function exportWith(chain: Chain, specs: string[], extra: Partial<ExportImageOptions> = {}, tags: string[] = []): Promise<ExportResult> {
  return exportImage({
    root: chain.root, layers: chain.layers, image: chain.image, baseImage: chain.baseImage,
    outputs: parseOutputs(specs, { tags }), ...extra,
  });
}

function blobJSON<T>(root: string, digest: string): T {
  return JSON.parse(readFileSync(new ContentStore(root).path(digest), 'utf8')) as T;
}

let chain: Chain;
beforeAll(async () => {
  for (const tool of ['skopeo', 'umoci', 'oci-image-tool', 'zstd']) requireTool(tool);
  chain = await makeChain(path.join(work, 'root'));
});

describe('exportImage: image documents', () => {
  it('config: diff_ids from the layers, history aligned, created from the base (no wall clock), stable JSON', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/app:1']);
    const manifest = blobJSON<ImageManifest>(chain.root, r.manifestDescriptor!.digest);
    const config = blobJSON<ImageConfig>(chain.root, r.configDescriptor!.digest);
    expect(r.imageID).toBe(r.configDescriptor!.digest);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: r.configDescriptor!.digest, size: r.configDescriptor!.size });
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    expect(config.rootfs.diff_ids).toHaveLength(3);
    expect(config.rootfs.diff_ids[0]).toBe(chain.baseBlob.diffID);
    expect(config.created).toBe(BASE_CREATED);
    expect(config.history!.map((h) => [h.created, !!h.empty_layer])).toEqual([
      [BASE_CREATED, false], [BASE_CREATED, true], [BASE_CREATED, false], [BASE_CREATED, true], [BASE_CREATED, false],
    ]);
    // Go's escaping of <, >, & in the config (BuildKit hashes what Go writes)
    expect(readFileSync(new ContentStore(chain.root).path(r.configDescriptor!.digest), 'utf8')).toContain('ENV A=\\u003cb\\u003e\\u0026c');
    // the manifest is indented like BuildKit's
    expect(readFileSync(new ContentStore(chain.root).path(r.manifestDescriptor!.digest), 'utf8')).toMatch(/^\{\n {2}"schemaVersion": 2,\n {2}"mediaType"/);
    // every new layer's tar decompresses to its diffID
    for (let i = 0; i < 3; i++) {
      const gz = readFileSync(new ContentStore(chain.root).path(manifest.layers[i]!.digest));
      expect(digestOf(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 1 << 26 }))).toBe(config.rootfs.diff_ids[i]);
    }
  });

  it('SOURCE_DATE_EPOCH sets created (config and new history), keeps base history, and clamps new-layer mtimes', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/epoch:1,rewrite-timestamp=true'], { epoch: 1700000000 });
    const config = blobJSON<ImageConfig>(chain.root, r.configDescriptor!.digest);
    const manifest = blobJSON<ImageManifest>(chain.root, r.manifestDescriptor!.digest);
    expect(config.created).toBe('2023-11-14T22:13:20Z');
    expect(config.history!.map((h) => h.created)).toEqual([BASE_CREATED, BASE_CREATED, '2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z', '2023-11-14T22:13:20Z']);
    expect(manifest.layers[0]!.annotations).toBeUndefined();
    expect(manifest.layers[1]!.annotations).toEqual({ 'buildkit/rewritten-timestamp': '1700000000' });
    const tar = execFileSync('gzip', ['-dc'], { input: readFileSync(new ContentStore(chain.root).path(manifest.layers[1]!.digest)) });
    const entries = await listTar(tar);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.header.mtime).toBeLessThanOrEqual(1700000000);
  });

  it('oci-mediatypes=false writes a Docker schema2 manifest and config types', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/docker-types:1,oci-mediatypes=false']);
    const manifest = blobJSON<ImageManifest>(chain.root, r.manifestDescriptor!.digest);
    expect(r.manifestDescriptor!.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'));
  });

  it('annotations go on the manifest (annotation.* and annotation-manifest.*)', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/ann:1,annotation.org.opencontainers.image.title=T,annotation-manifest.x=<y>']);
    const text = readFileSync(new ContentStore(chain.root).path(r.manifestDescriptor!.digest), 'utf8');
    expect(JSON.parse(text).annotations).toEqual({ 'org.opencontainers.image.title': 'T', x: '<y>' });
    expect(text).toContain('"x": "\\u003cy\\u003e"');
  });

  it('compression variants: uncompressed blobs are the tars, zstd uses the zstd type, levels give other blobs', async () => {
    const plain = await exportWith(chain, ['type=image,name=demo/plain:1,compression=uncompressed']);
    const pm = blobJSON<ImageManifest>(chain.root, plain.manifestDescriptor!.digest);
    const pc = blobJSON<ImageConfig>(chain.root, plain.configDescriptor!.digest);
    // the base layer keeps its gzip blob (no force-compression): BuildKit's behaviour
    expect(pm.layers[0]!.digest).toBe(chain.baseBlob.digest);
    expect(pm.layers.slice(1).map((l) => l.mediaType)).toEqual(Array(2).fill('application/vnd.oci.image.layer.v1.tar'));
    expect(pm.layers.slice(1).map((l) => l.digest)).toEqual(pc.rootfs.diff_ids.slice(1));

    const zstd = await exportWith(chain, ['type=image,name=demo/zstd:1,compression=zstd,force-compression=true']);
    const zm = blobJSON<ImageManifest>(chain.root, zstd.manifestDescriptor!.digest);
    const zc = blobJSON<ImageConfig>(chain.root, zstd.configDescriptor!.digest);
    expect(zm.layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
    expect(zm.layers[0]!.digest).not.toBe(chain.baseBlob.digest);
    expect(zc.rootfs.diff_ids).toEqual(pc.rootfs.diff_ids);
    for (let i = 0; i < 3; i++) {
      const out = execFileSync('zstd', ['-dc'], { input: readFileSync(new ContentStore(chain.root).path(zm.layers[i]!.digest)) });
      expect(digestOf(out)).toBe(zc.rootfs.diff_ids[i]);
    }
    const g9 = await exportWith(chain, ['type=image,name=demo/g9:1,compression-level=9']);
    const g0 = await exportWith(chain, ['type=image,name=demo/g0:1,compression-level=0']);
    const l9 = blobJSON<ImageManifest>(chain.root, g9.manifestDescriptor!.digest).layers;
    const l0 = blobJSON<ImageManifest>(chain.root, g0.manifestDescriptor!.digest).layers;
    expect(l9[0]!.digest).toBe(chain.baseBlob.digest); // the base blob was gzip -9 already
    expect(l0[2]!.digest).not.toBe(l9[2]!.digest);
    expect(l0[2]!.size).toBeGreaterThan(l9[2]!.size);
  });

  it('base layers are reused byte for byte; force-compression recompresses them with the same diffID', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/base:1']);
    const m = blobJSON<ImageManifest>(chain.root, r.manifestDescriptor!.digest);
    expect(m.layers[0]).toEqual({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: chain.baseBlob.digest, size: chain.baseBlob.size });
    const f = await exportWith(chain, ['type=image,name=demo/forced:1,compression-level=1,force-compression=true']);
    const fm = blobJSON<ImageManifest>(chain.root, f.manifestDescriptor!.digest);
    expect(fm.layers[0]!.digest).not.toBe(chain.baseBlob.digest);
    const out = execFileSync('gzip', ['-dc'], { input: readFileSync(new ContentStore(chain.root).path(fm.layers[0]!.digest)) });
    expect(digestOf(out)).toBe(chain.baseBlob.diffID);
  });

  it('memoizes: a second export does no tar work, writes nothing, and the image output confirms only', async () => {
    const spec = ['type=image,name=demo/memo:1'];
    let first = 0;
    const a = await exportWith(chain, ['type=image,name=demo/memo:1,compression-level=3'], { onTarWork: () => first++ });
    expect(first).toBe(2); // the two built layers; the base layer keeps its blob
    const meta = await readLayerMeta(chain.root, chain.layers[1]!.snapshotId);
    expect(Object.keys(meta.blobs ?? {})).toContain('gzip-3@epoch-1704164645');
    let again = 0;
    const b = await exportWith(chain, ['type=image,name=demo/memo:1,compression-level=3'], { onTarWork: () => again++ });
    expect(again).toBe(0);
    expect(b.manifestDescriptor).toEqual(a.manifestDescriptor);
    expect(b.outputsDone[0]).toMatchObject({ type: 'image', unchanged: true });
    expect(a.outputsDone[0]!.unchanged).toBe(false);
    const rec = await openImageStore(chain.root).resolve('demo/memo:1');
    expect(rec?.target.digest).toBe(a.manifestDescriptor!.digest);
    void spec;
  });

  it('is reproducible: two stores, different times and mtimes → the same manifest digest', async () => {
    const c1 = await makeChain(path.join(work, 'repro-1'), { mtime: 1_750_000_000 });
    await new Promise((r) => setTimeout(r, 1100));
    const c2 = await makeChain(path.join(work, 'repro-2'), { mtime: 1_760_000_000 });
    const r1 = await exportWith(c1, ['type=image,name=repro:1']);
    const r2 = await exportWith(c2, ['type=image,name=repro:1']);
    expect(r2.manifestDescriptor!.digest).toBe(r1.manifestDescriptor!.digest);
    // the same with SOURCE_DATE_EPOCH
    const e1 = await exportWith(c1, ['type=image,name=repro:2'], { epoch: 1700000000 });
    const e2 = await exportWith(c2, ['type=image,name=repro:2'], { epoch: 1700000000 });
    expect(e2.manifestDescriptor!.digest).toBe(e1.manifestDescriptor!.digest);
    expect(e1.manifestDescriptor!.digest).not.toBe(r1.manifestDescriptor!.digest);
    // rewrite-timestamp=false keeps mtimes as produced: then the times show through
    const k1 = await exportWith(c1, ['type=image,name=repro:3,rewrite-timestamp=false']);
    const k2 = await exportWith(c2, ['type=image,name=repro:3,rewrite-timestamp=false']);
    expect(k2.manifestDescriptor!.digest).not.toBe(k1.manifestDescriptor!.digest);
  });

  it('metadata file and iidfile content', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/meta:1,name=demo/meta:2']);
    const img = exportedImage(r)!;
    expect(metadataFileContent(img)).toEqual({
      'containerimage.config.digest': r.configDescriptor!.digest,
      'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: r.manifestDescriptor!.digest, size: r.manifestDescriptor!.size },
      'containerimage.digest': r.manifestDescriptor!.digest,
      'image.name': 'docker.io/demo/meta:1,docker.io/demo/meta:2',
    });
    expect(iidfileContent(img)).toBe(r.configDescriptor!.digest);
  });
});

describe('exportImage: outputs checked by outside tools', () => {
  it('type=oci tar: skopeo oci-archive, oci-image-tool validate, index.json names', async () => {
    const dest = path.join(work, 'out', 'image.oci.tar');
    const r = await exportWith(chain, [`type=oci,dest=${dest},annotation-manifest-descriptor.d=1`], {}, ['demo/oci:v1']);
    const info = JSON.parse(run('skopeo', ['inspect', `oci-archive:${dest}:v1`])) as { Digest: string; Layers: string[] };
    expect(info.Digest).toBe(r.manifestDescriptor!.digest);
    const dir = path.join(work, 'out', 'oci-extracted');
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xf', dest, '-C', dir]);
    expect(run('oci-image-tool', ['validate', '--type', 'image', dir])).toContain('Validation succeeded');
    const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as ImageIndex;
    expect(index.manifests).toEqual([{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: r.manifestDescriptor!.digest, size: r.manifestDescriptor!.size,
      annotations: { d: '1', 'io.containerd.image.name': 'docker.io/demo/oci:v1', 'org.opencontainers.image.ref.name': 'v1' },
    }]);
    // deterministic archive: a second export gives the same bytes
    const again = path.join(work, 'out', 'image2.oci.tar');
    await exportWith(chain, [`type=oci,dest=${again},annotation-manifest-descriptor.d=1`], {}, ['demo/oci:v1']);
    expect(digestOf(readFileSync(again))).toBe(digestOf(readFileSync(dest)));
  });

  it('type=oci,tar=false: skopeo oci:, umoci unpack gives the merged root filesystem', async () => {
    const dest = path.join(work, 'out', 'layout');
    const r = await exportWith(chain, [`type=oci,tar=false,dest=${dest}`], {}, ['demo/layout:v2']);
    const info = JSON.parse(run('skopeo', ['inspect', `oci:${dest}:v2`])) as { Digest: string };
    expect(info.Digest).toBe(r.manifestDescriptor!.digest);
    expect(run('oci-image-tool', ['validate', '--type', 'image', dest])).toContain('Validation succeeded');
    const bundle = path.join(work, 'out', 'bundle');
    run('umoci', ['unpack', '--image', `${dest}:v2`, bundle]);
    expect(readTree(path.join(bundle, 'rootfs'))).toEqual(EXPECTED_ROOTFS);
    expect(lstatSync(path.join(bundle, 'rootfs/app/main.txt')).uid).toBe(1000);
    expect(lstatSync(path.join(bundle, 'rootfs/app/hard')).ino).toBe(lstatSync(path.join(bundle, 'rootfs/app/main.txt')).ino);
    // a second image into the same layout keeps the first
    await exportWith(chain, [`type=oci,tar=false,dest=${dest}`], {}, ['demo/layout:v3']);
    const index = JSON.parse(readFileSync(path.join(dest, 'index.json'), 'utf8')) as ImageIndex;
    expect(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual(['v2', 'v3']);
  });

  it('type=docker: skopeo docker-archive reads it with its RepoTags', async () => {
    const dest = path.join(work, 'out', 'docker.tar');
    const r = await exportWith(chain, [`type=docker,dest=${dest},name=demo/dock:1`]);
    const cfg = JSON.parse(run('skopeo', ['inspect', '--config', `docker-archive:${dest}:demo/dock:1`])) as ImageConfig;
    const exported = blobJSON<ImageConfig>(chain.root, r.configDescriptor!.digest);
    expect(cfg.rootfs.diff_ids).toEqual(exported.rootfs.diff_ids);
    const dir = path.join(work, 'out', 'docker-extracted');
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xf', dest, '-C', dir]);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Array<{ RepoTags: string[]; Config: string }>;
    expect(manifest[0]!.RepoTags).toEqual(['demo/dock:1']);
    expect(manifest[0]!.Config).toBe(`blobs/sha256/${r.configDescriptor!.digest.slice(7)}`);
  });

  it('type=local equals the merged root filesystem; type=tar lists it', async () => {
    const dest = path.join(work, 'out', 'local');
    const r = await exportWith(chain, [`type=local,dest=${dest}`]);
    expect(r.manifestDescriptor).toBeUndefined();
    expect(readTree(dest)).toEqual(EXPECTED_ROOTFS);
    // BuildKit's client receives a local output as its own user (local-owners.test.ts).
    expect(lstatSync(path.join(dest, 'app/main.txt')).uid).toBe(process.getuid!());

    const file = path.join(work, 'out', 'rootfs.tar');
    await exportWith(chain, [`type=tar,dest=${file}`]);
    const entries = await listTar(readFileSync(file));
    expect(entries.map((e) => e.header.name)).toEqual(['app/', 'app/hard', 'app/link', 'app/main.txt', 'bin/', 'bin/tool', 'etc/', 'etc/config']);
    const hard = entries.find((e) => e.header.name === 'app/hard')!.header;
    const main = entries.find((e) => e.header.name === 'app/main.txt')!.header;
    expect([hard.type, main.type, main.linkname]).toEqual(['file', 'link', 'app/hard']);
    expect(main.uid).toBe(1000);

    // to stdout
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (c: Buffer) => parts.push(c));
    await exportWith(chain, ['-'], { stdout: sink });
    expect(Buffer.concat(parts)).toEqual(readFileSync(file));
  });

  it('type=registry pushes; skopeo reads the same digest and a pull back gives the same image', async () => {
    const env = testEnv();
    const name = `${env.registries.plain}/slipway-test/export-${process.pid}-${Date.now()}:v1`;
    const r = await exportWith(chain, ['type=registry'], {}, [name]);
    expect(r.outputsDone[0]!.pushed?.[0]?.digest).toBe(r.manifestDescriptor!.digest);
    const raw = run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}`]);
    expect(digestOf(raw)).toBe(r.manifestDescriptor!.digest);
    const pulled = path.join(work, 'out', 'pulled');
    run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${name}`, `oci:${pulled}:p`]);
    const bundle = path.join(work, 'out', 'pulled-bundle');
    run('umoci', ['unpack', '--image', `${pulled}:p`, bundle]);
    expect(readTree(path.join(bundle, 'rootfs'))).toEqual(EXPECTED_ROOTFS);
  });

  it('type=image,push=true,store=false pushes without keeping the name locally', async () => {
    const env = testEnv();
    const name = `${env.registries.plain}/slipway-test/nostore-${process.pid}-${Date.now()}:v1`;
    const r = await exportWith(chain, [`type=image,name=${name},push=true,store=false`]);
    expect(digestOf(run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${name}`]))).toBe(r.manifestDescriptor!.digest);
    expect(await openImageStore(chain.root).resolve(name)).toBeUndefined();
  });
});

describe('exportImage: edge cases', () => {
  it('compression=zstd without the zstd command fails clearly', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(work, 'no-such-bin');
    try {
      await expect(exportWith(chain, ['type=image,name=demo/nozstd:1,compression=zstd,compression-level=7'])).rejects.toThrow(/needs the `zstd` command, which is not installed/);
    } finally {
      process.env.PATH = saved;
    }
    const meta = await readLayerMeta(chain.root, chain.layers[2]!.snapshotId);
    expect(Object.keys(meta.blobs ?? {}).some((k) => k.startsWith('zstd-7'))).toBe(false);
  });

  it('an image output without names is kept as a dangling image; type=docker without dest loads into the store', async () => {
    const r = await exportWith(chain, ['type=image,annotation.k=dangling']);
    const store = openImageStore(chain.root);
    const rec = await store.resolve(r.manifestDescriptor!.digest);
    expect(rec?.tags).toEqual([]);
    expect(r.outputsDone[0]).toMatchObject({ unchanged: false });
    expect((await exportWith(chain, ['type=image,annotation.k=dangling'])).outputsDone[0]).toMatchObject({ unchanged: true });
    const d = await exportWith(chain, ['type=docker,name=demo/loaded:1']);
    expect((await store.resolve('demo/loaded:1'))?.target.digest).toBe(d.manifestDescriptor!.digest);
  });

  it('several outputs share one image; local/tar outputs need no image', async () => {
    const dest = path.join(work, 'out', 'multi.tar');
    const r = await exportWith(chain, [`type=local,dest=${path.join(work, 'out', 'multi-local')}`, 'type=image,name=demo/multi:1', `type=oci,dest=${dest}`]);
    expect(r.outputsDone.map((o) => o.type)).toEqual(['local', 'image', 'oci']);
    expect(r.outputsDone[2]!.manifestDigest).toBe(r.manifestDescriptor!.digest);
    expect(r.names).toEqual(['docker.io/demo/multi:1']);
  });

  it('a scratch image with no layers exports (created = the Unix epoch)', async () => {
    const root = path.join(work, 'scratch');
    const image = { ...chain.image, history: [{ created_by: 'CMD ["x"]', empty_layer: true }], rootfs: { type: 'layers', diff_ids: [] } };
    const r = await exportImage({ root, layers: [], image, outputs: parseOutputs([`type=oci,dest=${path.join(root, 'o.tar')}`, `type=tar,dest=${path.join(root, 'fs.tar')}`, `type=local,dest=${path.join(root, 'fs')}`]) });
    const config = blobJSON<ImageConfig>(root, r.configDescriptor!.digest);
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.rootfs.diff_ids).toEqual([]);
    expect(JSON.parse(run('skopeo', ['inspect', `oci-archive:${path.join(root, 'o.tar')}`])).Layers).toEqual([]);
    expect(readFileSync(path.join(root, 'fs.tar')).length).toBe(1024);
    expect(readdirSync(path.join(root, 'fs'))).toEqual([]);
  });
});

describe('exportImage: BuildKit details', () => {
  it('config top-level keys are sorted (BuildKit re-marshals a Go map); extra fields like the inline cache join in order', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/cache:1'], { configExtra: { [INLINE_CACHE_KEY]: 'eyJ9' } });
    const text = readFileSync(new ContentStore(chain.root).path(r.configDescriptor!.digest), 'utf8');
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual(['architecture', 'config', 'created', 'history', INLINE_CACHE_KEY, 'os', 'rootfs']);
    expect(text).toMatch(/^\{"architecture":"amd64","config":\{"Env":/);
    expect(text).toContain('"history":[{"created":"2024-01-02T03:04:05Z","created_by":');
  });

  it('SOURCE_DATE_EPOCH sets every mtime in local and tar outputs (BuildKit local/tar exporters)', async () => {
    const dest = path.join(work, 'out', 'local-epoch');
    await exportWith(chain, [`type=local,dest=${dest}`], { epoch: 1600000000 });
    for (const rel of ['app', 'app/main.txt', 'app/link', 'bin/tool', 'etc']) expect(lstatSync(path.join(dest, rel)).mtimeMs).toBe(1600000000 * 1000);
    const file = path.join(work, 'out', 'rootfs-epoch.tar');
    await exportWith(chain, [`type=tar,dest=${file}`], { epoch: 1600000000 });
    const entries = await listTar(readFileSync(file));
    expect(entries.length).toBe(8);
    for (const e of entries) expect(e.header.mtime).toBe(1600000000);
  });

  it('metadata and iid files', async () => {
    const r = await exportWith(chain, ['type=image,name=demo/files:1']);
    const img = exportedImage(r)!;
    const meta = path.join(work, 'out', 'meta.json');
    const iid = path.join(work, 'out', 'iid');
    await writeMetadataFile(meta, img);
    await writeIidFile(iid, img);
    expect(JSON.parse(readFileSync(meta, 'utf8'))['containerimage.digest']).toBe(r.manifestDescriptor!.digest);
    expect(readFileSync(iid, 'utf8')).toBe(r.configDescriptor!.digest);
  });

  it('SOURCE_DATE_EPOCH comes from the build arg, else the environment; junk is a usage error', () => {
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' }, {})).toBe(1700000000);
    expect(sourceDateEpoch(new Map([['SOURCE_DATE_EPOCH', '5']]), { SOURCE_DATE_EPOCH: '6' })).toBe(5);
    expect(sourceDateEpoch({}, { SOURCE_DATE_EPOCH: '6' })).toBe(6);
    expect(sourceDateEpoch({}, {})).toBeUndefined();
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: 'yesterday' }, {})).toThrow(/invalid SOURCE_DATE_EPOCH "yesterday"/);
  });
});

describe('exportImage: a base layer whose blobs were pruned', () => {
  it('rebuilds its tar from the snapshot; config and blob agree', async () => {
    const c = await makeChain(path.join(work, 'pruned'));
    await new ContentStore(c.root).delete(c.baseBlob.digest);
    const r = await exportWith(c, ['type=image,name=demo/pruned:1,rewrite-timestamp=true'], { epoch: 1700000000 });
    const m = blobJSON<ImageManifest>(c.root, r.manifestDescriptor!.digest);
    const cfg = blobJSON<ImageConfig>(c.root, r.configDescriptor!.digest);
    const tar = execFileSync('gzip', ['-dc'], { input: readFileSync(new ContentStore(c.root).path(m.layers[0]!.digest)) });
    expect(digestOf(tar)).toBe(cfg.rootfs.diff_ids[0]);
    expect(m.layers[0]!.annotations).toBeUndefined();
    expect((await listTar(tar)).map((e) => e.header.name)).toEqual(['bin/', 'bin/tool', 'etc/', 'etc/config', 'old/', 'old/gone']);
    // and the next export reuses that rebuilt blob
    let work2 = 0;
    const again = await exportWith(c, ['type=image,name=demo/pruned:1,rewrite-timestamp=true'], { epoch: 1700000000, onTarWork: () => work2++ });
    expect(work2).toBe(0);
    expect(again.manifestDescriptor).toEqual(r.manifestDescriptor);
  });
});
