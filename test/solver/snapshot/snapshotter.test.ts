import { spawnSync } from 'node:child_process';
import {
  appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { diffDirs, type Change } from '../../../src/solver/layer/diff-dirs.js';
import { mountOverlay, mountsUnder, unmount } from '../../../src/solver/snapshot/overlay-mount.js';
import { overlaySupported } from '../../../src/solver/snapshot/overlay-support.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { makeTar } from './tar-fixtures.js';
import { listTree } from './tree-listing.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-snap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LAYER1 = makeTar([
  { name: 'a/', type: 'dir', mode: 0o750, uid: 7, gid: 8 },
  { name: 'a/x', content: 'x' },
  { name: 'a/y', content: 'y' },
  { name: 'b/', type: 'dir' },
  { name: 'b/old', content: 'old' },
  { name: 'c/', type: 'dir' },
  { name: 'c/inside', content: 'c' },
]);
const LAYER2 = makeTar([
  // no 'a/' entry: the layer dir must take a's metadata from the lower layer
  { name: 'a/.wh.x' },
  { name: 'b/', type: 'dir' },
  { name: 'b/.wh..wh..opq' },
  { name: 'b/new', content: 'new' },
  { name: '.wh.c' },
]);

describe('Snapshotter', () => {
  it('probes overlayfs support once, and the environment can force the copying snapshotter', async () => {
    expect(await overlaySupported(work)).toBe(true);
    process.env.SLIPWAY_SNAPSHOTTER = 'copy';
    try {
      expect((await Snapshotter.open(path.join(work, 'forced'))).kind).toBe('copy');
    } finally {
      delete process.env.SLIPWAY_SNAPSHOTTER;
    }
    expect((await Snapshotter.open(path.join(work, 'auto'))).kind).toBe('overlay');
  });

  for (const kind of ['overlay', 'copy'] as const) {
    it(`${kind}: a base chain with whiteouts and opaque dirs merges to the right tree`, async () => {
      const s = await Snapshotter.open(path.join(work, `chain-${kind}`), { kind });
      const l1 = (await s.unpack('l1', [], Readable.from([LAYER1]))).layerDir;
      const l2 = (await s.unpack('l2', [l1], Readable.from([LAYER2]))).layerDir;
      expect(JSON.parse(readFileSync(path.join(l2, '..', 'opaque.json'), 'utf8'))).toEqual(['b']);
      expect(JSON.parse(readFileSync(path.join(l1, '..', 'opaque.json'), 'utf8'))).toEqual([]);
      const aMeta = lstatSync(path.join(l2, 'a'));
      expect([aMeta.mode & 0o7777, aMeta.uid, aMeta.gid]).toEqual([0o750, 7, 8]);
      const snap = await s.prepare([l1, l2]);
      try {
        expect(Object.keys(listTree(snap.mountpoint))).toEqual(['a', 'a/y', 'b', 'b/new']);
        expect(readFileSync(path.join(snap.mountpoint, 'b/new'), 'utf8')).toBe('new');
      } finally {
        await snap.cleanup();
      }
      for (const chain of [[l1], [l1, l2]]) {
        const view = await s.view(chain);
        try {
          expect(Object.keys(listTree(view.path))).toEqual(chain.length === 1
            ? ['a', 'a/x', 'a/y', 'b', 'b/old', 'c', 'c/inside'] : ['a', 'a/y', 'b', 'b/new']);
          if (kind === 'overlay') expect(() => writeFileSync(path.join(view.path, 'nope'), 'x')).toThrow(/EROFS/);
        } finally {
          await view.release();
        }
      }
      expect(readdirSync(s.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    });
  }

  for (const kind of ['overlay', 'copy'] as const) {
    it(`${kind}: a write through one name of a lower layer's hardlink leaves the other names alone`, async () => {
      // Overlay (index=off) copies the written name up on its own; the copying snapshotter
      // kept the link in the tree it copies, so the write changed both names (run-links).
      const s = await Snapshotter.open(path.join(work, `links-${kind}`), { kind });
      const tar = makeTar([
        { name: 'd/', type: 'dir' },
        { name: 'd/f', content: 'x' },
        { name: 'd/g', type: 'link', linkname: 'd/f' },
        { name: 'd/h', type: 'link', linkname: 'd/f' },
      ]);
      const l1 = (await s.unpack('hl1', [], Readable.from([tar]))).layerDir;
      const snap = await s.prepare([l1]);
      appendFileSync(path.join(snap.mountpoint, 'd/g'), 'more');
      chmodSync(path.join(snap.mountpoint, 'd/h'), 0o600);
      const l2 = await snap.commit('hl2');
      expect(Object.keys(listTree(l2)).sort()).toEqual(['d', 'd/g', 'd/h']);
      const view = await s.view([l1, l2]);
      try {
        expect(['d/f', 'd/g', 'd/h'].map((n) => readFileSync(path.join(view.path, n), 'utf8'))).toEqual(['x', 'xmore', 'x']);
        expect(['d/f', 'd/g', 'd/h'].map((n) => lstatSync(path.join(view.path, n)).mode & 0o777)).toEqual([0o644, 0o644, 0o600]);
      } finally {
        await view.release();
      }
    });
  }

  it('concurrent unpacks of the same id publish one snapshot', async () => {
    const s = await Snapshotter.open(path.join(work, 'race'), { kind: 'overlay' });
    const results = await Promise.all([1, 2, 3].map(() => s.unpack('same', [], Readable.from([LAYER1]))));
    expect(new Set(results.map((r) => r.layerDir)).size).toBe(1);
    expect(readdirSync(s.dir)).toEqual(['same']);
    expect(readFileSync(path.join(s.layerDir('same'), 'a/y'), 'utf8')).toBe('y');
  });

  it("a base layer's memo is in its snapshot from the moment the snapshot appears", async () => {
    // A build killed between the unpack and a later memo write left a base layer without
    // its diffID: the export rebuilt its tar from the directory (another image digest).
    const s = await Snapshotter.open(path.join(work, 'memo'), { kind: 'copy' });
    const memo = { diffID: `sha256:${'1'.repeat(64)}`, blobs: { gzip: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'2'.repeat(64)}`, size: 3 } } };
    const dir = path.join(s.dir, 'base');
    const seen: boolean[] = [];
    let done = false;
    const watch = (): void => {
      if (existsSync(dir)) seen.push(existsSync(path.join(dir, 'layer.json')));
      if (!done) setImmediate(watch);
    };
    watch();
    const unpacked = s.unpack('base', [], Readable.from([LAYER1]), undefined, undefined, memo).finally(() => { done = true; });
    const { layerDir } = await unpacked;
    expect(JSON.parse(readFileSync(path.join(layerDir, '..', 'layer.json'), 'utf8'))).toEqual(memo);
    expect(seen.every(Boolean)).toBe(true);
  });

  it('publishes nothing when unpacking fails', async () => {
    const s = await Snapshotter.open(path.join(work, 'fail'), { kind: 'overlay' });
    const bad = makeTar([{ name: 'ok', content: '1' }, { name: '../escape', content: 'x' }]);
    await expect(s.unpack('bad', [], Readable.from([bad]))).rejects.toThrow(/outside the destination/);
    expect(await s.has('bad')).toBe(false);
    expect(readdirSync(s.dir)).toEqual([]);
    expect(existsSync(path.join(work, 'fail', 'escape'))).toBe(false);
  });

  it('mounts 150 layers (far past one page of absolute lowerdirs) and refuses 501', async () => {
    const s = await Snapshotter.open(path.join(work, 'many'), { kind: 'overlay' });
    const chain: string[] = [];
    for (let i = 0; i < 150; i++) {
      const id = `sha256-${String(i).padStart(3, '0')}${'0'.repeat(58)}`;
      chain.push((await s.unpack(id, chain, Readable.from([makeTar([{ name: 'top', content: String(i) }, { name: `f${i}`, content: 'x' }])]))).layerDir);
    }
    expect(chain.join(':').length).toBeGreaterThan(4096);
    const snap = await s.prepare(chain);
    try {
      expect(readFileSync(path.join(snap.mountpoint, 'top'), 'utf8')).toBe('149');
      expect(existsSync(path.join(snap.mountpoint, 'f0'))).toBe(true);
    } finally {
      await snap.cleanup();
    }
    const tooMany = Array.from({ length: 501 }, () => chain[0] as string);
    await expect(s.prepare(tooMany)).rejects.toThrow(/limit of 500 lower directories/);
    expect(readdirSync(s.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 60_000);

  it('cleans up temp dirs (and their mounts) left by a dead process', async () => {
    const root = path.join(work, 'stale');
    const s = await Snapshotter.open(root, { kind: 'overlay' });
    const dead = spawnSync('true').pid as number;
    const tmp = path.join(s.dir, `.tmp-${dead}-deadbeef`);
    for (const d of ['lower', 'fs', 'work', 'merged']) mkdirSync(path.join(tmp, d), { recursive: true });
    writeFileSync(path.join(tmp, 'lower', 'keep'), 'k');
    await mountOverlay({ base: tmp, lowers: [path.join(tmp, 'lower')], upper: 'fs', work: 'work', target: path.join(tmp, 'merged') });
    expect(await mountsUnder(tmp)).toHaveLength(1);
    await Snapshotter.open(root, { kind: 'overlay' });
    expect(await mountsUnder(tmp)).toHaveLength(0);
    expect(existsSync(tmp)).toBe(false);
  });

  it('names short lower chains directly, and through links when a path needs escaping', async () => {
    for (const [name, linked] of [['plain', false], ['odd,name:with\\chars', true]] as const) {
      const base = path.join(work, `lowers-${linked ? 'linked' : 'direct'}`);
      const lower = path.join(work, name, 'lower');
      mkdirSync(lower, { recursive: true });
      writeFileSync(path.join(lower, 'seen'), name);
      for (const d of ['fs', 'work', 'merged']) mkdirSync(path.join(base, d), { recursive: true });
      await mountOverlay({ base, lowers: [lower], upper: 'fs', work: 'work', target: path.join(base, 'merged') });
      try {
        expect(readFileSync(path.join(base, 'merged', 'seen'), 'utf8')).toBe(name);
        expect(existsSync(path.join(base, 'l'))).toBe(linked);
      } finally {
        await unmount(path.join(base, 'merged'));
      }
    }
  });

  it('commit is refused twice and cleanup after commit keeps the snapshot', async () => {
    const s = await Snapshotter.open(path.join(work, 'twice'), { kind: 'overlay' });
    const snap = await s.prepare([]);
    writeFileSync(path.join(snap.mountpoint, 'new'), 'n');
    const layer = await snap.commit('one');
    // The mount's own directories never enter the snapshot (commit moves them aside).
    expect(readdirSync(path.dirname(layer)).sort()).toEqual(['fs', 'opaque.json', 'xattrs.json']);
    await expect(snap.commit('two')).rejects.toThrow(/already committed/);
    await snap.cleanup();
    expect(readFileSync(path.join(layer, 'new'), 'utf8')).toBe('n');
    expect(await mountsUnder(s.dir)).toEqual([]);
    expect(readdirSync(s.dir)).toEqual(['one']);
  });
});

describe('diffDirs', () => {
  it('emits adds, modifies, deletes and type changes in walk order, skipping unchanged entries', async () => {
    const lower = path.join(work, 'd-lower');
    const upper = path.join(work, 'd-upper');
    for (const root of [lower, upper]) {
      mkdirSync(path.join(root, 'dir/sub'), { recursive: true });
      writeFileSync(path.join(root, 'same'), 'same');
      writeFileSync(path.join(root, 'dir/sub/changed'), 'v1');
      utimesSync(path.join(root, 'same'), 1000, 1000);
    }
    writeFileSync(path.join(lower, 'gone'), 'g');
    mkdirSync(path.join(lower, 'was-dir'));
    writeFileSync(path.join(lower, 'was-dir/child'), 'c');
    writeFileSync(path.join(upper, 'dir/sub/changed'), 'v2, longer'); // same size+mtime would read as unchanged, as in continuity
    writeFileSync(path.join(upper, 'was-dir'), 'now a file');
    writeFileSync(path.join(upper, 'added'), 'a');
    const changes: Array<[string, string]> = [];
    for await (const c of diffDirs(lower, upper) as AsyncIterable<Change>) changes.push([c.kind, c.path]);
    expect(changes).toEqual([
      ['add', 'added'],
      ['modify', 'dir/sub/changed'],
      ['delete', 'gone'],
      ['add', 'was-dir'],
    ]);
  });
});
