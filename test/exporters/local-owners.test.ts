// type=local as BuildKit's client writes it (session/filesync syncTargetDiffCopy: fsutil.Receive
// with a filter setting every entry's uid/gid to the receiving user's): owners become the
// user's, modes (setuid/setgid included) stay, the destination is made 0700 when missing and
// keeps its own mode and owner otherwise. type=tar keeps the image's owners.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportImage } from '../../src/exporters/export-image.js';
import { parseOutputs } from '../../src/exporters/outputs.js';
import { emptyImage } from '../../src/frontend/dockerfile/image-config.js';
import type { LayerRef } from '../../src/solver/result.js';
import { listTar } from '../solver/snapshot/tar-fixtures.js';
import { addBaseLayer, addBuiltLayer, BASE_ENTRIES, tempDir } from './fixtures.js';

const work = tempDir('slipway-local-owners-');
afterAll(() => rmSync(work, { recursive: true, force: true }));
const root = path.join(work, 'root');
let layers: LayerRef[];

beforeAll(async () => {
  const base = await addBaseLayer(root, BASE_ENTRIES);
  const built = await addBuiltLayer(root, [base.ref], 'r-owners-0', (dir) => {
    mkdirSync(path.join(dir, 'o/d'), { recursive: true });
    mkdirSync(path.join(dir, 'o/priv'));
    writeFileSync(path.join(dir, 'o/d/suid'), 'a\n');
    chownSync(path.join(dir, 'o/d/suid'), 7, 8);
    chmodSync(path.join(dir, 'o/d/suid'), 0o4755);
    chownSync(path.join(dir, 'o/d'), 0, 50);
    chmodSync(path.join(dir, 'o/d'), 0o2775);
    writeFileSync(path.join(dir, 'o/priv/s'), 's\n');
    chmodSync(path.join(dir, 'o/priv/s'), 0o600);
    chownSync(path.join(dir, 'o/priv/s'), 1000, 1000);
    chmodSync(path.join(dir, 'o/priv'), 0o700);
    chownSync(path.join(dir, 'o/priv'), 1000, 1000);
    symlinkSync('d/suid', path.join(dir, 'o/rel'));
    const odd = Buffer.concat([Buffer.from(path.join(dir, 'o/caf')), Buffer.from([0xe9])]);
    writeFileSync(odd, 'x\n');
    chownSync(odd, 9, 9);
    execFileSync('chown', ['-h', '5:5', path.join(dir, 'o/rel')]);
  });
  layers = [base.ref, built];
});

const image = { ...emptyImage({ os: 'linux', architecture: 'amd64' }), rootfs: { type: 'layers' as const, diff_ids: [] } };
const exportTo = (spec: string) => exportImage({ root, layers, image, outputs: parseOutputs([spec], {}) });
const owner = (p: string): string => { const st = lstatSync(p); return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`; };

describe('type=local owners and modes (BuildKit client side)', () => {
  it('every entry is owned by the building user, modes (setuid/setgid too) kept; a new destination is 0700', async () => {
    const dest = path.join(work, 'new', 'nested', 'out');
    await exportTo(`type=local,dest=${dest}`);
    const me = `${process.getuid!()}:${process.getgid!()}`;
    expect(owner(path.join(work, 'new'))).toBe(`${me} 700`);
    expect(owner(dest)).toBe(`${me} 700`);
    expect(owner(path.join(dest, 'o/d'))).toBe(`${me} 2775`);
    expect(owner(path.join(dest, 'o/d/suid'))).toBe(`${me} 4755`);
    expect(owner(path.join(dest, 'o/priv'))).toBe(`${me} 700`);
    expect(owner(path.join(dest, 'o/priv/s'))).toBe(`${me} 600`);
    expect(owner(path.join(dest, 'o/rel')).split(' ')[0]).toBe(me);
    expect(owner(path.join(dest, 'bin/tool'))).toBe(`${me} 755`);
    const odd = lstatSync(Buffer.concat([Buffer.from(path.join(dest, 'o/caf')), Buffer.from([0xe9])])); // not valid UTF-8
    expect(`${odd.uid}:${odd.gid}`).toBe(me);
  });

  it('an existing destination keeps its mode and owner; what it held stays (merge)', async () => {
    const dest = path.join(work, 'existing');
    mkdirSync(dest);
    chmodSync(dest, 0o750);
    chownSync(dest, 3, 3);
    writeFileSync(path.join(dest, 'keep'), 'k\n');
    chownSync(path.join(dest, 'keep'), 4, 4);
    await exportTo(`type=local,dest=${dest}`);
    expect(owner(dest)).toBe('3:3 750');
    expect(readFileSync(path.join(dest, 'keep'), 'utf8')).toBe('k\n');
    expect(owner(path.join(dest, 'keep'))).toBe('4:4 644'); // not one of the entries sent
    expect(readFileSync(path.join(dest, 'o/d/suid'), 'utf8')).toBe('a\n');
  });

  it('SOURCE_DATE_EPOCH sets the times of the entries sent only, not of what the destination held', async () => {
    const dest = path.join(work, 'existing-epoch');
    mkdirSync(dest);
    writeFileSync(path.join(dest, 'keep'), 'k\n');
    utimesSync(path.join(dest, 'keep'), 1000, 1000);
    await exportImage({ root, layers, image, epoch: 86400, outputs: parseOutputs([`type=local,dest=${dest}`], {}) });
    expect(lstatSync(path.join(dest, 'keep')).mtimeMs).toBe(1000_000);
    expect(lstatSync(path.join(dest, 'o/d/suid')).mtimeMs).toBe(86400_000);
    expect(lstatSync(path.join(dest, 'o')).mtimeMs).toBe(86400_000);
  });

  it('a destination that is a symlink to a directory: the directory keeps its mode', async () => {
    const real = path.join(work, 'real-dir');
    mkdirSync(real);
    chmodSync(real, 0o751);
    symlinkSync(real, path.join(work, 'link-dest'));
    await exportTo(`type=local,dest=${path.join(work, 'link-dest')}`);
    expect(owner(real)).toBe(`${process.getuid!()}:${process.getgid!()} 751`);
    expect(readFileSync(path.join(real, 'o/d/suid'), 'utf8')).toBe('a\n');
  });

  it('type=tar keeps the image owners', async () => {
    const file = path.join(work, 'fs.tar');
    await exportTo(`type=tar,dest=${file}`);
    const h = Object.fromEntries((await listTar(readFileSync(file))).map((e) => [e.header.name, e.header]));
    expect([h['o/d/suid']?.uid, h['o/d/suid']?.gid, h['o/d/suid']?.mode]).toEqual([7, 8, 0o4755]);
    expect([h['o/priv/s']?.uid, h['o/d/']?.gid]).toEqual([1000, 50]);
  });
});
