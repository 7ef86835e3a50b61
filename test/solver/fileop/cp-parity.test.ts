// COPY / file-action results that differed from BuildKit (testdata/diff/cp-* cases), each
// with what fsutil / BuildKit does.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy, mkdir, mkfile, resolveChown } from '../../../src/solver/fileop/index.js';
import { dockerCopy, listing, roots, tree } from './fixtures.js';

describe('directories created below a setgid directory (cp-merge-existing /ex2/m)', () => {
  // fsutil's MkdirAll and BuildKit's mkdir action call os.Mkdir, which does not chmod after
  // mkdir(2): the kernel's inherited setgid bit (and group) stays.
  it('COPY parents made by MkdirAll keep the inherited setgid bit', async () => {
    const r = roots();
    tree(r.src, { 'd/f': 'F' });
    tree(r.dest, { 'sg/': '' });
    chownSync(path.join(r.dest, 'sg'), 0, 8);
    chmodSync(path.join(r.dest, 'sg'), 0o2750);
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/d', '/sg/m/n/') });
    expect(listing(r.dest)).toEqual(['sg/ 2750 0:8', 'sg/m/ 2755 0:8', 'sg/m/n/ 2755 0:8', 'sg/m/n/f 0644 0:0 =F']);
  });

  it('a copied directory takes the source mode exactly (the chmod clears the inherited bit)', async () => {
    const r = roots();
    tree(r.src, { 'd/sub/f': 'F' });
    chmodSync(path.join(r.src, 'd/sub'), 0o750);
    tree(r.dest, { 'sg/': '' });
    chmodSync(path.join(r.dest, 'sg'), 0o2755);
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/d', '/sg/') });
    expect(listing(r.dest)).toContain('sg/sub/ 0750 0:0');
  });

  it('mkdir (WORKDIR) keeps the inherited setgid bit; mkfile gives files none', async () => {
    const r = roots();
    tree(r.dest, { 'sg/': '' });
    chmodSync(path.join(r.dest, 'sg'), 0o2775);
    await mkdir(r.dest, { type: 'mkdir', path: '/sg/a/b', mode: 0o755, makeParents: true });
    await mkdir(r.dest, { type: 'mkdir', path: '/sg/c', mode: 0o700, makeParents: false });
    await mkfile(r.dest, { type: 'mkfile', path: '/sg/f', mode: 0o644, data: Buffer.from('x') });
    expect(listing(r.dest).filter((l) => l.startsWith('sg'))).toEqual([
      'sg/ 2775 0:0', 'sg/a/ 2755 0:0', 'sg/a/b/ 2755 0:0', 'sg/c/ 2700 0:0', 'sg/f 0644 0:0 =x',
    ]);
  });
});

describe('--chown names match the name field only (cp-chown-parents /big/max)', () => {
  // WithUser parses ids with ParseInt(v, 10, 32): 4294967294 becomes a name, and readUser's
  // ParsePasswdFilter compares names only, so it is not found and the owner stays 0:0.
  it('a numeric-looking name is not taken as an id', async () => {
    const r = roots();
    tree(r.dest, { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n7:x:70:71::/:/bin/sh\n', 'etc/group': 'root:x:0:\n9:x:90:\n' });
    const at = () => r.dest;
    expect(await resolveChown({ user: { name: '4294967294', input: 0 } }, at)).toEqual({ uid: 0, gid: 0 });
    expect(await resolveChown({ user: { name: '7', input: 0 }, group: { name: '9', input: 0 } }, at)).toEqual({ uid: 70, gid: 90 });
    expect(await resolveChown({ user: { id: 5 }, group: { name: '12345678901', input: 0 } }, at)).toEqual({ uid: 5, gid: 5 });
  });

  it('no passwd or group file: names leave 0', async () => {
    const r = roots();
    expect(await resolveChown({ user: { name: 'app', input: 0 }, group: { name: 'grp', input: 0 } }, () => r.dest))
      .toEqual({ uid: 0, gid: 0 });
  });
});

describe('the build context owner 0:0 is no --chown (cp-add-tar-order /sg/new)', () => {
  // BuildKit's context files arrive owned 0:0 and the copy has no Chowner: MkdirAll leaves
  // the directories it creates with the kernel's owner, the setgid parent's group.
  it('copied entries get srcOwner; created parents keep the inherited group', async () => {
    const r = roots();
    tree(r.src, { 'd/f': 'F', g: 'G' });
    chownSync(path.join(r.src, 'd/f'), 1000, 1000);
    chownSync(path.join(r.src, 'g'), 1000, 1000);
    tree(r.dest, { 'sg/': '' });
    chownSync(path.join(r.dest, 'sg'), 0, 50);
    chmodSync(path.join(r.dest, 'sg'), 0o2775);
    const srcOwner = { uid: 0, gid: 0 };
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/d', '/sg/a/'), srcOwner });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/g', '/sg/b/c'), srcOwner });
    expect(listing(r.dest)).toEqual([
      'sg/ 2775 0:50', 'sg/a/ 2755 0:50', 'sg/a/f 0644 0:0 =F', 'sg/b/ 2755 0:50', 'sg/b/c 0644 0:0 =G',
    ]);
  });

  it('a --chown owner still chowns the created parents', async () => {
    const r = roots();
    tree(r.src, { g: 'G' });
    tree(r.dest, { 'sg/': '' });
    chownSync(path.join(r.dest, 'sg'), 0, 50);
    chmodSync(path.join(r.dest, 'sg'), 0o2775);
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/g', '/sg/b/c'), owner: { uid: 3, gid: 4 }, srcOwner: { uid: 0, gid: 0 } });
    expect(listing(r.dest)).toEqual(['sg/ 2775 0:50', 'sg/b/ 2755 3:4', 'sg/b/c 0644 3:4 =G']);
  });
});

