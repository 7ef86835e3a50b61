// ADD's local archive extraction: every compression by magic bytes, non-archives copied,
// hostile archives writing nothing outside the destination.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/solver/fileop/index.js';
import { makeTar, type FixtureEntry } from '../snapshot/tar-fixtures.js';
import { dockerCopy, listing, roots } from './fixtures.js';

const add = (src: string, dest: string) => dockerCopy(src, dest, { attemptUnpackDockerCompatibility: true });

const ENTRIES: FixtureEntry[] = [
  { name: 'top/', type: 'dir', mode: 0o750, uid: 5, gid: 6 },
  { name: 'top/f', content: 'F', mode: 0o600, uid: 7, gid: 8, mtime: 1_500_000_000 },
  { name: 'top/l', type: 'symlink', linkname: 'f' },
];

function compress(tool: string, data: Buffer): Buffer {
  return execFileSync(tool, ['-c'], { input: data });
}

describe('ADD unpack', () => {
  for (const tool of ['none', 'gzip', 'bzip2', 'xz', 'zstd']) {
    it(`extracts a ${tool} tar into the destination, keeping owners, modes and mtimes`, async () => {
      const r = roots();
      const tar = makeTar(ENTRIES);
      writeFileSync(path.join(r.src, 'a.tar'), tool === 'none' ? tar : compress(tool, tar));
      await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/a.tar', '/x') });
      expect(listing(r.dest)).toEqual(['x/ 0755 0:0', 'x/top/ 0750 5:6', 'x/top/f 0600 7:8 =F', 'x/top/l -> f 0:0']);
      expect(lstatSync(path.join(r.dest, 'x/top/f')).mtimeMs).toBe(1_500_000_000_000);
    });
  }

  it('ADD --chown owns every extracted entry, implied parents stay 0:0 (BuildKit 0.23+, buildkit#5987; 20.10 owned only the created dir)', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'a.tar'), makeTar([...ENTRIES, { name: 'implied/deep/g', content: 'G', mode: 0o640, uid: 9, gid: 9 }]));
    await copy({ srcRoot: r.src, destRoot: r.dest, owner: { uid: 1, gid: 2 }, action: add('/a.tar', '/x') });
    expect(listing(r.dest)).toEqual([
      'x/ 0755 1:2', 'x/implied/ 0755 0:0', 'x/implied/deep/ 0755 0:0', 'x/implied/deep/g 0640 1:2 =G',
      'x/top/ 0750 1:2', 'x/top/f 0600 1:2 =F', 'x/top/l -> f 1:2',
    ]);
  });

  it('keeps PAX xattrs and long names of archive entries', async () => {
    const r = roots();
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    writeFileSync(path.join(r.src, 'x.tar'), makeTar([{ name: long, content: 'L', xattrs: { 'user.k': 'v' } }]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/x.tar', '/x') });
    const file = path.join(r.dest, 'x', long);
    expect(readFileSync(file, 'utf8')).toBe('L');
    expect(execFileSync('getfattr', ['--only-values', '-n', 'user.k', file]).toString()).toBe('v');
  });

  it('a file that is not a tar (even compressed) is copied as is', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'notes.txt'), 'hello');
    writeFileSync(path.join(r.src, 'notes.gz'), compress('gzip', Buffer.from('hello')));
    writeFileSync(path.join(r.src, 'bz.txt'), 'BZh but plain text');
    writeFileSync(path.join(r.src, 'big.txt'), 'not a tar header\n'.repeat(300));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/notes.txt', '/d/') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/notes.gz', '/d/') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/bz.txt', '/d/') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/big.txt', '/d/') });
    expect(listing(r.dest).map((l) => l.split(' ')[0])).toEqual(['d/', 'd/big.txt', 'd/bz.txt', 'd/notes.gz', 'd/notes.txt']);
  });

  it('COPY (no unpack) copies the archive itself', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'a.tar'), makeTar(ENTRIES));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: dockerCopy('/a.tar', '/x/') });
    expect(listing(r.dest).map((l) => l.split(' ')[0])).toEqual(['x/', 'x/a.tar']);
  });

  it('extracts each wildcard match that is an archive', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'one.tar'), makeTar([{ name: 'one', content: '1' }]));
    writeFileSync(path.join(r.src, 'two.tar'), compress('gzip', makeTar([{ name: 'two', content: '2' }])));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/*.tar', '/x/') });
    expect(listing(r.dest).map((l) => l.split(' ')[0])).toEqual(['x/', 'x/one', 'x/two']);
  });

  const hostile: Array<[string, FixtureEntry[]]> = [
    ['a hardlink to a file outside', [{ name: 'h', type: 'link', linkname: '../../outside/secret' }]],
  ];
  for (const [what, entries] of hostile) {
    it(`refuses ${what} and writes nothing outside`, async () => {
      const r = roots();
      writeFileSync(path.join(r.outside, 'secret'), 'S');
      writeFileSync(path.join(r.src, 'bad.tar'), makeTar(entries));
      await expect(copy({ srcRoot: r.src, destRoot: r.dest, action: add('/bad.tar', '/x') })).rejects.toThrow(/bad\.tar/);
      expect(listing(r.outside)).toEqual(['secret 0644 0:0 =S']);
      expect(existsSync(path.join(r.work, 'outside-abs'))).toBe(false);
      expect(existsSync('/outside-abs')).toBe(false);
    });
  }

  it('absolute names and absolute hardlink targets are re-rooted into the destination (Docker Untar)', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'abs.tar'), makeTar([
      { name: '/outside-abs/evil', content: 'E' },
      { name: '/../../up-abs', content: 'U' },
      { name: 'h', type: 'link', linkname: '/outside-abs/evil' },
    ]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/abs.tar', '/x') });
    expect(existsSync('/outside-abs')).toBe(false);
    expect(existsSync('/up-abs')).toBe(false);
    expect(listing(r.dest)).toEqual([
      'x/ 0755 0:0', 'x/h 0644 0:0 =E', 'x/outside-abs/ 0755 0:0', 'x/outside-abs/evil 0644 0:0 =E', 'x/up-abs 0644 0:0 =U',
    ]);
    expect(lstatSync(path.join(r.dest, 'x/h')).ino).toBe(lstatSync(path.join(r.dest, 'x/outside-abs/evil')).ino);
  });

  it('../ names and hardlink targets cannot climb above the destination: they land inside it (Docker Untar in a chroot of the destination; cp-err-tar-dotdot)', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'up.tar'), makeTar([
      { name: '../../outside/evil', content: 'E' },
      { name: 'a/../../b', content: 'B' },
      { name: 'h', type: 'link', linkname: '../outside/evil' },
    ]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/up.tar', '/x') });
    expect(listing(r.outside)).toEqual([]);
    expect(listing(r.dest)).toEqual([
      'x/ 0755 0:0', 'x/b 0644 0:0 =B', 'x/h 0644 0:0 =E', 'x/outside/ 0755 0:0', 'x/outside/evil 0644 0:0 =E',
    ]);
  });

  it('a directory entry that reaches the root through .. or / sets the destination\'s owner and mode; "./" does not (cp-tar-symlink-abs)', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'dot.tar'), makeTar([{ name: './', type: 'dir', mode: 0o700, uid: 3, gid: 3 }, { name: 'f', content: 'F' }]));
    writeFileSync(path.join(r.src, 'up.tar'), makeTar([{ name: 'f', content: 'F' }, { name: '../', type: 'dir', mode: 0o750, uid: 4, gid: 5 }]));
    writeFileSync(path.join(r.src, 'slash.tar'), makeTar([{ name: '/', type: 'dir', mode: 0o2711, uid: 6, gid: 7 }]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/dot.tar', '/a') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/up.tar', '/b') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/slash.tar', '/c') });
    expect(listing(r.dest)).toEqual(['a/ 0755 0:0', 'a/f 0644 0:0 =F', 'b/ 0750 4:5', 'b/f 0644 0:0 =F', 'c/ 2711 6:7']);
  });

  it('a directory entry named .. with no trailing slash reaches the root too (Go\'s Clean gives ".."); a/.. cleans to "." and is skipped', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'up.tar'), makeTar([{ name: 'f', content: 'F' }, { name: '..', type: 'dir', mode: 0o751, uid: 8, gid: 9 }]));
    writeFileSync(path.join(r.src, 'skip.tar'), makeTar([{ name: 'a/..', type: 'dir', mode: 0o700, uid: 3, gid: 3 }, { name: 'f', content: 'F' }]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/up.tar', '/d') });
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/skip.tar', '/e') });
    expect(listing(r.dest)).toEqual(['d/ 0751 8:9', 'd/f 0644 0:0 =F', 'e/ 0755 0:0', 'e/f 0644 0:0 =F']);
  });

  it('an archive whose name is not valid UTF-8 (matched by a wildcard) is extracted, not copied', async () => {
    const r = roots();
    writeFileSync(Buffer.concat([Buffer.from(path.join(r.src, 'caf')), Buffer.from([0xe9]), Buffer.from('.tar')]), makeTar(ENTRIES));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/caf*.tar', '/x/') });
    expect(listing(r.dest)).toEqual(['x/ 0755 0:0', 'x/top/ 0750 5:6', 'x/top/f 0600 7:8 =F', 'x/top/l -> f 0:0']);
  });

  it('a symlink then a write through it lands inside the destination', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'bad.tar'), makeTar([
      { name: 'l', type: 'symlink', linkname: r.outside },
      { name: 'l/pwned', content: 'P' },
      { name: 'up', type: 'symlink', linkname: '../../../outside' },
      { name: 'up/pwned2', content: 'Q' },
    ]));
    await copy({ srcRoot: r.src, destRoot: r.dest, action: add('/bad.tar', '/x') });
    expect(listing(r.outside)).toEqual([]);
    expect(readlinkSync(path.join(r.dest, 'x/l'))).toBe(r.outside);
    expect(readFileSync(path.join(r.dest, 'x', r.outside, 'pwned'), 'utf8')).toBe('P');
    expect(readFileSync(path.join(r.dest, 'x/outside/pwned2'), 'utf8')).toBe('Q');
  });

  it('a missing decompressor is a clear error', async () => {
    const r = roots();
    writeFileSync(path.join(r.src, 'a.tar.bz2'), compress('bzip2', makeTar(ENTRIES)));
    const emptyBin = mkdtempSync(path.join(r.work, 'bin-'));
    const saved = process.env.PATH;
    process.env.PATH = emptyBin;
    try {
      await expect(copy({ srcRoot: r.src, destRoot: r.dest, action: add('/a.tar.bz2', '/x') }))
        .rejects.toThrow('/a.tar.bz2 is bzip2-compressed but the `bzip2` command is not installed');
    } finally {
      process.env.PATH = saved;
    }
  });
});
