// A build context with what git cannot hold (hardlinks, fifos, sockets, device nodes, special
// mode bits, owners, xattrs), built the way testdata/diff's ci-weird-ctx probe was compared
// with the reference BuildKit (docker-ref): the layer COPY . writes and what a RUN bind
// mount of the context shows. Expectations are what docker-ref gave, except where noted
// (current BuildKit's fsutil copies fifos and device nodes; 20.10's copy skipped fifos and
// made devices empty files).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TarHeader } from '../../src/solver/layer/tar-header.js';
import { requireTool } from '../helpers/require-tool.js';
import { slipwayBuild, tempDir } from '../solver/build/slipway.js';
import { listTar } from '../solver/snapshot/tar-fixtures.js';

const CAP = Buffer.from('AQAAAgAgAAAAAAAAAAAAAAAAAAA=', 'base64');

let root: string;
let ctx: string;
let out: string;
let layer: Map<string, TarHeader>;
let bindList: string[];

/** The entries the build's own layers (all but the base's) hold, by name without a trailing '/'. */
async function layerEntries(ociTar: string): Promise<Map<string, TarHeader>> {
  const dir = tempDir('special-ctx-oci');
  try {
    execFileSync('tar', ['-xf', ociTar, '-C', dir]);
    const json = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    const blobPath = (digest: string) => path.join(dir, 'blobs', ...digest.split(':'));
    let m = json(path.join(dir, 'index.json')) as { manifests?: { digest: string }[]; layers?: { digest: string }[] };
    while (m.manifests) m = json(blobPath(m.manifests[0]!.digest)) as typeof m;
    const out = new Map<string, TarHeader>();
    for (const l of m.layers!.slice(1)) {
      for (const e of await listTar(gunzipSync(readFileSync(blobPath(l.digest))))) out.set(e.header.name.replace(/\/$/, ''), e.header);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  requireTool('setfattr', 'apt-get install -y attr');
  root = tempDir('special-ctx-root');
  ctx = tempDir('special-ctx');
  out = tempDir('special-ctx-out');
  const p = (...parts: string[]) => path.join(ctx, ...parts);
  writeFileSync(p('Dockerfile'), [
    'FROM 127.0.0.1:5100/library/busybox:latest',
    'COPY . /ctx/',
    'COPY d/h1 d/h2 /pair/',
    'COPY priv /privcopy',
    // stat's %h of the mount's entries; ls -n for the rest.
    'RUN --mount=type=bind,target=/tmp stat -c "%n %a %u %g %h %F" /tmp /tmp/fifo /tmp/sock /tmp/null /tmp/d/h1 /tmp/owned /tmp/zero /tmp/priv /tmp/suid/f /tmp/sgid /tmp/sticky > /bindlist',
    '',
  ].join('\n'));
  mkdirSync(p('d', 'sub'), { recursive: true });
  writeFileSync(p('d', 'h1'), 'hello\n');
  linkSync(p('d', 'h1'), p('d', 'h2'));
  linkSync(p('d', 'h1'), p('d', 'sub', 'h3'));
  linkSync(p('d', 'h1'), p('toph'));
  chownSync(p('d', 'sub'), 42, 43);
  mkdirSync(p('suid'));
  writeFileSync(p('suid', 'f'), 's\n');
  chmodSync(p('suid', 'f'), 0o4755);
  mkdirSync(p('sgid'));
  chmodSync(p('sgid'), 0o2755);
  writeFileSync(p('sgid', 'f'), 'g\n');
  chmodSync(p('sgid', 'f'), 0o2711);
  mkdirSync(p('sticky'));
  chmodSync(p('sticky'), 0o1755);
  writeFileSync(p('zero'), 'z\n');
  chmodSync(p('zero'), 0);
  mkdirSync(p('priv'));
  writeFileSync(p('priv', 'f'), 'p\n');
  chmodSync(p('priv', 'f'), 0o600);
  chmodSync(p('priv'), 0o700);
  mkdirSync(p('d0'));
  chmodSync(p('d0'), 0);
  writeFileSync(p('owned'), 'o\n');
  chownSync(p('owned'), 1234, 5678);
  execFileSync('mkfifo', ['-m', '644', p('fifo')]);
  execFileSync('mknod', ['-m', '640', p('null'), 'c', '1', '3']);
  writeFileSync(p('xa'), 'x\n');
  execFileSync('setfattr', ['-n', 'user.foo', '-v', 'bar', p('xa')]);
  writeFileSync(p('cap'), 'c\n');
  execFileSync('setfattr', ['-n', 'security.capability', '-v', '0s' + CAP.toString('base64'), p('cap')]);
  symlinkSync('/nonexistent', p('dangle'));
  symlinkSync('../../../../etc/passwd', p('outrel'));
  symlinkSync('d', p('linkdir'));
  // A socket exists while its server listens: build meanwhile.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(p('sock'), resolve));
  chmodSync(p('sock'), 0o755);
  chmodSync(ctx, 0o750);
  try {
    const tar = path.join(out, 'image.tar');
    const r = slipwayBuild(root, ['-o', `type=oci,dest=${tar}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    layer = await layerEntries(tar);
    const local = path.join(out, 'local');
    const r2 = slipwayBuild(root, ['-o', `type=local,dest=${local}`, ctx]);
    expect(r2.status, r2.stderr).toBe(0);
    bindList = readFileSync(path.join(local, 'bindlist'), 'utf8').trim().split('\n');
  } finally {
    server.close();
  }
}, 180_000);

afterAll(() => {
  for (const d of [root, ctx, out]) if (d) rmSync(d, { recursive: true, force: true });
});

const entry = (name: string): string => {
  const h = layer.get(name);
  if (!h) return '(missing)';
  const link = h.type === 'link' || h.type === 'symlink' ? ` -> ${h.linkname}` : '';
  const dev = h.type === 'char' || h.type === 'block' ? ` ${h.devmajor},${h.devminor}` : '';
  return `${h.type} ${h.mode.toString(8)} ${h.uid}:${h.gid} ${h.size}${dev}${link}`;
};

describe('a context with special files, modes, owners and links (docker-ref: ci-weird-ctx)', () => {
  it('COPY . keeps modes and special bits, resets owners to 0:0, and /ctx itself is 0755', () => {
    expect(entry('ctx')).toBe('dir 755 0:0 0');
    expect(entry('ctx/suid/f')).toBe('file 4755 0:0 2');
    expect(entry('ctx/sgid')).toBe('dir 2755 0:0 0');
    expect(entry('ctx/sgid/f')).toBe('file 2711 0:0 2');
    expect(entry('ctx/sticky')).toBe('dir 1755 0:0 0');
    expect(entry('ctx/zero')).toBe('file 0 0:0 2');
    expect(entry('ctx/priv')).toBe('dir 700 0:0 0');
    expect(entry('ctx/priv/f')).toBe('file 600 0:0 2');
    expect(entry('ctx/d0')).toBe('dir 0 0:0 0');
    expect(entry('ctx/owned')).toBe('file 644 0:0 2');
    expect(entry('ctx/d/sub')).toBe('dir 755 0:0 0');
    // COPY of a directory makes the destination 0755 and copies what is inside (prepareTargetDir).
    expect(entry('privcopy')).toBe('dir 755 0:0 0');
    expect(entry('privcopy/f')).toBe('file 600 0:0 2');
  });

  it('hardlinks inside one COPY stay linked; two sources named apart are two files', () => {
    const names = ['ctx/d/h1', 'ctx/d/h2', 'ctx/d/sub/h3', 'ctx/toph'];
    const files = names.filter((n) => layer.get(n)?.type === 'file');
    expect(files).toEqual(['ctx/d/h1']);
    for (const n of names.slice(1)) expect(entry(n)).toBe('link 644 0:0 0 -> ctx/d/h1');
    expect(entry('pair/h1')).toBe('file 644 0:0 6');
    expect(entry('pair/h2')).toBe('file 644 0:0 6');
  });

  it('symlinks are copied as they are, dangling or leading out of the context', () => {
    expect(entry('ctx/dangle')).toBe('symlink 777 0:0 0 -> /nonexistent');
    expect(entry('ctx/outrel')).toBe('symlink 777 0:0 0 -> ../../../../etc/passwd');
    expect(entry('ctx/linkdir')).toBe('symlink 777 0:0 0 -> d');
  });

  it('a socket becomes an empty file; a fifo and a device node are made as such (current fsutil)', () => {
    expect(entry('ctx/sock')).toBe('file 755 0:0 0');
    expect(entry('ctx/fifo')).toBe('fifo 644 0:0 0');
    expect(entry('ctx/null')).toBe('char 640 0:0 0 1,3');
  });

  it('security.capability reaches the layer; user.* xattrs do not (the differ writes only the capability)', () => {
    expect(layer.get('ctx/cap')?.xattrs.get('security.capability')).toEqual(CAP);
    expect([...(layer.get('ctx/xa')?.xattrs.keys() ?? [])]).toEqual([]);
  });

  it('a RUN bind mount shows the same tree: 0:0, modes, links, fifo, socket as a file', () => {
    expect(bindList).toEqual([
      '/tmp 755 0 0 8 directory',
      '/tmp/fifo 644 0 0 1 fifo',
      '/tmp/sock 755 0 0 1 regular empty file',
      '/tmp/null 640 0 0 1 character special file',
      '/tmp/d/h1 644 0 0 4 regular file',
      '/tmp/owned 644 0 0 1 regular file',
      '/tmp/zero 0 0 0 1 regular file',
      '/tmp/priv 700 0 0 2 directory',
      '/tmp/suid/f 4755 0 0 1 regular file',
      '/tmp/sgid 2755 0 0 2 directory',
      '/tmp/sticky 1755 0 0 2 directory',
    ]);
  });
});
