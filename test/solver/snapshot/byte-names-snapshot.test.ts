// A RUN step over a base with names that are not valid UTF-8, through both snapshotters: the
// base unpacks with the exact names, the step's deletes, adds and replaced directory come out
// of the layer tar with the exact names (byte-names.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeName, nameBytes } from '../../../src/solver/layer/byte-names.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { collect, listTar, makeTar } from './tar-fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-bytesnap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const n = (latin1: string): string => decodeName(Buffer.from(latin1, 'latin1'));

describe('snapshots with names that are not UTF-8', () => {
  for (const kind of ['overlay', 'copy'] as const) {
    it(`${kind}: base unpack, RUN changes and the layer tar keep the bytes`, async () => {
      const s = await Snapshotter.open(path.join(work, kind), { kind });
      const base = (await s.unpack('base', [], Readable.from([makeTar([
        { name: `${n('d\xfe')}/`, type: 'dir' },
        { name: `${n('d\xfe')}/old`, content: 'old' },
        { name: n('gone\xfc'), content: 'g' },
        { name: n('keep\xfb'), content: 'k' },
        { name: 'fifo-parent/', type: 'dir' },
      ])]))).layerDir;
      const snap = await s.prepare([base]);
      execFileSync('sh', ['-c', `rm "$(printf 'gone\\374')" && rm -r "$(printf 'd\\376')" && mkdir "$(printf 'd\\376')" &&
        echo new > "$(printf 'd\\376')/new" && echo add > "$(printf 'add\\377')" && mkfifo "fifo-parent/$(printf 'p\\375')"`],
      { cwd: snap.mountpoint });
      const layer = await snap.commit(`top-${kind}`);
      const names = (await listTar(await collect(s.diff(layer, [base])))).map((e) => nameBytes(e.header.name).toString('latin1'));
      // The replaced directory: opaque (overlay) or its old entry whited out (walking differ).
      const replaced = kind === 'overlay' ? ['d\xfe/.wh..wh..opq', 'd\xfe/new'] : ['d\xfe/new', 'd\xfe/.wh.old'];
      expect(names).toEqual(['add\xff', 'd\xfe/', ...replaced, 'fifo-parent/', 'fifo-parent/p\xfd', '.wh.gone\xfc']);
    });
  }
});
