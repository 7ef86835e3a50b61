// applyLayer into an empty directory remembers what it made instead of asking lstat, and
// gives regular files their mode at creation when it can: the result must be exactly what the
// general path (a destination that already holds something) produces.
import { chmodSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../../src/solver/layer/apply-layer.js';
import { makeTar, type FixtureEntry } from '../snapshot/tar-fixtures.js';
import { listTree, type ListingOptions } from '../snapshot/tree-listing.js';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'slipway-apply-'));
  temps.push(d);
  return d;
}

const root = process.getuid?.() === 0;
const entries: FixtureEntry[] = [
  { name: 'etc/', type: 'dir', mode: 0o755, mtime: 1_500_000_000 },
  { name: 'etc/plain', content: 'a', mode: 0o644, uid: 1234, gid: 5678, mtime: 1_500_000_001 },
  { name: 'etc/open', content: 'b', mode: 0o777, mtime: 1_500_000_002 },
  { name: 'etc/private', content: 'c', mode: 0o600, mtime: 1_500_000_003 },
  ...(root ? [{ name: 'etc/suid', content: 'd', mode: 0o4755, uid: 1, gid: 2, mtime: 1_500_000_004 }] : []),
  { name: 'etc/sticky/', type: 'dir', mode: 0o1777, mtime: 1_500_000_005 },
  // the same names again: replaced, never written through
  { name: 'etc/twice', content: 'first', mtime: 1_500_000_006 },
  { name: 'etc/twice', content: 'second!', mode: 0o640, mtime: 1_500_000_007 },
  { name: 'etc/becomes-dir', content: 'file', mtime: 1_500_000_008 },
  { name: 'etc/becomes-dir/', type: 'dir', mode: 0o750, mtime: 1_500_000_009 },
  { name: 'etc/becomes-dir/inner', content: 'in', mtime: 1_500_000_010 },
  { name: 'etc/link', type: 'symlink', linkname: 'plain', mtime: 1_500_000_011 },
  { name: 'etc/link', content: 'now a file', mtime: 1_500_000_012 },
  { name: 'deep/a/b/c', content: 'parents made on the way', mtime: 1_500_000_013 },
  { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', mtime: 1_500_000_014 },
  { name: 'bin/busybox', content: 'bb', mode: 0o755, mtime: 1_500_000_015 },
  { name: 'bin/hard', type: 'link', linkname: 'bin/busybox', mode: 0o700, mtime: 1_500_000_016 },
];

async function apply(dest: string, list: FixtureEntry[]): Promise<void> {
  await applyLayer(Readable.from([makeTar(list)]), dest, { whiteouts: 'overlay' });
}

type Tree = Record<string, string>;

/**
 * The layer applied into an empty directory and into one already holding a file: both trees
 * (that file left out) and the empty directory's path.
 */
async function freshAndUsed(list: FixtureEntry[], opts?: ListingOptions): Promise<[Tree, Tree, string]> {
  const base = tempDir();
  const fresh = path.join(base, 'fresh');
  const used = path.join(base, 'used');
  mkdirSync(fresh);
  mkdirSync(used);
  writeFileSync(path.join(used, 'already-here'), 'x');
  await apply(fresh, list);
  await apply(used, list);
  const { 'already-here': _, ...b } = listTree(used, opts);
  return [listTree(fresh, opts), b, fresh];
}

describe('applyLayer into an empty directory', () => {
  it('gives the same tree, modes, owners and times as into a non-empty one', async () => {
    const [a, b, fresh] = await freshAndUsed(entries, { mtimes: true });
    // Parents no entry names take the time they were made (the two applies may straddle a
    // second): compared without it.
    const named = new Set(entries.map((e) => e.name.replace(/\/$/, '')));
    const implicitTimeless = (t: Tree): Tree => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, named.has(k) ? v : v.replace(/ t\d+$/, '')]));
    expect(implicitTimeless(a)).toEqual(implicitTimeless(b));
    expect(a.deep).toMatch(/^40000 755 0:0 t\d+$/);
    expect(a['etc/open']).toMatch(/^100000 777 /);
    expect(a['etc/private']).toMatch(/^100000 600 /);
    expect(a['etc/twice']).toMatch(/^100000 640 0:0 7 .* t1500000007$/);
    expect(a['etc/becomes-dir']).toMatch(/^40000 750 /);
    expect(a['etc/link']).toMatch(/^100000 644 0:0 10 /);
    expect(a['bin/busybox']).toMatch(/^100000 700 .* t1500000016$/); // the hardlink's header
    if (root) {
      expect(a['etc/plain']).toMatch(/^100000 644 1234:5678 /);
      expect(a['etc/suid']).toMatch(/^100000 4755 1:2 /);
    }
    expect(lstatSync(path.join(fresh, 'etc/plain')).mtimeMs).toBe(1_500_000_001_000);
  });

  it.runIf(root)('makes a fifo whose mode has the sticky/setgid bits (mknod takes permission bits only)', async () => {
    const dest = path.join(tempDir(), 'd');
    mkdirSync(dest);
    await apply(dest, [{ name: 'run/', type: 'dir' }, { name: 'run/pipe', type: 'fifo', mode: 0o3660, mtime: 1_500_000_020 }]);
    const st = lstatSync(path.join(dest, 'run/pipe'));
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o3660);
  });

  it('checks the diffID over the whole uncompressed tar, gzip or not', async () => {
    const tar = makeTar(entries);
    const good = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    for (const bytes of [tar, gzipSync(tar)]) {
      const ok = path.join(tempDir(), 'ok');
      mkdirSync(ok);
      await applyLayer(Readable.from([bytes]), ok, { whiteouts: 'overlay', diffID: good });
      const bad = path.join(tempDir(), 'bad');
      mkdirSync(bad);
      await expect(applyLayer(Readable.from([bytes]), bad, { whiteouts: 'overlay', diffID: `sha256:${'0'.repeat(64)}` }))
        .rejects.toThrow(`layer content does not match its diffID: expected sha256:${'0'.repeat(64)}, got ${good}`);
    }
  });

  it('resolves parents through symlinks the same layer made, as into a non-empty directory', async () => {
    const list: FixtureEntry[] = [
      { name: 'a/', type: 'dir' },
      { name: 'a/b', type: 'symlink', linkname: '/x' },
      { name: 'a/b/c', content: 'c' },
      { name: 'a/b/d/', type: 'dir' },
      { name: 'a/b/d/e', content: 'e' },
      { name: 'm/', type: 'dir' },
      { name: 'm/up', type: 'symlink', linkname: '../../..' },
      { name: 'm/up/f', content: 'f' },
      { name: 'usr/', type: 'dir' },
      { name: 'usr/lib/', type: 'dir' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'lib/g', content: 'g' },
      { name: 'lib/h/', type: 'dir' },
      { name: 'lib/h/i', content: 'i' },
      { name: 'usr/lib/h/j', content: 'j' },
    ];
    const [a, b] = await freshAndUsed(list);
    expect(a).toEqual(b);
    for (const f of ['x/c', 'x/d/e', 'f', 'usr/lib/g', 'usr/lib/h/i', 'usr/lib/h/j']) expect(a[f], f).toMatch(/^100000 /);
    expect(Object.keys(a).filter((k) => k.startsWith('a/b/') || k.startsWith('lib/'))).toEqual([]);
  });

  it('after a removal (a later entry replacing a directory) falls back to asking the disk', async () => {
    const dest = path.join(tempDir(), 'd');
    mkdirSync(dest);
    await apply(dest, [
      { name: 'x/', type: 'dir' },
      { name: 'x/y', content: 'y' },
      { name: 'x', content: 'now a file' },
      { name: 'x', type: 'symlink', linkname: 'z' },
      { name: 'z/w', content: 'w' },
      { name: 'z/w', content: 'again' },
    ]);
    const t = listTree(dest);
    expect(t.x).toBe('120000 777 0:0 -> z');
    expect(t['z/w']).toMatch(/^100000 644 0:0 5 /);
  });
});

describe('applyLayer flatten (ADD into a root filesystem)', () => {
  it.runIf(root)('implicit parents are 0:0 0755, keeping the setgid bit a setgid parent gives them (MkdirAllAndChownNew)', async () => {
    const dest = tempDir();
    mkdirSync(path.join(dest, 'sg'));
    lchownSync(path.join(dest, 'sg'), 0, 4321);
    chmodSync(path.join(dest, 'sg'), 0o2775);
    mkdirSync(path.join(dest, 'plain'), 0o755);
    await applyLayer(Readable.from([makeTar([
      { name: 'sg/new/deep/f', content: 'f' },
      { name: 'plain/new/f', content: 'g' },
    ])]), dest, { whiteouts: 'flatten' });
    const t = listTree(dest);
    expect(t['sg/new']).toBe('40000 2755 0:0');
    expect(t['sg/new/deep']).toBe('40000 2755 0:0');
    expect(t['plain/new']).toBe('40000 755 0:0');
  });
});