describe('special files as current fsutil copies them (cp-special-src)', () => {
  // copyDevice: mknod(dst, st.Mode &^ S_IFSOCK, rdev): fifos stay fifos, a socket loses its
  // type and becomes an empty regular file with its metadata ("socket copied as stub").
  it('a socket becomes an empty regular file with its mode and owner', async () => {
    const r = roots();
    tree(r.src, { 'd/f': 'F' });
    const sock = path.join(r.src, 'd/sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      chmodSync(sock, 0o750);
      chownSync(sock, 7, 8);
      await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/d', '/o') });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(listing(r.dest)).toEqual(['o/ 0755 0:0', 'o/f 0644 0:0 =F', 'o/sock 0750 7:8 =']);
  });

  it('a block device comes out a character device with the same numbers (S_IFBLK &^ S_IFSOCK)', async () => {
    const r = roots();
    execFileSync('mknod', ['-m', '0640', path.join(r.src, 'blk'), 'b', '7', '200']);
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/blk', '/blk-copy') });
    const st = lstatSync(path.join(r.dest, 'blk-copy'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.rdev).toBe(lstatSync(path.join(r.src, 'blk')).rdev);
  });
});

describe('names that are not valid UTF-8 (COPY --from a stage a RUN made them in)', () => {
  // BuildKit's names are bytes; Node decodes invalid ones to U+FFFD unless they are carried
  // escaped (layer/byte-names.ts): the copy must read and write the exact bytes.
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  it('files, directories, symlinks (and their targets), hardlinks and fifos keep their bytes', async () => {
    const r = roots();
    const at = (root: string, ...parts: string[]): Buffer => Buffer.concat([Buffer.from(root + '/'), ...parts.map(b)]);
    mkdirSync(at(r.src, 'd'));
    mkdirSync(at(r.src, 'd/sub\xff'));
    writeFileSync(at(r.src, 'd/caf\xe9'), 'C');
    writeFileSync(at(r.src, 'd/sub\xff/f'), 'F');
    symlinkSync(b('caf\xe9'), at(r.src, 'd/l\xe9'));
    linkSync(at(r.src, 'd/caf\xe9'), at(r.src, 'd/h\xe9'));
    execFileSync('python3', ['-c', 'import os,sys; os.mkfifo(sys.argv[1].encode("latin1") + b"/d/p\\xe9")', r.src]);
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/d', '/o/') });
    const names = readdirSync(at(r.dest, 'o'), { encoding: 'buffer' }).map((n) => n.toString('latin1')).sort();
    expect(names).toEqual(['caf\xe9', 'h\xe9', 'l\xe9', 'p\xe9', 'sub\xff']);
    expect(readFileSync(at(r.dest, 'o/caf\xe9'), 'utf8')).toBe('C');
    expect(readFileSync(at(r.dest, 'o/sub\xff/f'), 'utf8')).toBe('F');
    expect(readlinkSync(at(r.dest, 'o/l\xe9'), { encoding: 'buffer' }).toString('latin1')).toBe('caf\xe9');
    expect(lstatSync(at(r.dest, 'o/h\xe9')).ino).toBe(lstatSync(at(r.dest, 'o/caf\xe9')).ino);
    expect(lstatSync(at(r.dest, 'o/p\xe9')).isFIFO()).toBe(true);
  });
});
