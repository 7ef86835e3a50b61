// mkdir / mkfile / rm / symlink actions and --chown name resolution.
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy, mkdir, mkfile, resolveChown, rm, symlink } from '../../../src/solver/fileop/index.js';
import { dockerCopy, listing, roots, tree } from './fixtures.js';

const TS = 1_234_567_890n * 1_000_000_000n;
const mtime = (p: string): number => Math.round(lstatSync(p).mtimeMs / 1000);

describe('mkdir', () => {
  it('makeParents creates every missing directory with the mode, owner and timestamp', async () => {
    const r = roots();
    await mkdir(r.dest, { type: 'mkdir', path: '/a/b/c', mode: 0o755, makeParents: true, timestamp: TS }, { uid: 3, gid: 4 });
    expect(listing(r.dest)).toEqual(['a/ 0755 3:4', 'a/b/ 0755 3:4', 'a/b/c/ 0755 3:4']);
    expect(mtime(path.join(r.dest, 'a/b/c'))).toBe(1_234_567_890);
  });

  it('without makeParents: an existing directory is fine, a missing parent is an error', async () => {
    const r = roots();
    tree(r.dest, { 'd/': '' });
    await mkdir(r.dest, { type: 'mkdir', path: '/d', mode: 0o700, makeParents: false });
    expect(listing(r.dest)).toEqual(['d/ 0755 0:0']);
    await expect(mkdir(r.dest, { type: 'mkdir', path: '/x/y', mode: 0o755, makeParents: false }))
      .rejects.toThrow('mkdir /x/y: no such file or directory');
  });

  it('follows a symlinked parent inside the root, not on the host', async () => {
    const r = roots();
    symlinkSync(r.outside, path.join(r.dest, 'link'));
    await mkdir(r.dest, { type: 'mkdir', path: '/link/new', mode: 0o755, makeParents: true });
    expect(listing(r.outside)).toEqual([]);
    expect(lstatSync(path.join(r.dest, r.outside, 'new')).isDirectory()).toBe(true);
  });
});

describe('through a symlink to a name that is not valid UTF-8 (byte-names.ts)', () => {
  it('mkdir, mkfile and symlink land below that exact name', async () => {
    const r = roots();
    const odd = Buffer.concat([Buffer.from(path.join(r.dest, 'd')), Buffer.from([0xff])]);
    mkdirSync(odd);
    symlinkSync(Buffer.from([0x64, 0xff]), path.join(r.dest, 'l'));
    await mkdir(r.dest, { type: 'mkdir', path: '/l/sub', mode: 0o755, makeParents: false });
    await mkfile(r.dest, { type: 'mkfile', path: '/l/f', mode: 0o644, data: Buffer.from('F') });
    await symlink(r.dest, { type: 'symlink', oldpath: 'f', newpath: '/l/s' });
    const inOdd = (name: string): Buffer => Buffer.concat([odd, Buffer.from(`/${name}`)]);
    expect(lstatSync(inOdd('sub')).isDirectory()).toBe(true);
    expect(readFileSync(inOdd('f'), 'utf8')).toBe('F');
    expect(readlinkSync(inOdd('s'), 'utf8')).toBe('f');
  });
});

describe('modes do not depend on our umask', () => {
  it('under umask 077, created directories and files still get the daemon-umask (022) modes', async () => {
    const r = roots();
    tree(r.src, { f: 'F' });
    const saved = process.umask(0o077);
    try {
      await mkdir(r.dest, { type: 'mkdir', path: '/a/b', mode: 0o755, makeParents: true });
      await mkdir(r.dest, { type: 'mkdir', path: '/c', mode: 0o777, makeParents: false });
      await mkfile(r.dest, { type: 'mkfile', path: '/m', mode: 0o644, data: Buffer.from('M') });
      await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/f', '/p/q/') });
    } finally {
      process.umask(saved);
    }
    expect(listing(r.dest)).toEqual([
      'a/ 0755 0:0', 'a/b/ 0755 0:0', 'c/ 0755 0:0', 'm 0644 0:0 =M', 'p/ 0755 0:0', 'p/q/ 0755 0:0', 'p/q/f 0644 0:0 =F',
    ]);
  });
});

