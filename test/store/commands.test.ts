import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainIds } from '../../src/store/chain-id.js';
import { createdSince, humanSize } from '../../src/cli/format/units.js';
import { makeImage, makeLayer, makeTar, openStore, slipway, slipwayAsync, tempRoot, type Layer, type MadeImage } from './fixtures.js';

const OLD = '2024-01-01T00:00:00Z';
const NEWER = '2024-06-01T00:00:00Z';
const NEWEST = '2025-01-01T00:00:00Z';

describe('images, tag, filters and formats', () => {
  let root: string;
  let base: MadeImage;
  let app: MadeImage;
  let tool: MadeImage;
  let shared: Layer;
  let appLayer: Layer;
  beforeAll(async () => {
    root = tempRoot();
    shared = await makeLayer({ 'bin/sh': 'x'.repeat(4000) });
    appLayer = await makeLayer({ app: 'y'.repeat(1000) });
    base = await makeImage(root, { layers: [shared], created: OLD, labels: { tier: 'base' } }, 'busybox');
    app = await makeImage(root, { layers: [shared, appLayer], created: NEWER, labels: { tier: 'app', team: 'a' } }, 'me/app:v1');
    tool = await makeImage(root, { layers: [await makeLayer({ t: 'z' })], created: NEWEST }, 'localhost:5000/tool:2');
    expect(slipway(root, ['tag', 'me/app:v1', 'me/app:latest']).status).toBe(0);
  });

  it("lists newest first with Docker's columns, widths, short IDs and familiar names", () => {
    const r = slipway(root, ['images']);
    expect(r.status).toBe(0);
    const id = (m: MadeImage): string => m.id.slice(7, 19);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY\s{3,}TAG\s{7}IMAGE ID\s{7}CREATED\s+SIZE$/);
    const rows = lines.slice(1).map((l) => l.split(/\s{3,}/));
    expect(rows).toEqual([
      ['localhost:5000/tool', '2', id(tool), createdSince(NEWEST), expect.stringMatching(/^\d+(\.\d+)?kB$/)],
      ['me/app', 'latest', id(app), createdSince(NEWER), expect.stringMatching(/kB$/)],
      ['me/app', 'v1', id(app), createdSince(NEWER), expect.stringMatching(/kB$/)],
      ['busybox', 'latest', id(base), createdSince(OLD), expect.stringMatching(/kB$/)],
    ]);
    // The SIZE is the uncompressed layer total: app = shared + its own layer.
    expect(rows[1]![4]).toBe(humanSize(shared.tar.length + appLayer.tar.length, 3));
    expect(rows[3]![4]).toBe(humanSize(shared.tar.length, 3));
    expect(rows[3]![4]).toBe('5.63kB');
  });

  it('-q, --no-trunc, --digests, --format table/bare/json', () => {
    expect(slipway(root, ['images', '-q']).stdout.split('\n').filter(Boolean)).toEqual([tool, app, app, base].map((m) => m.id.slice(7, 19)));
    expect(slipway(root, ['images', '--no-trunc', '-q', 'busybox']).stdout).toBe(`${base.id}\n`);
    const d = slipway(root, ['images', '--digests', 'busybox']).stdout.split('\n');
    expect(d[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(d[1]).toMatch(/^busybox\s+latest\s+<none>\s+/);
    expect(slipway(root, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', 'me/app']).stdout).toBe(
      `me/app:latest ${app.id.slice(7, 19)}\nme/app:v1 ${app.id.slice(7, 19)}\n`,
    );
    expect(slipway(root, ['images', '--format', 'table {{.Repository}}\\t{{.Size}}', 'busybox']).stdout).toBe(
      'REPOSITORY   SIZE\nbusybox      5.63kB\n',
    );
    const json = slipway(root, ['images', '--format', 'json', 'busybox']).stdout.trim();
    expect(JSON.parse(json)).toMatchObject({ Repository: 'busybox', Tag: 'latest', ID: base.id.slice(7, 19), Size: '5.63kB', Digest: '<none>', CreatedAt: '2024-01-01 00:00:00 +0000 UTC' });
    expect(json).toContain('\\u003cnone\\u003e');
    expect(slipway(root, ['images', '--format', '{{json .}}', 'busybox']).stdout.trim()).toBe(json);
  });

  it('filters by label, before, since, reference (values OR, keys AND)', () => {
    const names = (args: string[]): string[] =>
      slipway(root, ['images', '--format', '{{.Repository}}:{{.Tag}}', ...args]).stdout.split('\n').filter(Boolean);
    expect(names(['--filter', 'label=tier'])).toEqual(['me/app:latest', 'me/app:v1', 'busybox:latest']);
    expect(names(['--filter', 'label=tier=app'])).toEqual(['me/app:latest', 'me/app:v1']);
    expect(names(['-f', 'label=tier', '-f', 'label=team=a'])).toEqual(['me/app:latest', 'me/app:v1']);
    expect(names(['--filter', 'before=me/app:v1'])).toEqual(['busybox:latest']);
    expect(names(['--filter', 'since=busybox'])).toEqual(['localhost:5000/tool:2', 'me/app:latest', 'me/app:v1']);
    expect(names(['--filter', 'since=busybox', '--filter', 'before=localhost:5000/tool:2'])).toEqual(['me/app:latest', 'me/app:v1']);
    expect(names(['--filter', 'reference=me/*:v1'])).toEqual(['me/app:v1']);
    expect(names(['--filter', 'until=2024-07-01T00:00:00Z'])).toEqual(['me/app:latest', 'me/app:v1', 'busybox:latest']);
    expect(names(['--filter', 'until=1704067201'])).toEqual(['busybox:latest']);
    expect(names(['--filter', 'reference=busybox', '--filter', 'reference=localhost:5000/*'])).toEqual(['localhost:5000/tool:2', 'busybox:latest']);
    expect(names(['--filter', 'dangling=false', '--filter', 'reference=busy*'])).toEqual(['busybox:latest']);
  });

  it('rejects bad filters: unknown key exits 1, malformed exits 2, unknown image exits 1', () => {
    const bad = slipway(root, ['images', '--filter', 'color=red']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("Error: Invalid filter 'color'\n");
    const malformed = slipway(root, ['images', '--filter', 'dangling']);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain('bad format of filter (expected name=value)');
    const missing = slipway(root, ['images', '--filter', 'before=nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('Error: No such image: nope\n');
  });

  it('answers to the `image …` spellings too', () => {
    expect(slipway(root, ['image', 'ls', '-q', 'busybox']).stdout).toBe(`${base.id.slice(7, 19)}\n`);
    expect(slipway(root, ['image', 'list', '-q', 'busybox']).stdout).toBe(`${base.id.slice(7, 19)}\n`);
    expect(slipway(root, ['image', 'tag', 'busybox', 'alias:1']).status).toBe(0);
    expect(slipway(root, ['image', 'rm', 'alias:1']).stdout).toBe('Untagged: alias:1\n');
    expect(slipway(root, ['image', 'history', '-q', 'busybox']).stdout).toBe(`${base.id.slice(7, 19)}\n`);
  });

  it('tag errors: unknown source, invalid target, wrong argument count', () => {
    expect(slipway(root, ['tag', 'nope', 'x'])).toMatchObject({ status: 1, stderr: 'Error: No such image: nope:latest\n' });
    const inv = slipway(root, ['tag', 'busybox', 'Bad:Name']);
    expect(inv.status).toBe(1);
    expect(inv.stderr).toMatch(/^Error: Error parsing reference: "Bad:Name" is not a valid repository\/tag: .*lowercase/);
    expect(slipway(root, ['tag', 'busybox']).status).toBe(2);
  });

  it('history: newest first, <missing> below the top, layer sizes, empty layers 0B, truncation', async () => {
    const r2 = tempRoot();
    const l1 = await makeLayer({ a: 'a'.repeat(2000) });
    const long = `/bin/sh -c echo ${'x'.repeat(80)}`;
    const img = await makeImage(
      r2,
      {
        layers: [l1],
        created: OLD,
        history: [
          { created: OLD, created_by: 'ADD rootfs /', comment: 'base' },
          { created: OLD, created_by: `CMD ["sh"]\tx`, empty_layer: true },
          { created: OLD, created_by: long, empty_layer: true },
        ],
      },
      'h',
    );
    const out = slipway(r2, ['history', 'h']).stdout.trimEnd().split('\n');
    expect(out[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(out).toHaveLength(4);
    expect(out[1]!.startsWith(img.id.slice(7, 19))).toBe(true);
    expect(out[1]).toContain(`/bin/sh -c echo ${'x'.repeat(28)}…`);
    expect(out[2]).toMatch(/^<missing>\s+.*CMD \["sh"\] x\s+0B\s*$/);
    expect(out[3]).toMatch(/^<missing>\s+.*ADD rootfs \/\s+3.58kB\s+base$/);
    expect(slipway(r2, ['history', '-q', 'h']).stdout).toBe(`${img.id.slice(7, 19)}\n<missing>\n<missing>\n`);
    const full = slipway(r2, ['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}', 'h']).stdout.split('\n');
    expect(full[0]).toBe(`${img.id}|${long}|0B`);
    const raw = slipway(r2, ['history', '--human=false', '--format', '{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}', 'h']).stdout.split('\n');
    expect(raw[2]).toBe(`2024-01-01T00:00:00Z|2024-01-01T00:00:00Z|${l1.tar.length}`);
    expect(slipway(r2, ['history', '-H', '--format', '{{.Size}}', 'h']).stdout.split('\n')[2]).toBe('3.58kB');
    expect(slipway(r2, ['history', '--human=maybe', 'h']).status).toBe(2);
    expect(slipway(r2, ['history', 'nope'])).toMatchObject({ status: 1, stderr: 'Error: No such image: nope:latest\n' });
    // Docker's inspect shows the newest history entry's comment when the config has none.
    expect(slipway(r2, ['inspect', '--format', '{{.Comment}}', 'h']).stdout).toBe('\n');
    await makeImage(r2, { layers: [l1], created: OLD, history: [{ created: OLD, created_by: 'ADD rootfs /', comment: 'buildkit.dockerfile.v0' }] }, 'c');
    expect(slipway(r2, ['inspect', '--format', '{{.Comment}}', 'c']).stdout).toBe('buildkit.dockerfile.v0\n');
  });

  it('inspect: a docker-shaped JSON array; --format; unknown image exits 1', () => {
    const r = slipway(root, ['inspect', 'me/app:v1']);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('[\n    {\n        "Id": ')).toBe(true);
    const [obj] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(Object.keys(obj!).slice(0, 10)).toEqual(['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture']);
    expect(obj).toMatchObject({
      Id: app.id,
      RepoTags: ['me/app:latest', 'me/app:v1'],
      RepoDigests: [],
      Created: NEWER,
      Os: 'linux',
      Architecture: 'amd64',
      Size: shared.tar.length + appLayer.tar.length,
      RootFS: { Type: 'layers' },
      Config: { Labels: { tier: 'app', team: 'a' }, Cmd: null, Entrypoint: null, Env: ['PATH=/usr/bin:/bin'], Hostname: '' },
    });
    expect(obj!.RootFS.Layers).toHaveLength(2);
    expect(obj!.Metadata.LastTagTime).toMatch(/^\d{4}-/);
    expect(slipway(root, ['inspect', '--format', '{{.Id}} {{index .Config.Labels "tier"}} {{.RepoTags}}', 'me/app:v1']).stdout).toBe(
      `${app.id} app [me/app:latest me/app:v1]\n`,
    );
    const miss = slipway(root, ['inspect', 'busybox', 'nope']);
    expect(miss.status).toBe(1);
    expect(JSON.parse(miss.stdout)).toHaveLength(1);
    expect(miss.stderr).toBe('Error: No such image: nope\n');
    expect(slipway(root, ['image', 'inspect', 'nope']).stdout).toBe('[]\n');
  });
});

describe('repository digests (images pulled from a registry)', () => {
  it('shows RepoDigests in --digests, {{.Digest}}, inspect; digest-only names get <none> tag rows', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ p: '1' })] });
    const store = openStore(root);
    await store.tag('localhost:5000/pulled:1', img.manifest, { fromRegistry: true });
    const other = await makeImage(root, { layers: [await makeLayer({ q: '2' })] });
    await store.tag(`localhost:5000/bydigest@${other.manifest.digest}`, other.manifest, { fromRegistry: true });
    const d = img.manifest.digest;
    const rows = slipway(root, ['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']).stdout;
    expect(rows.split('\n').filter(Boolean).sort()).toEqual([`localhost:5000/bydigest <none> ${other.manifest.digest}`, `localhost:5000/pulled 1 ${d}`].sort());
    // Without --digests a template naming {{.Digest}} still shows tag rows' digests (docker/cli needDigest),
    // while digest-only rows show an empty digest.
    const plain = slipway(root, ['images', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']).stdout;
    expect(plain.split('\n').filter(Boolean).sort()).toEqual(['localhost:5000/bydigest <none> ', `localhost:5000/pulled 1 ${d}`].sort());
    const [obj] = JSON.parse(slipway(root, ['inspect', 'localhost:5000/pulled:1']).stdout) as Array<Record<string, any>>;
    expect(obj!.RepoDigests).toEqual([`localhost:5000/pulled@${d}`]);
    expect(slipway(root, ['images', '-q', '--no-trunc', `localhost:5000/bydigest@${other.manifest.digest}`]).stdout).toBe(`${other.id}\n`);
    // As in moby, a digest-only image is listed by dangling=true and by dangling=false.
    expect(slipway(root, ['images', '-q', '--filter', 'dangling=true']).stdout).toBe(`${other.id.slice(7, 19)}\n`);
    expect(slipway(root, ['images', '-q', '--filter', 'dangling=false']).stdout.split('\n').filter(Boolean)).toHaveLength(2);
    // ...but prune only removes images without any reference.
    expect(slipway(root, ['image', 'prune', '-f']).stdout).toBe('Total reclaimed space: 0B\n');
  });
});

describe('rmi, dangling images, prune and system df', () => {
  it('untags a name while others remain; deletes with Untagged before Deleted; keeps shared layers', async () => {
    const root = tempRoot();
    const shared = await makeLayer({ base: 'b'.repeat(100) });
    const own = await makeLayer({ own: 'o' });
    const a = await makeImage(root, { layers: [shared, own] }, 'a:1');
    await makeImage(root, { layers: [shared] }, 'b:1');
    expect(slipway(root, ['tag', 'a:1', 'a:2']).status).toBe(0);
    expect(slipway(root, ['rmi', 'a:2'])).toMatchObject({ status: 0, stdout: 'Untagged: a:2\n' });
    const [c0, c1] = chainIds([shared.diffId, own.diffId]);
    const r = slipway(root, ['rmi', 'a:1']);
    expect(r.status).toBe(0);
    // The shared layer's chain is not deleted: image b still uses it.
    expect(r.stdout).toBe(`Untagged: a:1\nDeleted: ${a.id}\nDeleted: ${c1}\n`);
    expect(c0).toBe(shared.diffId);
    const store = openStore(root);
    expect(existsSync(store.content.path(shared.digest))).toBe(true);
    expect(existsSync(store.content.path(own.digest))).toBe(false);
    expect(existsSync(store.content.path(a.id))).toBe(false);
  });

  it('refuses to delete by ID an image with several tags unless -f; missing images exit 1 after the others', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ x: '1' })] }, 'x:1');
    slipway(root, ['tag', 'x:1', 'y:1']);
    const short = img.id.slice(7, 19);
    const r = slipway(root, ['rmi', short]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Error: conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories\n`);
    const f = slipway(root, ['rmi', '-f', short, 'nope']);
    expect(f.status).toBe(1);
    expect(f.stdout.split('\n').filter(Boolean)).toEqual(['Untagged: x:1', 'Untagged: y:1', `Deleted: ${img.id}`, expect.stringMatching(/^Deleted: sha256:/)]);
    expect(f.stderr).toBe('Error: No such image: nope:latest\n');
    expect(slipway(root, ['images', '-q']).stdout).toBe('');
  });

  it('two manifests of one config (OCI and schema2 forms) are one image ID to rmi and inspect', async () => {
    const root = tempRoot();
    const img = await makeImage(root, { layers: [await makeLayer({ s: '1' })] }, 'x:1');
    const store = openStore(root);
    // A second manifest for the same config, as a registry's schema2 form of the image would be.
    const manifest = JSON.parse((await store.content.readBytes(img.manifest.digest)).toString()) as Record<string, unknown>;
    const second = async () => {
      const other = await store.content.writeBytes(JSON.stringify({ ...manifest, annotations: { form: 'second' } }));
      await store.tag('x:2', { ...img.manifest, digest: other.digest, size: other.size });
    };
    await second();
    const short = img.id.slice(7, 19);
    expect(JSON.parse(slipway(root, ['inspect', short]).stdout)[0].Id).toBe(img.id);
    expect(slipway(root, ['rmi', short])).toMatchObject({ status: 1, stderr: expect.stringContaining('must be forced') });
    // The ID lives on under x:1: untagging x:2 deletes nothing.
    expect(slipway(root, ['rmi', 'x:2'])).toMatchObject({ status: 0, stdout: 'Untagged: x:2\n' });
    await second(); // rmi collected its manifest blob
    const f = slipway(root, ['rmi', '-f', short]);
    expect(f.status).toBe(0);
    expect(f.stdout.split('\n').filter(Boolean).sort()).toEqual(['Untagged: x:1', 'Untagged: x:2', `Deleted: ${img.id}`, expect.stringMatching(/^Deleted: sha256:/)].sort());
    expect(slipway(root, ['images', '-aq']).stdout).toBe('');
  });

  it('re-tagging leaves a dangling <none> image that dangling filters and prune see', async () => {
    const root = tempRoot();
    const old = await makeImage(root, { layers: [await makeLayer({ v: '1' })], created: OLD }, 'app');
    const neu = await makeImage(root, { layers: [await makeLayer({ v: '2' })], created: NEWER });
    expect(slipway(root, ['tag', neu.id, 'app']).status).toBe(0);
    const rows = slipway(root, ['images']).stdout.trimEnd().split('\n').slice(1);
    expect(rows[0]).toMatch(new RegExp(`^app\\s+latest\\s+${neu.id.slice(7, 19)}`));
    expect(rows[1]).toMatch(new RegExp(`^<none>\\s+<none>\\s+${old.id.slice(7, 19)}`));
    expect(slipway(root, ['images', '-q', '--filter', 'dangling=true']).stdout).toBe(`${old.id.slice(7, 19)}\n`);
    expect(slipway(root, ['images', '-q', '--filter', 'dangling=false']).stdout).toBe(`${neu.id.slice(7, 19)}\n`);
    const df = slipway(root, ['system', 'df']).stdout.split('\n');
    expect(df[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    expect(df[1]).toMatch(/^Images\s+2\s+0\s+(\S+)\s+\1 \(100%\)$/);
    expect(df[2]).toMatch(/^Build Cache\s+0\s+0\s+0B\s+0B$/);
    const p = slipway(root, ['image', 'prune', '-f']);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(new RegExp(`^Deleted Images:\ndeleted: ${old.id}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: \\d+(\\.\\d+)?[kM]?B\n$`));
    expect(slipway(root, ['images', '-q']).stdout).toBe(`${neu.id.slice(7, 19)}\n`);
    expect(slipway(root, ['image', 'prune', '-f']).stdout).toBe('Total reclaimed space: 0B\n');
    const all = slipway(root, ['image', 'prune', '-a', '-f']);
    expect(all.stdout).toContain('untagged: app:latest\ndeleted: ');
    expect(slipway(root, ['system', 'df', '--format', '{{.Type}}={{.TotalCount}}']).stdout).toBe('Images=0\nBuild Cache=0\n');
    // Without -f prune asks; answering no removes nothing.
    await makeImage(root, { layers: [await makeLayer({ d: '1' })] });
    const asked = slipway(root, ['image', 'prune'], 'n\n');
    expect(asked.stdout).toContain('WARNING! This will remove all dangling images.');
    expect(slipway(root, ['images', '-q']).stdout).not.toBe('');
  });
});

describe('image prune filters', () => {
  it('prunes only images matching label= / label!= / until=', async () => {
    const root = tempRoot();
    const x = await makeImage(root, { layers: [await makeLayer({ x: '1' })], labels: { tier: 'x' }, created: NEWER });
    const y = await makeImage(root, { layers: [await makeLayer({ y: '1' })], labels: { tier: 'y' }, created: OLD });
    const ids = (): string[] => slipway(root, ['images', '-q', '--no-trunc']).stdout.split('\n').filter(Boolean);
    expect(slipway(root, ['image', 'prune', '-f', '--filter', 'until=2024-03-01T00:00:00Z']).stdout).toContain(`deleted: ${y.id}`);
    expect(ids()).toEqual([x.id]);
    expect(slipway(root, ['image', 'prune', '-f', '--filter', 'label!=tier=x']).stdout).toBe('Total reclaimed space: 0B\n');
    expect(slipway(root, ['image', 'prune', '-f', '--filter', 'label=tier=x']).stdout).toContain(`deleted: ${x.id}`);
    expect(ids()).toEqual([]);
    expect(slipway(root, ['image', 'prune', '-f', '--filter', 'dangling=true']).status).toBe(1);
  });
});

describe('system df --verbose and missing creation times', () => {
  it('splits image sizes into shared and unique layers; an image without created shows N/A', async () => {
    const root = tempRoot();
    const shared = await makeLayer({ s: 's'.repeat(3000) });
    const own = await makeLayer({ o: 'o' });
    await makeImage(root, { layers: [shared, own], created: OLD }, 'one');
    await makeImage(root, { layers: [shared], created: '' }, 'two');
    const out = slipway(root, ['system', 'df', '--verbose']).stdout.split('\n');
    expect(out[0]).toBe('Images space usage:');
    expect(out[2]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS$/);
    const one = out.find((l) => l.startsWith('one '))!.split(/\s{3,}/);
    expect(one.slice(4)).toEqual([
      humanSize(shared.tar.length + own.tar.length, 3),
      humanSize(shared.tar.length),
      humanSize(own.tar.length),
      '0',
    ]);
    const two = out.find((l) => l.startsWith('two '))!.split(/\s{3,}/);
    expect(two[3]).toBe('N/A');
    expect(two.slice(5)).toEqual([humanSize(shared.tar.length), '0B', '0']);
    expect(out).toContain('Build cache usage: 0B');
    expect(slipway(root, ['images', 'two']).stdout.split('\n')[1]).toMatch(/^two\s+latest\s+\w{12}\s+N\/A\s+/);
    expect(slipway(root, ['images', '--format', '[{{.CreatedSince}}]', 'two']).stdout).toBe('[]\n');
  });
});

describe('import', () => {
  it('creates a one-layer image with --change and -m; same tar → same layer; gzip and stdin accepted', async () => {
    const root = tempRoot();
    const tar = await makeTar({ 'bin/hello': 'hi', 'etc/conf': 'c' });
    const { writeFileSync } = await import('node:fs');
    const file = `${root}/rootfs.tar`;
    writeFileSync(file, tar);
    const r = slipway(root, [
      'import', '-m', 'imported', '-c', 'CMD ["/bin/hello"]', '-c', 'ENV A=1 B="two words"', '-c', 'EXPOSE 80 53/udp',
      '-c', 'LABEL k=v', '-c', 'WORKDIR /srv', '-c', 'USER nobody', '-c', 'ENTRYPOINT /bin/sh', '-c', 'VOLUME ["/data"]', '-c', 'STOPSIGNAL SIGINT',
      file, 'imp:1',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const [obj] = JSON.parse(slipway(root, ['inspect', 'imp:1']).stdout) as Array<Record<string, any>>;
    expect(obj!.Id).toBe(r.stdout.trim());
    expect(obj!.Comment).toBe('imported');
    expect(obj!.Config).toMatchObject({
      Cmd: ['/bin/hello'],
      Env: ['A=1', 'B=two words'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { k: 'v' },
      WorkingDir: '/srv',
      User: 'nobody',
      Entrypoint: ['/bin/sh', '-c', '/bin/sh'],
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
    });
    const { createHash } = await import('node:crypto');
    expect(obj!.RootFS.Layers).toEqual([`sha256:${createHash('sha256').update(tar).digest('hex')}`]);
    expect(obj!.Size).toBe(tar.length);
    expect(slipway(root, ['history', '--format', '{{.Comment}}', 'imp:1']).stdout).toBe('imported\n');

    const fromStdin = slipway(root, ['import', '-', 'imp:gz'], gzipSync(tar));
    expect(fromStdin.status, fromStdin.stderr).toBe(0);
    const [gz] = JSON.parse(slipway(root, ['inspect', 'imp:gz']).stdout) as Array<Record<string, any>>;
    expect(gz!.RootFS.Layers).toEqual(obj!.RootFS.Layers);
    const bad = slipway(root, ['import', '-c', 'FROM x', file]);
    expect(bad).toMatchObject({ status: 1, stderr: 'Error: from is not a valid change command\n' });
    expect(slipway(root, ['import', `${root}/missing.tar`]).status).toBe(1);
  });

  it('is deterministic under SOURCE_DATE_EPOCH and reads a rootfs from a URL', async () => {
    const root = tempRoot();
    const tar = await makeTar({ 'a/b': 'c' });
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      if (req.url === '/rootfs.tar') res.end(tar);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      const env = { SOURCE_DATE_EPOCH: '1700000000' };
      const one = await slipwayAsync(root, ['import', `http://127.0.0.1:${port}/rootfs.tar`, 'url:1'], env);
      expect(one.status, one.stderr).toBe(0);
      const two = slipway(root, ['import', '-', 'url:2'], tar, env);
      expect(two.stdout).toBe(one.stdout);
      expect(slipway(root, ['inspect', '--format', '{{.Created}}', 'url:1']).stdout).toBe('2023-11-14T22:13:20.000Z\n');
      const missing = await slipwayAsync(root, ['import', `http://127.0.0.1:${port}/nope.tar`]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('404');
    } finally {
      server.close();
    }
  });
});
