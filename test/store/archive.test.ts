import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeImage, makeLayer, requireTool, slipway, tempRoot, type MadeImage } from './fixtures.js';

function tarList(file: string): string[] {
  return execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
}
function tarRead(file: string, member: string): string {
  return execFileSync('tar', ['-xOf', file, member], { encoding: 'utf8' });
}

describe('save and load', () => {
  let root: string;
  let a: MadeImage;
  let b: MadeImage;
  let archive: string;
  beforeAll(async () => {
    requireTool('skopeo');
    requireTool('umoci');
    requireTool('oci-image-tool');
    root = tempRoot();
    const shared = await makeLayer({ 'bin/sh': 'shell', 'etc/os-release': 'ID=test' });
    a = await makeImage(root, { layers: [shared, await makeLayer({ 'app/a': 'A' })], cmd: ['/app/a'] }, 'demo/a:1');
    b = await makeImage(root, { layers: [shared, await makeLayer({ 'app/b': 'B' })], created: '2024-03-01T00:00:00Z' }, 'localhost:5000/b:2');
    archive = path.join(root, 'both.tar');
    const r = slipway(root, ['save', '-o', archive, 'demo/a:1', 'localhost:5000/b:2']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('writes a docker-archive (manifest.json, repositories) that is also an OCI layout, shared layer once', () => {
    const names = tarList(archive);
    expect(names).toEqual(expect.arrayContaining(['manifest.json', 'repositories', 'index.json', 'oci-layout']));
    const manifest = JSON.parse(tarRead(archive, 'manifest.json')) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    expect(manifest.map((m) => m.RepoTags)).toEqual([['demo/a:1'], ['localhost:5000/b:2']]);
    expect(manifest[0]!.Config).toBe(`blobs/sha256/${a.id.slice(7)}`);
    expect(manifest[0]!.Layers[0]).toBe(manifest[1]!.Layers[0]);
    expect(names.filter((n) => n === manifest[0]!.Layers[0])).toHaveLength(1);
    const index = JSON.parse(tarRead(archive, 'index.json'));
    expect(index.manifests.map((m: any) => m.annotations['io.containerd.image.name'])).toEqual(['docker.io/demo/a:1', 'localhost:5000/b:2']);
    expect(JSON.parse(tarRead(archive, 'repositories'))).toHaveProperty(['demo/a', '1']);
  });

  it('is read by skopeo as docker-archive and as oci-archive', () => {
    const d = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${archive}:demo/a:1`], { encoding: 'utf8' }));
    expect(d.Layers).toHaveLength(2);
    expect(d.Os).toBe('linux');
    const cfg = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `docker-archive:${archive}:localhost:5000/b:2`], { encoding: 'utf8' }));
    expect(cfg.created).toBe('2024-03-01T00:00:00Z');
    const o = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci-archive:${archive}:1`], { encoding: 'utf8' }));
    expect(o.config.Cmd).toEqual(['/app/a']);
  });

  it('passes oci-image-tool validation, as does the store itself', () => {
    const dir = path.join(root, 'validate');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    for (const layout of [dir, path.join(root, 'store')]) {
      const r = spawnSync('oci-image-tool', ['validate', '--type', 'image', layout], { encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('Validation succeeded');
    }
  });

  it('is read by umoci as an OCI layout (ls, stat, unpack)', () => {
    const dir = path.join(root, 'layout');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    expect(execFileSync('umoci', ['ls', '--layout', dir], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['1', '2']);
    const bundle = path.join(root, 'bundle');
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${dir}:1`, bundle]);
    expect(readFileSync(path.join(bundle, 'rootfs', 'app', 'a'), 'utf8')).toBe('A');
    expect(readFileSync(path.join(bundle, 'rootfs', 'etc', 'os-release'), 'utf8')).toBe('ID=test');
  });

  it('loads back into a fresh root with the same image IDs, also gzipped and from stdin', () => {
    const fresh = tempRoot();
    const r = slipway(fresh, ['load', '-i', archive]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Loaded image: demo/a:1\nLoaded image: localhost:5000/b:2\n');
    expect(slipway(fresh, ['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).stdout).toBe(
      `localhost:5000/b:2 ${b.id}\ndemo/a:1 ${a.id}\n`,
    );
    const again = tempRoot();
    const gz = slipway(again, ['load'], gzipSync(readFileSync(archive)));
    expect(gz.status, gz.stderr).toBe(0);
    expect(slipway(again, ['images', '-q', '--no-trunc']).stdout.split('\n').filter(Boolean).sort()).toEqual([a.id, b.id].sort());
    // Loading an image whose name another image holds re-points the name and says so.
    const r2 = slipway(fresh, ['tag', 'localhost:5000/b:2', 'demo/a:1']);
    expect(r2.status).toBe(0);
    expect(slipway(fresh, ['load', '-i', archive]).stdout).toContain(
      `The image demo/a:1 already exists, renaming the old one with ID ${b.id} to empty string\n`,
    );
  });

  it('saves by ID without names (Loaded image ID) and streams to stdout', () => {
    const out = spawnSync(path.join(import.meta.dirname, '../../bin/slipway'), ['--root', root, 'save', a.id.slice(7, 19)], {
      maxBuffer: 64 << 20,
    });
    expect(out.status, out.stderr.toString()).toBe(0);
    const file = path.join(root, 'byid.tar');
    writeFileSync(file, out.stdout);
    expect(JSON.parse(tarRead(file, 'manifest.json'))[0].RepoTags).toBeNull();
    const fresh = tempRoot();
    expect(slipway(fresh, ['load', '-i', file]).stdout).toBe(`Loaded image ID: ${a.id}\n`);
    expect(slipway(fresh, ['images', '--format', '{{.Repository}} {{.Tag}}']).stdout).toBe('<none> <none>\n');
  });

  it('loads an OCI archive written by skopeo, and a legacy docker-archive (<id>/layer.tar)', () => {
    const oci = path.join(root, 'oci.tar');
    execFileSync('skopeo', ['copy', '-q', `docker-archive:${archive}:demo/a:1`, `oci-archive:${oci}:docker.io/demo/copied:7`]);
    const fresh = tempRoot();
    const r = slipway(fresh, ['load', '-i', oci]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Loaded image: demo/copied:7\n');
    // skopeo re-encodes the config for OCI, so the ID is the archive's config digest.
    const raw = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${oci}`], { encoding: 'utf8' }));
    expect(slipway(fresh, ['images', '-q', '--no-trunc']).stdout).toBe(`${raw.config.digest}\n`);

    // Docker ≤ 24 layout: <id>/layer.tar, <config hex>.json, a symlinked duplicate layer.
    const legacy = path.join(root, 'legacy');
    const src = path.join(root, 'layout-legacy');
    mkdirSync(src);
    execFileSync('tar', ['-xf', archive, '-C', src]);
    const m = JSON.parse(readFileSync(path.join(src, 'manifest.json'), 'utf8'))[0];
    mkdirSync(path.join(legacy, 'l0'), { recursive: true });
    mkdirSync(path.join(legacy, 'l1'), { recursive: true });
    execFileSync('cp', [path.join(src, m.Layers[0]), path.join(legacy, 'l0', 'layer.tar')]);
    execFileSync('cp', [path.join(src, m.Layers[1]), path.join(legacy, 'l1', 'layer.tar')]);
    execFileSync('cp', [path.join(src, m.Config), path.join(legacy, `${a.id.slice(7)}.json`)]);
    mkdirSync(path.join(legacy, 'l2'));
    execFileSync('ln', ['-s', '../l0/layer.tar', path.join(legacy, 'l2', 'layer.tar')]);
    writeFileSync(path.join(legacy, 'manifest.json'), JSON.stringify([{ Config: `${a.id.slice(7)}.json`, RepoTags: ['old:style'], Layers: ['l2/layer.tar', 'l1/layer.tar'] }]));
    const legacyTar = path.join(root, 'legacy.tar');
    execFileSync('tar', ['-cf', legacyTar, '-C', legacy, '.']);
    const r2 = slipway(fresh, ['load', '-i', legacyTar]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toBe('Loaded image: old:style\n');
    expect(slipway(fresh, ['images', '-q', '--no-trunc', 'old']).stdout).toBe(`${a.id}\n`);
  });

  it('rejects garbage and a layer that does not match its diff ID, storing no image', () => {
    const fresh = tempRoot();
    const junk = path.join(root, 'junk.tar');
    writeFileSync(junk, 'not a tar at all');
    expect(slipway(fresh, ['load', '-i', junk]).status).toBe(1);
    const bad = path.join(root, 'bad');
    mkdirSync(bad);
    execFileSync('tar', ['-xf', archive, '-C', bad]);
    const m = JSON.parse(readFileSync(path.join(bad, 'manifest.json'), 'utf8'));
    writeFileSync(path.join(bad, 'manifest.json'), JSON.stringify([{ ...m[0], Layers: [m[0].Layers[1], m[0].Layers[0]] }]));
    execFileSync('rm', [path.join(bad, 'index.json')]);
    const badTar = path.join(root, 'bad.tar');
    execFileSync('tar', ['-cf', badTar, '-C', bad, '.']);
    const r = slipway(fresh, ['load', '-i', badTar]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Error: layer .* does not match the config's diff ID/);
    expect(slipway(fresh, ['images', '-q']).stdout).toBe('');
  });
});