describe('mkfile', () => {
  it('writes data with the mode (under the daemon umask 022, whatever ours is), owner and timestamp', async () => {
    const r = roots();
    tree(r.dest, { 'etc/': '' });
    await mkfile(r.dest, { type: 'mkfile', path: 'etc/conf', mode: 0o666, data: Buffer.from('x=1\n'), timestamp: TS }, { uid: 9, gid: 9 });
    expect(listing(r.dest)).toEqual(['etc/ 0755 0:0', 'etc/conf 0644 9:9 =x=1\n']);
    expect(mtime(path.join(r.dest, 'etc/conf'))).toBe(1_234_567_890);
  });

  it('writing through a symlink stays inside the root', async () => {
    const r = roots();
    writeFileSync(path.join(r.outside, 'victim'), 'keep');
    symlinkSync(path.join(r.outside, 'victim'), path.join(r.dest, 'f'));
    mkdirSync(path.join(r.dest, r.outside), { recursive: true });
    await mkfile(r.dest, { type: 'mkfile', path: '/f', mode: 0o644, data: Buffer.from('new') });
    expect(readFileSync(path.join(r.outside, 'victim'), 'utf8')).toBe('keep');
    expect(readFileSync(path.join(r.dest, r.outside, 'victim'), 'utf8')).toBe('new');
  });
});

describe('rm', () => {
  it('removes a path, tolerates a missing one only with allowNotFound', async () => {
    const r = roots();
    tree(r.dest, { 'a/b': 'B', c: 'C' });
    await rm(r.dest, { type: 'rm', path: '/a', allowNotFound: false, allowWildcard: false });
    expect(listing(r.dest)).toEqual(['c 0644 0:0 =C']);
    await rm(r.dest, { type: 'rm', path: '/nope', allowNotFound: true, allowWildcard: false });
    await expect(rm(r.dest, { type: 'rm', path: '/nope', allowNotFound: false, allowWildcard: false }))
      .rejects.toThrow('stat /nope: no such file or directory');
    await expect(rm(r.dest, { type: 'rm', path: '/', allowNotFound: false, allowWildcard: false }))
      .rejects.toThrow('rmPath: invalid empty path');
  });

  it('wildcards remove every match', async () => {
    const r = roots();
    tree(r.dest, { 'x.log': '', 'y.log': '', 'keep.txt': 'K' });
    await rm(r.dest, { type: 'rm', path: '/*.log', allowNotFound: false, allowWildcard: true });
    expect(listing(r.dest)).toEqual(['keep.txt 0644 0:0 =K']);
  });

  it('removes a symlink itself, never what it points to', async () => {
    const r = roots();
    writeFileSync(path.join(r.outside, 'victim'), 'keep');
    symlinkSync(r.outside, path.join(r.dest, 'l'));
    await rm(r.dest, { type: 'rm', path: '/l', allowNotFound: true, allowWildcard: false });
    await rm(r.dest, { type: 'rm', path: '/l2/victim', allowNotFound: true, allowWildcard: false });
    expect(listing(r.dest)).toEqual([]);
    expect(listing(r.outside)).toEqual(['victim 0644 0:0 =keep']);
  });
});

describe('symlink', () => {
  it('creates the link with owner and timestamp', async () => {
    const r = roots();
    await symlink(r.dest, { type: 'symlink', oldpath: '/etc/passwd', newpath: '/p', timestamp: TS }, { uid: 2, gid: 2 });
    expect(readlinkSync(path.join(r.dest, 'p'))).toBe('/etc/passwd');
    expect(listing(r.dest)).toEqual(['p -> /etc/passwd 2:2']);
    expect(mtime(path.join(r.dest, 'p'))).toBe(1_234_567_890);
  });
  it('an existing name is an error', async () => {
    const r = roots();
    tree(r.dest, { p: '' });
    await expect(symlink(r.dest, { type: 'symlink', oldpath: 'x', newpath: '/p' })).rejects.toThrow('symlink /p: file exists');
  });
});

