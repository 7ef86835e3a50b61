import { execFileSync } from 'node:child_process';
import {
  existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../../src/solver/layer/apply-layer.js';
import { writeLayerTar } from '../../../src/solver/layer/write-layer.js';
import { readXattrs } from '../../../src/solver/layer/xattrs.js';
import { makeBusyboxRootfs, requireTool } from '../../helpers/busybox-rootfs.js';
import { collect, listTar, makeTar, tarNames } from './tar-fixtures.js';
import { listTree } from './tree-listing.js';

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'slipway-layer-'));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function applyBuffer(data: Buffer, dest: string, whiteouts: 'flatten' | 'overlay' = 'flatten') {
  return applyLayer(Readable.from([data]), dest, { whiteouts });
}

describe('layer tar round trip', () => {
  it('writes a busybox rootfs and applies it back identically (modes, owners, links, mtimes)', async () => {
    const base = tempDir();
    const root = makeBusyboxRootfs(path.join(base, 'rootfs'));
    writeFileSync(path.join(root, 'etc/owned'), 'x');
    execFileSync('chown', ['1234:5678', path.join(root, 'etc/owned')]);
    execFileSync('chmod', ['4755', path.join(root, 'etc/owned')]);
    const data = await collect(writeLayerTar({ upperdir: root, lowers: [] }));
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    const res = await applyBuffer(data, dest);
    expect(res.entries).toBeGreaterThan(250);
    expect(listTree(dest, { mtimes: true })).toEqual(listTree(root, { mtimes: true }));
  }, 30_000);

  it('is deterministic, sorted depth-first, numeric owners, dirs with a trailing slash', async () => {
    const base = tempDir();
    const root = path.join(base, 'r');
    mkdirSync(path.join(root, 'a/b'), { recursive: true });
    writeFileSync(path.join(root, 'a/b/z'), 'z');
    writeFileSync(path.join(root, 'a-b'), 'ab');
    writeFileSync(path.join(root, 'a/c'), 'c');
    const one = await collect(writeLayerTar({ upperdir: root, lowers: [] }));
    const two = await collect(writeLayerTar({ upperdir: root, lowers: [] }));
    expect(one.equals(two)).toBe(true);
    const entries = await listTar(one);
    expect(entries.map((e) => e.header.name)).toEqual(['a/', 'a/b/', 'a/b/z', 'a/c', 'a-b']);
    for (const e of entries) {
      expect(e.header.uname).toBe('');
      expect(e.header.gname).toBe('');
    }
    // GNU tar reads it too.
    const tarFile = path.join(base, 'l.tar');
    writeFileSync(tarFile, one);
    expect(execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a/', 'a/b/', 'a/b/z', 'a/c', 'a-b']);
  });

  it('clamps mtimes to the epoch and uses PAX only for long names and big ids', async () => {
    const base = tempDir();
    const root = path.join(base, 'r');
    const longDir = 'd'.repeat(120);
    mkdirSync(path.join(root, longDir), { recursive: true });
    writeFileSync(path.join(root, longDir, 'f'.repeat(110)), 'long');
    writeFileSync(path.join(root, 'bigid'), 'id');
    execFileSync('chown', ['3000000:3000001', path.join(root, 'bigid')]);
    utimesSync(path.join(root, 'bigid'), 2_000_000_000, 2_000_000_000);
    const data = await collect(writeLayerTar({ upperdir: root, lowers: [], epoch: 1_000 }));
    const entries = await listTar(data);
    const big = entries.find((e) => e.header.name === 'bigid');
    expect(big?.header.uid).toBe(3000000);
    expect(big?.header.gid).toBe(3000001);
    expect(big?.header.mtime).toBe(1000);
    expect(entries.map((e) => e.header.name)).toContain(`${longDir}/${'f'.repeat(110)}`);
    // Raw bytes: PAX headers only where USTAR cannot hold the entry: the 121-byte directory
    // name (one component, no prefix split possible), the long file name, the big ids.
    let pax = 0;
    for (let off = 0; off + 512 <= data.length; off += 512) if (data[off + 156] === 0x78 && data.toString('ascii', off + 257, off + 262) === 'ustar') pax++;
    expect(pax).toBe(3);
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    await applyBuffer(data, dest);
    expect(lstatSync(path.join(dest, 'bigid')).uid).toBe(3000000);
    expect(readFileSync(path.join(dest, longDir, 'f'.repeat(110)), 'utf8')).toBe('long');
  });

  it('round-trips non-ASCII names through PAX path records', async () => {
    const base = tempDir();
    const root = path.join(base, 'r');
    mkdirSync(path.join(root, 'dïr'), { recursive: true });
    writeFileSync(path.join(root, 'dïr/naïve ☃.txt'), 'snow');
    symlinkSync('naïve ☃.txt', path.join(root, 'dïr/link→'));
    const data = await collect(writeLayerTar({ upperdir: root, lowers: [] }));
    expect(await tarNames(data)).toEqual(['dïr/', 'dïr/link→', 'dïr/naïve ☃.txt']);
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    await applyBuffer(data, dest);
    expect(listTree(dest, { mtimes: true })).toEqual(listTree(root, { mtimes: true }));
    const tarFile = path.join(base, 'u.tar');
    writeFileSync(tarFile, data);
    expect(execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' })).toContain('dïr/naïve ☃.txt');
  });

  it('keeps hardlinks as hardlinks (tar link entries) and restores them', async () => {
    const base = tempDir();
    const root = path.join(base, 'r');
    mkdirSync(path.join(root, 'x'), { recursive: true });
    writeFileSync(path.join(root, 'x/one'), 'shared');
    linkSync(path.join(root, 'x/one'), path.join(root, 'two'));
    const entries = await listTar(await collect(writeLayerTar({ upperdir: root, lowers: [] })));
    // The walk meets 'two' first, so it carries the data and 'x/one' links to it.
    const one = entries.find((e) => e.header.name === 'x/one');
    expect(one?.header.type).toBe('link');
    expect(one?.header.linkname).toBe('two');
    expect(entries.find((e) => e.header.name === 'two')?.content.toString()).toBe('shared');
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    await applyBuffer(makeTar(entries.map((e) => ({
      name: e.header.name, type: e.header.type, linkname: e.header.linkname, content: e.content,
    }))), dest);
    expect(lstatSync(path.join(dest, 'two')).ino).toBe(lstatSync(path.join(dest, 'x/one')).ino);
    expect(lstatSync(path.join(dest, 'two')).nlink).toBe(2);
  });

  it('a hardlink entry\'s own owner and mode apply to the shared inode (containerd/Docker createTarFile)', async () => {
    // BuildKit (docker 20.10 measured, same untar code today): ADD of a tar holding
    // `file` 4755 3:4 then `hard` (link to file) 0644 0:0 gives both names 0644 0:0.
    const dest = tempDir();
    await applyBuffer(makeTar([
      { name: 'top/', type: 'dir' },
      { name: 'top/file', content: 'hello\n', mode: 0o4755, uid: 3, gid: 4 },
      { name: 'top/hard', type: 'link', linkname: 'top/file', mode: 0o644, uid: 0, gid: 0 },
    ]), dest);
    for (const name of ['top/file', 'top/hard']) {
      const st = lstatSync(path.join(dest, name));
      expect([st.mode & 0o7777, st.uid, st.gid, st.nlink]).toEqual([0o644, 0, 0, 2]);
    }
  });

  it('carries xattrs (security.capability via setcap, user.*) as binary-safe PAX records', async () => {
    requireTool('setcap', 'apt-get install libcap2-bin');
    const base = tempDir();
    const root = path.join(base, 'r');
    mkdirSync(root);
    writeFileSync(path.join(root, 'ping'), 'bin');
    execFileSync('setcap', ['cap_net_raw+ep', path.join(root, 'ping')]);
    execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff10', path.join(root, 'ping')]);
    execFileSync('setfattr', ['-n', 'trusted.overlay.origin', '-v', '0x01', path.join(root, 'ping')]);
    const caps = (await readXattrs(path.join(root, 'ping'))).get('security.capability');
    expect(caps?.length).toBeGreaterThan(0);
    const entries = await listTar(await collect(writeLayerTar({ upperdir: root, lowers: [] })));
    const ping = entries.find((e) => e.header.name === 'ping');
    expect(ping?.header.xattrs.get('security.capability')?.equals(caps as Buffer)).toBe(true);
    expect(ping?.header.xattrs.get('user.bin')?.toString('hex')).toBe('00ff10');
    expect(ping?.header.xattrs.has('trusted.overlay.origin')).toBe(false);
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    await applyBuffer(await collect(writeLayerTar({ upperdir: root, lowers: [] })), dest);
    expect(execFileSync('getcap', [path.join(dest, 'ping')], { encoding: 'utf8' })).toContain('cap_net_raw=ep');
    expect((await readXattrs(path.join(dest, 'ping'))).get('user.bin')?.toString('hex')).toBe('00ff10');
  });

  it('applies gzip and zstd layers made by GNU tar', async () => {
    requireTool('zstd', 'apt-get install zstd');
    const base = tempDir();
    const src = path.join(base, 'src');
    mkdirSync(path.join(src, 'd'), { recursive: true });
    writeFileSync(path.join(src, 'd/f'), 'hello');
    symlinkSync('/d/f', path.join(src, 'abs-link'));
    const long = `${'n'.repeat(150)}-é`; // GNU format: a ././@LongLink record
    writeFileSync(path.join(src, long), 'long');
    for (const [flag, name] of [['-z', 'gz'], ['--zstd', 'zst']] as const) {
      const file = path.join(base, `l.tar.${name}`);
      execFileSync('tar', ['-C', src, flag, '-cf', file, '.']);
      const dest = path.join(base, `dest-${name}`);
      mkdirSync(dest);
      await applyLayer(Readable.from([readFileSync(file)]), dest, { whiteouts: 'flatten' });
      expect(readFileSync(path.join(dest, 'd/f'), 'utf8')).toBe('hello');
      expect(lstatSync(path.join(dest, 'abs-link')).isSymbolicLink()).toBe(true);
      expect(readFileSync(path.join(dest, long), 'utf8')).toBe('long');
    }
  });
});

describe('whiteouts', () => {
  it('turns 0:0 devices into .wh. entries only when the lower has the file, and opaque dirs into .wh..wh..opq', async () => {
    const base = tempDir();
    const lower = path.join(base, 'lower');
    const upper = path.join(base, 'upper');
    mkdirSync(path.join(lower, 'bin'), { recursive: true });
    mkdirSync(path.join(lower, 'opq'), { recursive: true });
    writeFileSync(path.join(lower, 'bin/ls'), 'ls');
    writeFileSync(path.join(lower, 'opq/old'), 'old');
    mkdirSync(path.join(upper, 'bin'), { recursive: true });
    mkdirSync(path.join(upper, 'opq'), { recursive: true });
    execFileSync('mknod', [path.join(upper, 'bin/ls'), 'c', '0', '0']);
    execFileSync('mknod', [path.join(upper, 'bin/never-existed'), 'c', '0', '0']);
    writeFileSync(path.join(upper, 'opq/new'), 'new');
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(upper, 'opq')]);
    const data = await collect(writeLayerTar({ upperdir: upper, lowers: [lower], epoch: 0 }));
    expect(await tarNames(data)).toEqual(['bin/', 'bin/.wh.ls', 'opq/', 'opq/.wh..wh..opq', 'opq/new']);

    // Flatten: apply lower then the layer.
    const flat = path.join(base, 'flat');
    mkdirSync(flat);
    await applyBuffer(await collect(writeLayerTar({ upperdir: lower, lowers: [] })), flat);
    await applyBuffer(data, flat);
    expect(Object.keys(listTree(flat))).toEqual(['bin', 'opq', 'opq/new']);

    // Overlay format: whiteouts become devices and xattrs again.
    const ovl = path.join(base, 'ovl');
    mkdirSync(ovl);
    await applyBuffer(data, ovl, 'overlay');
    const wh = lstatSync(path.join(ovl, 'bin/ls'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    expect((await readXattrs(path.join(ovl, 'opq'))).get('trusted.overlay.opaque')?.toString()).toBe('y');
    expect(existsSync(path.join(ovl, 'opq/.wh..wh..opq'))).toBe(false);
  });

  it('leaves out copied-up directories that did not change, but includes them as parents', async () => {
    const base = tempDir();
    const lower = path.join(base, 'lower');
    const upper = path.join(base, 'upper');
    mkdirSync(path.join(lower, 'etc/same'), { recursive: true });
    mkdirSync(path.join(upper, 'etc/same'), { recursive: true });
    writeFileSync(path.join(upper, 'etc/new'), 'n');
    execFileSync('chmod', ['700', path.join(upper, 'etc')]);
    execFileSync('chmod', ['700', path.join(lower, 'etc')]);
    const names = await tarNames(await collect(writeLayerTar({ upperdir: upper, lowers: [lower] })));
    expect(names).toEqual(['etc/', 'etc/new']);
  });
});

describe('hostile layers write nothing outside the destination', () => {
  const cases: Array<[string, Parameters<typeof makeTar>[0]]> = [
    ['dot-dot', [{ name: '../escape', content: 'x' }]],
    ['nested dot-dot', [{ name: 'a/../../escape', content: 'x' }]],
    ['absolute', [{ name: '/escape-abs', content: 'x' }]],
    ['symlink then write through', [
      { name: 'link', type: 'symlink', linkname: '../../..' },
      { name: 'link/escape', content: 'x' },
    ]],
    ['absolute symlink then write through', [
      { name: 'alink', type: 'symlink', linkname: '/' },
      { name: 'alink/escape', content: 'x' },
    ]],
    ['hardlink to outside', [{ name: 'hl', type: 'link', linkname: '../outside-target' }]],
    ['hardlink through symlink', [
      { name: 'up', type: 'symlink', linkname: '../' },
      { name: 'hl', type: 'link', linkname: 'up/outside-target' },
    ]],
    ['whiteout escaping', [{ name: '.wh...', content: '' }, { name: 'd/.wh...', content: '' }]],
  ];
  for (const [label, entries] of cases) {
    it(label, async () => {
      const base = tempDir();
      const dest = path.join(base, 'a/b/dest');
      mkdirSync(dest, { recursive: true });
      writeFileSync(path.join(base, 'a/b/outside-target'), 'secret');
      const before = listTree(base);
      await applyBuffer(makeTar(entries), dest).catch(() => undefined);
      const after = listTree(base);
      for (const key of Object.keys(after)) {
        if (!key.startsWith('a/b/dest/') && key !== 'a/b/dest') expect(after[key], key).toBe(before[key]);
      }
      expect(Object.keys(after).filter((k) => !k.startsWith('a/b/dest')).sort()).toEqual(
        Object.keys(before).filter((k) => !k.startsWith('a/b/dest')).sort());
      expect(existsSync('/escape')).toBe(false);
      expect(existsSync('/escape-abs')).toBe(false);
      expect(readFileSync(path.join(base, 'a/b/outside-target'), 'utf8')).toBe('secret');
      expect(lstatSync(path.join(base, 'a/b/outside-target')).nlink).toBe(1);
    });
  }

  it('resolves a symlinked parent inside the root (write lands under the root)', async () => {
    const base = tempDir();
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    await applyBuffer(makeTar([
      { name: 'usr/', type: 'dir' },
      { name: 'usr/bin/', type: 'dir' },
      { name: 'bin', type: 'symlink', linkname: '/usr/bin' },
      { name: 'bin/tool', content: 'tool' },
    ]), dest);
    expect(readFileSync(path.join(dest, 'usr/bin/tool'), 'utf8')).toBe('tool');
  });

  it('replaces a symlink with a file instead of writing through it', async () => {
    const base = tempDir();
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    writeFileSync(path.join(base, 'victim'), 'keep');
    await applyBuffer(makeTar([
      { name: 'f', type: 'symlink', linkname: path.join(base, 'victim') },
      { name: 'f', content: 'new' },
    ]), dest);
    expect(readFileSync(path.join(base, 'victim'), 'utf8')).toBe('keep');
    expect(readFileSync(path.join(dest, 'f'), 'utf8')).toBe('new');
  });

  it('never lets a whiteout remove what the same layer wrote (OCI rule)', async () => {
    const base = tempDir();
    writeFileSync(path.join(base, 'lower-file'), 'old');
    await applyBuffer(makeTar([{ name: 'mine', content: 'new' }, { name: '.wh.mine' }, { name: '.wh.lower-file' }]), base);
    expect(readFileSync(path.join(base, 'mine'), 'utf8')).toBe('new');
    expect(existsSync(path.join(base, 'lower-file'))).toBe(false);
  });

  it('consumes the whole stream (trailer padding included) and rejects truncated or corrupt layers', async () => {
    const base = tempDir();
    const tar = Buffer.concat([makeTar([{ name: 'f', content: 'x'.repeat(1000) }]), Buffer.alloc(8192)]);
    let seen = 0;
    const counted = (async function* () {
      for (let off = 0; off < tar.length; off += 700) {
        const chunk = tar.subarray(off, off + 700);
        seen += chunk.length;
        yield chunk;
      }
    })();
    await applyLayer(counted, path.join(base), { whiteouts: 'flatten' });
    expect(seen).toBe(tar.length);
    const dest = path.join(base, 'd2');
    mkdirSync(dest);
    await expect(applyBuffer(tar.subarray(0, 700), dest)).rejects.toThrow(/unexpected end of tar stream/);
    const gz = execFileSync('gzip', ['-c'], { input: tar });
    await expect(applyBuffer(gz.subarray(0, gz.length - 20), dest)).rejects.toThrow(/gzip -d failed|unexpected end/);
    await expect(applyBuffer(Buffer.from('this is not a tar archive at all'.repeat(20)), dest)).rejects.toThrow(/checksum/);
  });

  it('says clearly when zstd is needed but not installed', async () => {
    requireTool('zstd', 'apt-get install zstd');
    const base = tempDir();
    const file = path.join(base, 'x.tar');
    writeFileSync(file, makeTar([{ name: 'f', content: 'x' }]));
    execFileSync('zstd', ['-q', file]);
    const saved = process.env.PATH;
    process.env.PATH = base;
    try {
      await expect(applyLayer(Readable.from([readFileSync(`${file}.zst`)]), base, { whiteouts: 'flatten' }))
        .rejects.toThrow(/zstd-compressed but the `zstd` command is not installed/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('as a real non-root user: skips devices with a warning, still writes files and overlay whiteouts', async () => {
    const base = tempDir();
    const script = path.join(base, 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./apply-child.ts', import.meta.url))], bundle: true, platform: 'node',
      format: 'esm', outfile: script, logLevel: 'silent',
    });
    const tar = path.join(base, 'l.tar');
    writeFileSync(tar, makeTar([{ name: 'null', type: 'char' }, { name: 'd/', type: 'dir' }, { name: 'd/f', content: 'x', uid: 0 }, { name: 'd/.wh.gone' }]));
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    execFileSync('chown', ['-R', '65534:65534', base]);
    const out = execFileSync(process.execPath, [script, tar, dest, 'overlay'], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['skipping device file null: creating device nodes needs root']);
    expect(readFileSync(path.join(dest, 'd/f'), 'utf8')).toBe('x');
    expect(lstatSync(path.join(dest, 'd/f')).uid).toBe(65534);
    const wh = lstatSync(path.join(dest, 'd/gone'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
  });

  it('skips device files with a warning when not privileged', async () => {
    const base = tempDir();
    const warnings: string[] = [];
    await applyLayer(Readable.from([makeTar([{ name: 'null', type: 'char' }, { name: 'ok', content: '1' }])]), base,
      { whiteouts: 'flatten', privileged: false, onWarning: (m) => warnings.push(m) });
    expect(existsSync(path.join(base, 'null'))).toBe(false);
    expect(existsSync(path.join(base, 'ok'))).toBe(true);
    expect(warnings.join()).toMatch(/device file null/);
  });
});
