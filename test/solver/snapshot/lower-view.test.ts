// LowerView's synchronous lookups (used by the mount-free file ops) against its async ones
// and against the kernel's merged view of the same chain; viewSource's resolution and xattrs
// against a mounted view.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { viewSource } from '../../../src/solver/fileop/source-tree.js';
import { LowerView } from '../../../src/solver/layer/lower-view.js';
import { lstatIfExists } from '../../../src/solver/layer/lstat-if-exists.js';
import { resolveInRootSync } from '../../../src/solver/layer/root-path.js';
import { readTreeXattrs } from '../../../src/solver/layer/xattrs.js';
import { overlaySupported } from '../../../src/solver/snapshot/overlay-support.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { makeTar } from './tar-fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-lowerview-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const canMount = process.getuid?.() === 0 && await overlaySupported(work);

const L1 = makeTar([
  { name: 'a/', type: 'dir', mode: 0o750 },
  { name: 'a/x', content: 'x' },
  { name: 'a/sub/', type: 'dir' },
  { name: 'a/sub/deep', content: 'd' },
  { name: 'b/', type: 'dir' },
  { name: 'b/old', content: 'old', xattrs: { 'user.k': 'v1' } },
  { name: 'c/', type: 'dir' },
  { name: 'c/inside', content: 'c' },
  { name: 'f', content: 'file' },
  { name: 'ln', type: 'symlink', linkname: '/a/sub' },
  { name: 'rel', type: 'symlink', linkname: '../../a' },
]);
const L2 = makeTar([
  { name: 'a/.wh.x' },
  { name: 'b/', type: 'dir', xattrs: { 'user.dir': 'd' } },
  { name: 'b/.wh..wh..opq' },
  { name: 'b/new', content: 'new' },
  { name: '.wh.c' },
  { name: 'c', content: 'now a file' },
  { name: 'f/', type: 'dir' },
  { name: 'f/in', content: 'dir replaced the file' },
]);
const L3 = makeTar([
  { name: 'a/sub/', type: 'dir', mode: 0o700 },
  { name: 'a/sub/top', content: 't', xattrs: { 'user.top': 'yes' } },
  { name: 'a/x', content: 'back' },
]);

/** Every path of a real directory tree (the mounted view), depth first. */
function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    out.push(p);
    if (lstatSync(path.join(root, p)).isDirectory()) out.push(...walk(root, p));
  }
  return out;
}

describe.skipIf(!canMount)('LowerView', () => {
  it('sync lookups and readdirs agree with the async ones and with the mounted view', async () => {
    const s = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
    const l1 = (await s.unpack('l1', [], Readable.from([L1]))).layerDir;
    const l2 = (await s.unpack('l2', [l1], Readable.from([L2]))).layerDir;
    const l3 = (await s.unpack('l3', [l1, l2], Readable.from([L3]))).layerDir;
    const chain = [l1, l2, l3];
    const view = await s.readView(chain);
    const lazy = new LowerView([l3, l2, l1]);
    // b is absent from the top layer: whether l3 hides it needs l3's opaque set, not loaded yet.
    expect(() => lazy.lookupSync('b/old')).toThrow(/preload/);
    const mounted = await s.view(chain);
    try {
      const paths = walk(mounted.path);
      expect(paths).toContain('f/in');
      expect(paths).not.toContain('c/inside');
      for (const p of ['', ...paths, 'c/inside', 'b/old', 'a/nothing', 'f/in/below']) {
        const host = path.join(mounted.path, p);
        const real = lstatIfExists(host);
        const got = view.lookupSync(p);
        expect(got?.stat.mode, p).toBe(real?.mode);
        expect(got?.stat.size, p).toBe(real?.isDirectory() ? got?.stat.size : real?.size);
        expect((await lazy.lookup(p))?.hostPath, p).toBe(got?.hostPath);
        if (real?.isDirectory()) {
          expect(view.readdirSync(p), p).toEqual(readdirSync(host).sort());
          expect(await lazy.readdir(p), p).toEqual(view.readdirSync(p));
          for (const [name, host] of view.readdirHostsSync(p)) {
            const child = p ? `${p}/${name}` : name;
            expect(host, child).toBe(view.lookupSync(child)?.hostPath);
          }
        }
      }
    } finally {
      await mounted.release();
    }
  });

  it('viewSource resolves symlinks inside the chain and shows the xattrs the mount shows', async () => {
    const s = await Snapshotter.open(path.join(work, 'root2'), { kind: 'overlay' });
    const l1 = (await s.unpack('l1', [], Readable.from([L1]))).layerDir;
    const l2 = (await s.unpack('l2', [l1], Readable.from([L2]))).layerDir;
    // The top layer through the mount, so it has an xattr record (with overlay's own xattrs).
    const active = await s.prepare([l1, l2]);
    writeFileSync(path.join(active.mountpoint, 'b', 'made'), 'm');
    execFileSync('setfattr', ['-n', 'user.made', '-v', 'yes', path.join(active.mountpoint, 'b', 'made')]);
    const l3 = await active.commit('l3');
    const chain = [l1, l2, l3];
    const root = path.join(work, 'virtual-root');
    const src = viewSource(await s.readView(chain), root, (l) => s.layerXattrs(l));
    const mounted = await s.view(chain);
    try {
      for (const p of ['ln', 'ln/deep', 'rel/x', 'rel/sub', 'b', 'c', 'f/in']) {
        const viaView = path.relative(root, src.resolve(p, true));
        expect(viaView, p).toBe(path.relative(mounted.path, resolveInRootSync(mounted.path, p)));
      }
      expect(path.relative(root, src.resolve('ln', false))).toBe('ln');
      expect(src.readlink(path.join(root, 'ln'))).toBe(readlinkSync(path.join(mounted.path, 'ln')));
      const want = await readTreeXattrs(mounted.path);
      const got = await src.treeXattrs(root);
      const rel = (m: Map<string, Map<string, Buffer>>, base: string) =>
        Object.fromEntries([...m].filter(([, a]) => a.size > 0).map(([k, a]) => [path.relative(base, k), Object.fromEntries(a)]));
      expect(rel(got, root)).toEqual(rel(want, mounted.path));
      expect(Object.keys(rel(got, root))).toContain('b/made');
      expect(Object.keys(rel(got, root))).not.toContain('b/old'); // hidden by the opaque b
    } finally {
      await mounted.release();
    }
  });
});