describe('resolveChown', () => {
  const rootfs = () => {
    const r = roots();
    tree(r.dest, {
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n',
      'etc/group': 'root:x:0:\nstaff:x:50:app\napp:x:1001:\n',
    });
    return r.dest;
  };
  it('numeric ids as given; a user id alone sets the group too', async () => {
    expect(await resolveChown({ user: { id: 1000 } }, () => undefined)).toEqual({ uid: 1000, gid: 1000 });
    expect(await resolveChown({ user: { id: 5 }, group: { id: 7 } }, () => undefined)).toEqual({ uid: 5, gid: 7 });
    expect(await resolveChown({ group: { id: 7 } }, () => undefined)).toEqual({ uid: 0, gid: 7 });
    expect(await resolveChown(undefined, () => undefined)).toBeUndefined();
  });
  it('names from the input rootfs: user → primary group, group by name', async () => {
    const fs = rootfs();
    const at = (i: number) => (i === 0 ? fs : undefined);
    expect(await resolveChown({ user: { name: 'app', input: 0 } }, at)).toEqual({ uid: 1000, gid: 1001 });
    expect(await resolveChown({ user: { name: 'app', input: 0 }, group: { name: 'staff', input: 0 } }, at)).toEqual({ uid: 1000, gid: 50 });
    expect(await resolveChown({ user: { id: 3 }, group: { name: 'staff', input: 0 } }, at)).toEqual({ uid: 3, gid: 50 });
  });
  it('unknown names leave 0 as BuildKit does (reference builder: --chown=nosuchuser succeeds)', async () => {
    const fs = rootfs();
    expect(await resolveChown({ user: { name: 'nosuch', input: 0 } }, () => fs)).toEqual({ uid: 0, gid: 0 });
    expect(await resolveChown({ user: { name: 'app', input: 0 }, group: { name: 'nogrp', input: 0 } }, () => fs))
      .toEqual({ uid: 1000, gid: 1001 });
  });
  it('skips comment lines in /etc/group only, as moby/sys/user parses them', async () => {
    const r = roots();
    tree(r.dest, { 'etc/passwd': '#hash:x:5:6::/:/bin/sh\n', 'etc/group': '#hg:x:7:\n' });
    const at = () => r.dest;
    expect(await resolveChown({ user: { name: '#hash', input: 0 } }, at)).toEqual({ uid: 5, gid: 6 });
    expect(await resolveChown({ user: { id: 1 }, group: { name: '#hg', input: 0 } }, at)).toEqual({ uid: 1, gid: 1 });
  });
  it('a directory in place of /etc/passwd or /etc/group fails the lookup as BuildKit reading it does', async () => {
    const r = roots();
    tree(r.dest, { 'etc/passwd/x': 'x', 'etc/group/x': 'x' });
    await expect(resolveChown({ user: { name: 'app', input: 0 } }, () => r.dest)).rejects.toThrow('read /etc/passwd: is a directory');
    await expect(resolveChown({ group: { name: 'app', input: 0 } }, () => r.dest)).rejects.toThrow('read /etc/group: is a directory');
    // Numeric ids never read the files.
    expect(await resolveChown({ user: { id: 5 } }, () => r.dest)).toEqual({ uid: 5, gid: 5 });
  });
  it('a name without a rootfs to look in is an error', async () => {
    await expect(resolveChown({ user: { name: 'app', input: 2 } }, () => undefined)).rejects.toThrow('invalid missing user mount');
  });
  it('/etc/passwd is read inside the rootfs even through an absolute symlink', async () => {
    const r = roots();
    mkdirSync(path.join(r.dest, 'etc'));
    mkdirSync(path.join(r.dest, 'real'));
    writeFileSync(path.join(r.dest, 'real/passwd'), 'svc:x:77:88::/:/bin/sh\n');
    symlinkSync('/real/passwd', path.join(r.dest, 'etc/passwd'));
    expect(await resolveChown({ user: { name: 'svc', input: 0 } }, () => r.dest)).toEqual({ uid: 77, gid: 88 });
  });
});
