// --cache-to / --cache-from against the real registry (issue 8): store A builds a two-stage
// Dockerfile and exports its cache; empty stores build the same Dockerfile from a copy of the
// context elsewhere (so no path enters a key) with the cache imported.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryProxy } from '../helpers/proxy.js';
import { REPO_ROOT, testEnv } from '../helpers/testenv.js';
import { parseSteps } from '../solver/build/slipway.js';
import { plain, registryGet, slipway, storedManifest, type Run } from './run.js';

const env = testEnv();
const REG = env.registries.plain;
const ID = `${process.pid}-${Date.now()}`;
const REPO = `cache/app-${ID}`;
const INLINE_IMAGE = `${REG}/cache/inline-${ID}:1`;
const X = 'docker.io/library/x:1';
const SECRET = `TOPSECRET-${ID}`;

let tmp: string;
let secretFile: string;
let localCache: string;
let aManifest: string | undefined;

function dir(name: string): string {
  return mkdtempSync(path.join(tmp, `${name}-`));
}

/** A fresh copy of the context, optionally with one file changed. */
function context(change?: { file: string; text: string }): string {
  const d = dir('ctx');
  cpSync(path.join(REPO_ROOT, 'testdata', 'cache-exchange', 'app'), d, { recursive: true });
  if (change) writeFileSync(path.join(d, change.file), change.text);
  return d;
}

function build(root: string, ctx: string, ...args: string[]): Promise<Run> {
  return slipway(root, ['build', '--progress=plain', '--secret', `id=tok,src=${secretFile}`, ...args, ctx]);
}

/** Dockerfile step (by name prefix, e.g. `[builder 3/3] RUN`) → CACHED | DONE. */
function states(r: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, state] of parseSteps(r.stderr)) {
    const m = /^(\[[\w-]+ \d+\/\d+\] [A-Z]+)/.exec(name);
    if (m && !name.includes(' FROM ')) out[m[1]!] = state;
  }
  return out;
}

