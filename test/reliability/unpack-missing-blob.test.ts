// A layer blob deleted between a build's check and its read (e.g. by a concurrent prune) must
// fail the unpack with the I/O error, not kill the process with an unhandled 'error' event.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Snapshotter } from '../../src/solver/snapshot/snapshotter.js';
import { Scratch } from './harness.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

describe('unpack of a vanished blob', () => {
  it('rejects with ENOENT and leaves no snapshot', async () => {
    const root = scratch.dir('unpack-missing');
    const snapshotter = await Snapshotter.open(root, { kind: 'copy' });
    const stream = createReadStream(path.join(root, 'store', 'blobs', 'sha256', 'gone'));
    await expect(snapshotter.unpack('l-test', [], stream)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await snapshotter.has('l-test')).toBe(false);
  });
});
