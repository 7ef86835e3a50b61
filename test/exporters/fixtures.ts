// Layer chains for exporter tests, made without a solver: a "base" layer unpacked from a
// hand-made gzip blob (recorded in layer.json the way the solver records pulled layers) and
// "built" layers made with Snapshotter.prepare/commit from small trees.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { digestOf } from '../../src/content/digest.js';
import { MediaType } from '../../src/content/media-types.js';
import { ContentStore } from '../../src/content/store.js';
import { emptyImage, type Image } from '../../src/frontend/dockerfile/image-config.js';
import { updateLayerMeta } from '../../src/solver/layer-meta.js';
import type { LayerRef } from '../../src/solver/result.js';
import { Snapshotter } from '../../src/solver/snapshot/snapshotter.js';
import { makeTar, type FixtureEntry } from '../solver/snapshot/tar-fixtures.js';

export function tempDir(prefix = 'slipway-export-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export { requireTool } from '../helpers/require-tool.js';

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

export const BASE_CREATED = '2024-01-02T03:04:05Z';
export const BASE_ENTRIES: FixtureEntry[] = [
  { name: 'bin/', type: 'dir', mode: 0o755, mtime: 1_700_000_500 },
  { name: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755, mtime: 1_700_000_500 },
  { name: 'etc/', type: 'dir', mode: 0o755, mtime: 1_700_000_500 },
  { name: 'etc/config', content: 'base=1\n', mtime: 1_700_000_500 },
  { name: 'old/', type: 'dir', mode: 0o755, mtime: 1_700_000_500 },
  { name: 'old/gone', content: 'to be deleted\n', mtime: 1_700_000_500 },
];

export interface Chain {
  root: string;
  layers: LayerRef[];
  image: Image;
  baseImage: Image;
  /** The base layer's registry blob. */
  baseBlob: { digest: string; size: number; diffID: string };
}

/** Records a pulled base layer: gzip blob in the content store, snapshot unpacked, layer.json. */
export async function addBaseLayer(root: string, entries: FixtureEntry[]): Promise<{ ref: LayerRef; digest: string; size: number; diffID: string }> {
  const tar = makeTar(entries);
  const gz = gzipSync(tar, { level: 9 });
  const diffID = digestOf(tar);
  const content = new ContentStore(root);
  const { digest, size } = await content.writeBytes(gz);
  const s = await Snapshotter.open(root);
  const id = `l-${diffID.slice('sha256:'.length)}`;
  if (!(await s.has(id))) await s.unpack(id, [], Readable.from([tar]));
  await updateLayerMeta(root, id, { diffID, size: tar.length, blobs: { gzip: { mediaType: MediaType.DOCKER_LAYER_GZIP, digest, size } } });
  return { ref: { snapshotId: id }, digest, size, diffID };
}

/** A built layer: `change` edits the merged root filesystem of `chain`. */
export async function addBuiltLayer(root: string, chain: LayerRef[], id: string, change: (dir: string) => void): Promise<LayerRef> {
  const s = await Snapshotter.open(root);
  const snap = await s.prepare(chain.map((l) => s.layerDir(l.snapshotId)));
  try {
    change(snap.mountpoint);
    await snap.commit(id);
  } catch (err) {
    await snap.cleanup();
    throw err;
  }
  return { snapshotId: id };
}

/** base + two built layers (modify, delete, add, symlink, hardlink) and a matching config. */
export async function makeChain(root: string, opts: { mtime?: number } = {}): Promise<Chain> {
  const base = await addBaseLayer(root, BASE_ENTRIES);
  const stamp = (p: string): void => {
    if (opts.mtime !== undefined) execFileSync('touch', ['-h', '-d', `@${opts.mtime}`, p]);
  };
  const one = await addBuiltLayer(root, [base.ref], 'r-one-0', (dir) => {
    writeFileSync(path.join(dir, 'etc/config'), 'base=2\n');
    execFileSync('rm', ['-rf', path.join(dir, 'old')]);
    execFileSync('mkdir', ['-p', path.join(dir, 'app')]);
    writeFileSync(path.join(dir, 'app/main.txt'), 'hello\n');
    for (const p of ['etc/config', 'app/main.txt', 'app', 'etc']) stamp(path.join(dir, p));
  });
  const two = await addBuiltLayer(root, [base.ref, one], 'r-two-0', (dir) => {
    execFileSync('ln', ['-s', 'main.txt', path.join(dir, 'app/link')]);
    execFileSync('ln', [path.join(dir, 'app/main.txt'), path.join(dir, 'app/hard')]);
    execFileSync('chown', ['1000:1000', path.join(dir, 'app/main.txt')]);
    for (const p of ['app/link', 'app/main.txt', 'app']) stamp(path.join(dir, p));
  });
  const baseImage: Image = {
    ...emptyImage({ os: 'linux', architecture: 'amd64' }),
    created: BASE_CREATED,
    rootfs: { type: 'layers', diff_ids: [base.diffID] },
    history: [
      { created: BASE_CREATED, created_by: '/bin/sh -c #(nop) ADD file:base in / ' },
      { created: BASE_CREATED, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    ],
  };
  const image: Image = structuredClone(baseImage);
  delete image.created;
  image.config.Cmd = ['/bin/tool'];
  image.history!.push(
    { created_by: 'RUN edit # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created_by: 'ENV A=<b>&c', comment: 'buildkit.dockerfile.v0', empty_layer: true },
    { created_by: 'RUN link # buildkit', comment: 'buildkit.dockerfile.v0' },
  );
  return { root, layers: [base.ref, one, two], image, baseImage, baseBlob: base };
}

/** The root filesystem the chain describes, as the test expects it (name → content or kind). */
export const EXPECTED_ROOTFS: Record<string, string> = {
  app: 'dir',
  'app/hard': 'hello\n',
  'app/link': '-> main.txt',
  'app/main.txt': 'hello\n',
  bin: 'dir',
  'bin/tool': '#!/bin/sh\necho tool\n',
  etc: 'dir',
  'etc/config': 'base=2\n',
};