function ok(r: Run): Run {
  if (r.status !== 0) throw new Error(`build failed (${r.status}):\n${r.stderr}`);
  return r;
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slipway-cachex-'));
  secretFile = path.join(tmp, 'secret');
  writeFileSync(secretFile, SECRET);
  localCache = path.join(tmp, 'local-cache');
  const a = path.join(tmp, 'A');
  const ctx = context();
  ok(await build(a, ctx, '-t', 'x:1',
    '--cache-to', `type=registry,ref=${REG}/${REPO}:max,mode=max`,
    '--cache-to', `type=registry,ref=${REG}/${REPO}:min,mode=min`,
    '--cache-to', `type=local,dest=${localCache},mode=max`));
  aManifest = await storedManifest(a, X);
  // The same build again (fully cached) with inline cache, pushed as an image.
  ok(await build(a, ctx, '--cache-to', 'type=inline', '-o', `type=image,name=${INLINE_IMAGE},push=true`));
}, 240_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('cache exchange through a registry (mode=max)', () => {
  let proxy: RegistryProxy;
  const b = () => path.join(tmp, 'B');
  beforeAll(async () => {
    proxy = await RegistryProxy.start(REG);
  });
  afterAll(async () => proxy?.close());

  it('an empty store builds everything from the cache: no RUN, the same image digest, only the final image\'s layers fetched', async () => {
    const r = ok(await build(b(), context(), '-t', 'x:1', '--cache-from', `${proxy.host}/${REPO}:max`));
    expect(r.stats).toMatchObject({ containers: 0, executed: 0 });
    expect(Object.values(states(r))).toEqual(['CACHED', 'CACHED', 'CACHED', 'CACHED', 'CACHED']);
    expect(aManifest).toMatch(/^sha256:/);
    expect(await storedManifest(b(), X)).toBe(aManifest);

    const final = JSON.parse(readFileSync(path.join(b(), 'store', 'blobs', 'sha256', aManifest!.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
    const cache = JSON.parse((await registryGet(REG, `${REPO}/manifests/max`)).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    const fetched = new Set(proxy.requests.filter((q) => q.method === 'GET' && /\/blobs\/sha256:/.test(q.path)).map((q) => q.path.replace(/^.*\/blobs\//, '')));
    fetched.delete(cache.config.digest);
    expect([...fetched].sort()).toEqual(final.layers.map((l) => l.digest).sort());
    // The cache holds more (the builder stage's layers), which were not needed.
    expect(cache.layers.length).toBeGreaterThan(final.layers.length);
  });

  it('after one context file changes, only the affected steps run; the builder stage comes from the cache', async () => {
    proxy.clear();
    const r = ok(await build(b(), context({ file: 'app.txt', text: 'app v2\n' }), '-t', 'x:2', '--cache-from', `${proxy.host}/${REPO}:max`));
    // COPY app.txt, COPY --from and the final RUN re-run; the builder's RUN does not.
    expect(r.stats).toMatchObject({ containers: 1 });
    expect(states(r)).toEqual({
      '[builder 2/3] COPY': 'CACHED', '[builder 3/3] RUN': 'CACHED',
      '[stage-1 2/4] COPY': 'DONE', '[stage-1 3/4] COPY': 'DONE', '[stage-1 4/4] RUN': 'DONE',
    });
  });
});

describe('re-export from an importing store', () => {
  it('a store that built from the cache (never fetching the builder\'s layers) exports a complete mode=max cache', async () => {
    const relay = path.join(tmp, 'relay');
    ok(await build(relay, context(), '-t', 'x:1', '--cache-from', `${REG}/${REPO}:max`, '--cache-to', `type=registry,ref=${REG}/${REPO}:relay,mode=max`));
    const r = ok(await build(path.join(tmp, 'F'), context({ file: 'app.txt', text: 'app v3\n' }), '-t', 'x:2', '--cache-from', `${REG}/${REPO}:relay`));
    expect(r.stats).toMatchObject({ containers: 1 });
    expect(states(r)['[builder 3/3] RUN']).toBe('CACHED');
  });
});

describe('an import interrupted after unpacking', () => {
  it('a layer unpacked without its layer.json (killed build) gets it back, so the image digest is unchanged', async () => {
    const root = path.join(tmp, 'H');
    ok(await build(root, context(), '-t', 'x:1', '--cache-from', `${REG}/${REPO}:max`));
    // As if killed between the unpack and layer.json / the record: drop both.
    const snaps = readdirSync(path.join(root, 'snapshots')).filter((n) => n.startsWith('l-'));
    expect(snaps.length).toBe(4);
    for (const n of snaps) rmSync(path.join(root, 'snapshots', n, 'layer.json'), { force: true });
    rmSync(path.join(root, 'cache', 'records'), { recursive: true, force: true });
    const r = ok(await build(root, context(), '-t', 'x:again', '--cache-from', `${REG}/${REPO}:max`));
    expect(r.stats).toMatchObject({ containers: 0 });
    expect(await storedManifest(root, 'docker.io/library/x:again')).toBe(aManifest);
  });
});

describe('mode=min against mode=max', () => {
  it('min holds the final image\'s steps: an unchanged build is fully cached', async () => {
    const r = ok(await build(path.join(tmp, 'C1'), context(), '-t', 'x:1', '--cache-from', `type=registry,ref=${REG}/${REPO}:min`));
    expect(r.stats).toMatchObject({ containers: 0, executed: 0 });
    expect(await storedManifest(path.join(tmp, 'C1'), X)).toBe(aManifest);
  });

  it('min has no record of the intermediate stage: its RUN runs again when the final stage changes', async () => {
    const r = ok(await build(path.join(tmp, 'C2'), context({ file: 'app.txt', text: 'app v2\n' }), '-t', 'x:2', '--cache-from', `type=registry,ref=${REG}/${REPO}:min`));
    expect(r.stats).toMatchObject({ containers: 2 });
    expect(states(r)['[builder 3/3] RUN']).toBe('DONE');
    expect(states(r)['[builder 2/3] COPY']).toBe('DONE');
  });

  it('an unwritable cache with ignore-error=true is a warning; without it the build fails', async () => {
    const blocker = path.join(tmp, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const root = path.join(tmp, 'C4');
    const warned = ok(await build(root, context(), '-t', 'x:1', '--cache-to', `type=local,dest=${blocker}/sub,ignore-error=true`));
    expect(warned.stderr).toMatch(/WARNING: failed to export cache/);
    const failed = await build(root, context(), '-t', 'x:1', '--cache-to', `type=local,dest=${blocker}/sub`);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/not-a-dir/);
  });

  it('a missing cache ref is a warning, not a failure', async () => {
    const r = ok(await build(path.join(tmp, 'C3'), context(), '-t', 'x:1', '--cache-from', `${REG}/${REPO}:does-not-exist`));
    expect(r.stderr).toMatch(/WARNING: failed to import cache/);
    expect(r.stats).toMatchObject({ containers: 2 });
  });
});

describe('type=local', () => {
  it('an OCI layout cache directory gives a fully cached build and the same image', async () => {
    const index = JSON.parse(readFileSync(path.join(localCache, 'index.json'), 'utf8')) as { manifests: unknown[] };
    expect(index.manifests).toHaveLength(1);
    const root = path.join(tmp, 'D');
    const r = ok(await build(root, context(), '-t', 'x:1', '--cache-from', `type=local,src=${localCache}`));
    expect(r.stats).toMatchObject({ containers: 0, executed: 0 });
    expect(await storedManifest(root, X)).toBe(aManifest);
    const r2 = ok(await build(root, context({ file: 'src.txt', text: 'source v2\n' }), '-t', 'x:3', '--cache-from', `type=local,src=${localCache}`));
    // The builder's COPY and RUN, then COPY --from and the final RUN; COPY app.txt stays cached.
    expect(r2.stats).toMatchObject({ containers: 2 });
    expect(states(r2)).toEqual({
      '[builder 2/3] COPY': 'DONE', '[builder 3/3] RUN': 'DONE',
      '[stage-1 2/4] COPY': 'CACHED', '[stage-1 3/4] COPY': 'DONE', '[stage-1 4/4] RUN': 'DONE',
    });
  });
});

describe('a cache whose layer diffIDs are wrong', () => {
  it('fails the build on the layer that does not match, leaving no snapshot under the wrong diffID', async () => {
    // A copy of the local cache whose config and manifest give every layer a diffID no content has.
    const bad = dir('bad-cache');
    cpSync(localCache, bad, { recursive: true });
    const blob = (d: string) => path.join(bad, 'blobs', 'sha256', d.slice('sha256:'.length));
    const put = (doc: unknown): { digest: string; size: number } => {
      const bytes = Buffer.from(JSON.stringify(doc));
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      writeFileSync(blob(digest), bytes);
      return { digest, size: bytes.length };
    };
    const wrongOf = (d: string) => `sha256:${createHash('sha256').update(`not ${d}`).digest('hex')}`;
    const index = JSON.parse(readFileSync(path.join(bad, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; size: number }> };
    type Annotated = { annotations?: Record<string, string> };
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { config: { digest: string; size: number }; layers: Annotated[] };
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as { layers: Array<{ annotations?: { diffID?: string } }> };
    const wrong: string[] = [];
    for (const l of config.layers) if (l.annotations?.diffID) wrong.push((l.annotations.diffID = wrongOf(l.annotations.diffID)));
    for (const l of manifest.layers) {
      const d = l.annotations?.['containerd.io/uncompressed'];
      if (d) l.annotations!['containerd.io/uncompressed'] = wrongOf(d);
    }
    expect(wrong.length).toBeGreaterThan(0);
    manifest.config = { ...manifest.config, ...put(config) };
    index.manifests[0] = { ...index.manifests[0]!, ...put(manifest) };
    writeFileSync(path.join(bad, 'index.json'), JSON.stringify(index));

    // src.txt changed: the final stage's cached COPY app.txt is unpacked from the cache, as the
    // lower of the COPY --from that runs again (an unchanged build would only reuse blobs,
    // trusting the cache's diffIDs as BuildKit does).
    const root = path.join(tmp, 'E');
    const r = await build(root, context({ file: 'src.txt', text: 'source v3\n' }), '-t', 'x:1', '--cache-from', `type=local,src=${bad}`);
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/does not match its diffID/);
    // No snapshot was published for content under a diffID it does not have.
    const snaps = readdirSync(path.join(root, 'snapshots')).filter((n) => !n.startsWith('.'));
    for (const d of wrong) expect(snaps.filter((n) => n.includes(d.slice('sha256:'.length)))).toEqual([]);
  });
});

describe('layer blobs shared by the image and the cache', () => {
  it('with rewrite-timestamp=false (raw mtimes) the imported build still gives the same image', async () => {
    const dest = path.join(tmp, 'raw-cache');
    const out = 'type=image,name=x:raw,rewrite-timestamp=false';
    const a = path.join(tmp, 'G1');
    ok(await build(a, context(), '-o', out, '--cache-to', `type=local,dest=${dest},mode=min`));
    const b = path.join(tmp, 'G2');
    const r = ok(await build(b, context(), '-o', out, '--cache-from', `type=local,src=${dest}`));
    expect(r.stats).toMatchObject({ containers: 0 });
    const digest = await storedManifest(a, 'docker.io/library/x:raw');
    expect(digest).toMatch(/^sha256:/);
    expect(digest).not.toBe(aManifest);
    expect(await storedManifest(b, 'docker.io/library/x:raw')).toBe(digest);
  });
});

describe('type=inline', () => {
  it('an image pushed with inline cache serves as the cache; the rebuilt image is identical', async () => {
    const root = path.join(tmp, 'E');
    const r = ok(await build(root, context(), '-t', 'y:1', '--cache-to', 'type=inline', '--cache-from', INLINE_IMAGE));
    expect(r.stats).toMatchObject({ containers: 0, executed: 0 });
    const pushed = JSON.parse(readFileSync(path.join(tmp, 'A', 'store', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const inlineDigest = pushed.manifests.find((m) => m.annotations?.['io.containerd.image.name'] === INLINE_IMAGE)?.digest;
    expect(inlineDigest).toMatch(/^sha256:/);
    expect(inlineDigest).not.toBe(aManifest);
    expect(await storedManifest(root, 'docker.io/library/y:1')).toBe(inlineDigest);
    // BuildKit's inline form: base64 of the records array, results indexing the image's layers.
    const m = JSON.parse(readFileSync(path.join(root, 'store', 'blobs', 'sha256', inlineDigest!.slice(7)), 'utf8')) as { config: { digest: string }; layers: unknown[] };
    const config = JSON.parse(readFileSync(path.join(root, 'store', 'blobs', 'sha256', m.config.digest.slice(7)), 'utf8')) as Record<string, string>;
    const records = JSON.parse(Buffer.from(config['moby.buildkit.cache.v0']!, 'base64').toString()) as Array<{ digest: string; layers: Array<{ layer: number }> }>;
    expect(records).toHaveLength(3);
    expect(records.flatMap((r) => r.layers.map((l) => l.layer)).sort()).toEqual([1, 2, 3]);
    expect(m.layers).toHaveLength(4);
  });

  it('after a change in the builder stage, the final stage\'s steps before COPY --from stay cached (inline is min mode)', async () => {
    const r = ok(await build(path.join(tmp, 'E2'), context({ file: 'src.txt', text: 'source v9\n' }), '-t', 'y:2', '--cache-from', INLINE_IMAGE));
    expect(r.stats).toMatchObject({ containers: 2 });
    expect(states(r)).toEqual({
      '[builder 2/3] COPY': 'DONE', '[builder 3/3] RUN': 'DONE',
      '[stage-1 2/4] COPY': 'CACHED', '[stage-1 3/4] COPY': 'DONE', '[stage-1 4/4] RUN': 'DONE',
    });
  });
});

describe('what an export contains', () => {
  const forbidden = [SECRET, 'CACHEMOUNT-MARKER-7f3a'];

  function clean(what: string, bytes: Buffer): void {
    const text = plain(bytes).toString('latin1');
    for (const f of forbidden) expect(text.includes(f), `${f} in ${what}`).toBe(false);
  }

  it('no secret and no cache-mount content in any blob of the registry, local or inline exports', async () => {
    let checked = 0;
    for (const tag of ['max', 'min']) {
      const m = JSON.parse((await registryGet(REG, `${REPO}/manifests/${tag}`)).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
      for (const d of [m.config, ...m.layers]) {
        clean(`${tag} ${d.digest}`, await registryGet(REG, `${REPO}/blobs/${d.digest}`));
        checked++;
      }
    }
    for (const f of readdirSync(path.join(localCache, 'blobs', 'sha256'))) {
      clean(`local ${f}`, readFileSync(path.join(localCache, 'blobs', 'sha256', f)));
      checked++;
    }
    const repo = INLINE_IMAGE.slice(REG.length + 1).replace(/:1$/, '');
    const im = JSON.parse((await registryGet(REG, `${repo}/manifests/1`)).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [im.config, ...im.layers]) {
      clean(`inline ${d.digest}`, await registryGet(REG, `${repo}/blobs/${d.digest}`));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the cache config is BuildKit\'s v1 shape: layers chained by parent, records by cache key with results and input links', async () => {
    const m = JSON.parse((await registryGet(REG, `${REPO}/manifests/max`)).toString()) as { config: { digest: string; mediaType: string }; layers: Array<{ digest: string; annotations: Record<string, string> }> };
    expect(m.config.mediaType).toBe('application/vnd.buildkit.cacheconfig.v0');
    for (const l of m.layers) expect(l.annotations['containerd.io/uncompressed']).toMatch(/^sha256:/);
    const cfg = JSON.parse((await registryGet(REG, `${REPO}/blobs/${m.config.digest}`)).toString()) as {
      layers: Array<{ blob: string; parent: number }>; records: Array<{ digest: string; results: Array<{ layer: number }>; inputs?: Array<Array<{ link: number }>> }>;
    };
    // Steps: builder COPY + RUN, final COPY, COPY --from, RUN.
    expect(cfg.records).toHaveLength(5);
    expect(cfg.layers.filter((l) => l.parent === -1)).toHaveLength(1);
    expect(cfg.records.filter((r) => r.inputs?.some((i) => i.length))).not.toHaveLength(0);
    const min = JSON.parse((await registryGet(REG, `${REPO}/manifests/min`)).toString()) as { config: { digest: string } };
    const minCfg = JSON.parse((await registryGet(REG, `${REPO}/blobs/${min.config.digest}`)).toString()) as { records: unknown[] };
    expect(minCfg.records).toHaveLength(3);
  });
});
