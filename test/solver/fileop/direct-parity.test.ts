// The direct upperdir writer (UpperDest) against the mounted overlay it stands in for: the
// same actions on the same chain must give the same layer tar (entries, modes, owners,
// mtimes, xattrs, whiteouts, hardlinks) and the same upperdir, or refuse with
// NeedsMountError for the cases it leaves to the mount.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileActionKind as FileAction } from '../../../src/llb/types.js';
import { copy, mkdir, mkfile, resolveChown, rm, symlink } from '../../../src/solver/fileop/index.js';
import { NeedsMountError, plainDest, type DestTree } from '../../../src/solver/fileop/dest-tree.js';
import { viewSource, type SourceTree } from '../../../src/solver/fileop/source-tree.js';
import { UpperDest } from '../../../src/solver/fileop/upper-dest.js';
import { userDbRoot } from '../../../src/solver/fileop/user-db.js';
import { overlaySupported } from '../../../src/solver/snapshot/overlay-support.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { collect, listTar, makeTar } from '../snapshot/tar-fixtures.js';
import { listTree } from '../snapshot/tree-listing.js';
import { copyAction, dockerCopy, T2001 } from './fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-direct-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const canMount = process.getuid?.() === 0 && await overlaySupported(work);

const T = 1_600_000_000;
const BASE = makeTar([
  { name: 'etc/', type: 'dir', mtime: T },
  { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n' },
  { name: 'etc/group', content: 'root:x:0:\napp:x:1001:\n' },
  { name: 'data/', type: 'dir', mode: 0o750, uid: 5, gid: 6, mtime: T + 1 },
  { name: 'data/old.txt', content: 'old' },
  { name: 'data/sub/', type: 'dir', mode: 0o700, uid: 7, gid: 7, mtime: T + 2 },
  { name: 'lnk', type: 'symlink', linkname: 'data' },
  { name: 'abs', type: 'symlink', linkname: '/data/sub' },
  { name: 'file', content: 'a file' },
  { name: 'deep/', type: 'dir', mode: 0o711, mtime: T + 3 },
  { name: 'deep/a/', type: 'dir', mode: 0o755, uid: 1, gid: 2, mtime: T + 4 },
  { name: 'deep/a/b/', type: 'dir', mode: 0o775, uid: 3, gid: 4, mtime: T + 5 },
  { name: 'deep/a/b/keep', content: 'k' },
  { name: 'xdir/', type: 'dir', mtime: T, xattrs: { 'user.note': 'x' } },
  { name: 'gone/', type: 'dir', mtime: T },
  { name: 'gone/inside', content: 'i' },
  { name: 'dirwith/', type: 'dir', mtime: T },
  { name: 'dirwith/child', content: 'c' },
  { name: 'dirwith/sub/', type: 'dir', mtime: T },
  { name: 'dirwith/sub/deeper', content: 'd' },
  { name: 'data/hard', type: 'link', linkname: 'data/old.txt' },
  { name: 'caps', content: 'c', xattrs: { 'user.cap': 'yes' } },
  // A name starting with ".." is inside the tree (only ".." and "../…" lead out).
  { name: '..cap', content: 'c', xattrs: { 'user.cap': 'yes' } },
]);
// The second layer hides what the first had: a whiteout and an opaque directory.
const TOP = makeTar([
  // An opaque mark on a layer's root, which overlayfs ignores: the lower root still shows.
  { name: '.wh..wh..opq' },
  { name: '.wh.gone' },
  { name: 'dirwith/', type: 'dir', mode: 0o755, mtime: T + 6 },
  { name: 'dirwith/.wh..wh..opq' },
  { name: 'dirwith/fresh', content: 'f' },
  { name: 'data/', type: 'dir', mode: 0o750, uid: 5, gid: 6, mtime: T + 7 },
  { name: 'data/top.txt', content: 'top' },
]);

let snap: Snapshotter;
let chain: string[];
let src: string;

beforeAll(async () => {
  if (!canMount) return;
  snap = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
  const l1 = (await snap.unpack('base', [], Readable.from([BASE]))).layerDir;
  const l2 = (await snap.unpack('top', [l1], Readable.from([TOP]))).layerDir;
  chain = [l1, l2];
  src = path.join(work, 'src');
  for (const d of ['dir/sub', 'hl', 'gone']) mkdirSync(path.join(src, d), { recursive: true });
  const files: Record<string, string> = {
    'a.txt': 'a', 'w1.txt': 'w1', 'w2.txt': 'w2', 'dir/x': 'x', 'dir/sub/y': 'y', 'hl/one': 'h', 'gone/new': 'n',
  };
  for (const [rel, content] of Object.entries(files)) {
    writeFileSync(path.join(src, rel), content);
    utimesSync(path.join(src, rel), T2001, T2001);
  }
  linkSync(path.join(src, 'hl/one'), path.join(src, 'hl/two'));
  symlinkSync('a.txt', path.join(src, 'link'));
  for (const d of ['dir/sub', 'dir', 'hl', 'gone']) utimesSync(path.join(src, d), T2001, T2001);
  execFileSync('setfattr', ['-n', 'user.src', '-v', 'v', path.join(src, 'w1.txt')]);
  writeFileSync(path.join(src, '..foo'), 'z');
  // A fraction a double rounds up to the next second (lutimes must not store that second).
  execFileSync('touch', ['-h', '-d', '@1600000000.999999999', path.join(src, 'a.txt')]);
});

async function apply(dest: DestTree, actions: FileAction[], rootfs: string, source: string | SourceTree): Promise<void> {
  for (const act of actions) {
    const owner = 'owner' in act ? await resolveChown(act.owner, () => rootfs) : undefined;
    switch (act.type) {
      case 'copy': await copy({ srcRoot: source, destRoot: dest, action: act, ...(owner ? { owner } : {}) }); break;
      case 'mkdir': await mkdir(dest, act, owner); break;
      case 'mkfile': await mkfile(dest, act, owner); break;
      case 'rm': await rm(dest, act); break;
      case 'symlink': await symlink(dest, act, owner); break;
    }
  }
}

interface Layer { tar: unknown[]; upper: Record<string, string> }

const started = Math.floor(Date.now() / 1000) - 5;

async function describeLayer(layerDir: string, base: string[]): Promise<Layer> {
  // Times of entries written now clamp to `started`; copied-up times must match exactly.
  const tar = await listTar(await collect(snap.diff(layerDir, base, { epoch: started })));
  return {
    tar: tar.map(({ header: h, content }) => ({
      name: h.name, type: h.type, mode: h.mode.toString(8), owner: `${h.uid}:${h.gid}`, mtime: h.mtime,
      link: h.linkname, xattrs: Object.fromEntries([...h.xattrs].map(([k, v]) => [k, v.toString()])), content: content.toString(),
    })),
    upper: listTree(layerDir),
  };
}

/** `fromChain`: the copies read the chain itself (COPY --from), else the host dir `src`. */
async function mounted(id: string, actions: FileAction[], base = chain, fromChain = false): Promise<Layer> {
  const active = await snap.prepare(base);
  const view = fromChain ? await snap.view(chain) : undefined;
  try {
    await apply(plainDest(active.mountpoint), actions, active.mountpoint, view?.path ?? src);
    await view?.release();
    return await describeLayer(await active.commit(id), base);
  } finally {
    await view?.release();
    await active.cleanup();
  }
}

async function direct(id: string, actions: FileAction[], base = chain, fromChain = false): Promise<Layer> {
  const d = await snap.prepareDirect(base);
  try {
    const dest = new UpperDest(d.upperdir, d.lowers);
    const source = fromChain
      ? viewSource(await snap.readView(chain), path.join(d.scratch, 'view'), (l) => d.layerXattrs(l)) : src;
    await apply(dest, actions, userDbRoot(dest, path.join(d.scratch, 'userdb')), source);
    await dest.finish((e) => d.lowerXattrs(e));
    return await describeLayer(await d.commit(id, { xattrsWritten: dest.wroteXattrs }), base);
  } finally {
    await d.cleanup();
  }
}

const chownApp = { user: { name: 'app', input: 0 }, group: { name: 'app', input: 0 } };
const mkdirP = (p: string): FileAction => ({ type: 'mkdir', path: p, mode: 0o755, makeParents: true });

const SAME: Array<[string, FileAction[]]> = [
  ['into an existing dir with other metadata', [dockerCopy('/a.txt', '/data/')]],
  ['a name starting with ".." into a dir and at the root', [dockerCopy('/..foo', '/data/'), dockerCopy('/..foo', '/')]],
  ['through a relative symlink dir', [dockerCopy('/a.txt', '/lnk/')]],
  ['through an absolute symlink dir', [dockerCopy('/a.txt', '/abs/x.txt')]],
  ['replacing a lower file', [dockerCopy('/a.txt', '/file')]],
  ['replacing a file in a copied-up dir', [dockerCopy('/a.txt', '/data/old.txt')]],
  ['a dir merged into a copy-up chain', [dockerCopy('/dir', '/deep/a/b/')]],
  ['a dir merged into an existing dir', [dockerCopy('/dir', '/data/')]],
  ['a dir replacing whited-out and opaque-hidden paths', [dockerCopy('/gone', '/gone'), dockerCopy('/dir', '/dirwith/child')]],
  ['--chown by name', [dockerCopy('/a.txt', '/data/owned', { owner: chownApp }), dockerCopy('/dir', '/newdir', { owner: chownApp })]],
  ['hardlinks', [dockerCopy('/hl', '/deep/a/hl')]],
  ['wildcards and source xattrs', [dockerCopy('/*.txt', '/deep/')]],
  ['a symlink source', [dockerCopy('/link', '/data/link')]],
  ['WORKDIR on an existing dir', [mkdirP('/data')]],
  ['WORKDIR creating below a copied-up dir', [mkdirP('/deep/a/new/x')]],
  ['mkdir without parents on an existing dir', [{ type: 'mkdir', path: '/etc', mode: 0o700, makeParents: false }]],
  ['mkfile and symlink', [
    { type: 'mkfile', path: '/data/made', mode: 0o600, data: Buffer.from('m') },
    { type: 'symlink', oldpath: '/data', newpath: '/deep/ln' },
  ]],
  ['rm of a fresh entry', [dockerCopy('/a.txt', '/tmpfile'), { type: 'rm', path: '/tmpfile', allowNotFound: false, allowWildcard: false }]],
  ['alwaysReplace of a file by a file', [dockerCopy('/a.txt', '/file', { alwaysReplaceExistingDestPaths: true })]],
];

// Sources read from the chain (whiteouts, opaque dirs, merged dirs, symlinks, hardlinks,
// xattrs), copied onto scratch so the whole copied tree shows in the tar.
const FROM_CHAIN: Array<[string, FileAction[]]> = [
  ['the merged root', [dockerCopy('/', '/all/')]],
  ['a file of the lower layer under an opaque-marked layer root', [dockerCopy('/file', '/f1')]],
  ['a dir merged over two layers', [dockerCopy('/data', '/d')]],
  ['through a symlink, with a hardlink pair', [dockerCopy('/lnk/', '/viasym/'), dockerCopy('/abs', '/abs-nofollow', { followSymlink: false })]],
  ['an opaque dir and a whited-out path', [dockerCopy('/dirwith', '/o/'), dockerCopy('/gon*', '/g')]],
  ['wildcards', [dockerCopy('/d*', '/w/'), dockerCopy('/deep/*/b', '/w2/')]],
  ['files with xattrs', [dockerCopy('/caps', '/c'), dockerCopy('/xdir', '/x')]],
  ['a single file with --chown ids', [dockerCopy('/etc/passwd', '/p', { owner: { user: { id: 7 }, group: { id: 8 } } })]],
];

const REFUSED: Array<[string, FileAction[]]> = [
  ['a dir replacing a file (opaque)', [copyAction('/dir', '/file', { alwaysReplaceExistingDestPaths: true, dirCopyContents: true })]],
  ['rm of a lower entry (whiteout)', [{ type: 'rm', path: '/data/old.txt', allowNotFound: false, allowWildcard: false }]],
  ['a copy-up of a dir with xattrs', [dockerCopy('/a.txt', '/xdir/')]],
  ['mkfile over a lower file (file copy-up)', [{ type: 'mkfile', path: '/file', mode: 0o644, data: Buffer.from('x') }]],
];

describe.skipIf(!canMount)('direct upperdir writes match the mounted overlay', () => {
  let n = 0;
  for (const [name, actions] of SAME) {
    it(name, async () => {
      const k = n++;
      const want = await mounted(`m${k}`, actions);
      expect(await direct(`d${k}`, actions)).toEqual(want);
    });
  }

  for (const [name, actions] of FROM_CHAIN) {
    it(`COPY --from a layer chain: ${name}`, async () => {
      const k = n++;
      const want = await mounted(`fm${k}`, actions, [], true);
      expect(want.tar.length).toBeGreaterThan(0);
      expect(await direct(`fd${k}`, actions, [], true)).toEqual(want);
    });
  }

  it('COPY --link: a copy onto scratch', async () => {
    const actions = [dockerCopy('/dir', '/out/'), dockerCopy('/hl', '/out/hl')];
    expect(await direct('link-d', actions, [])).toEqual(await mounted('link-m', actions, []));
  });

  for (const [name, actions] of REFUSED) {
    it(`refuses ${name}`, async () => {
      await expect(direct(`r${n++}`, actions)).rejects.toBeInstanceOf(NeedsMountError);
    });
  }
});
