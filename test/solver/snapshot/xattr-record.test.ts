// A snapshot committed from an overlay keeps its upperdir's xattr dump (xattrs.json), and its
// layer tar, written from that record, is byte for byte the one a fresh getfattr walk gives.
// The tar carries security.capability only, as BuildKit's layers (containerd's ChangeWriter).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { collect, listTar, makeTar } from './tar-fixtures.js';

/** A VFS_CAP_REVISION_2 security.capability value granting CAP_NET_RAW. */
const CAP = Buffer.from('0000000200200000000000000000000000000000', 'hex');

const work = mkdtempSync(path.join(tmpdir(), 'slipway-xrec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function bytes(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('xattr record of committed snapshots', () => {
  it('the layer tar from the record equals the one from getfattr, xattrs and opaque dirs included', async () => {
    const s = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
    const base = (await s.unpack('base', [], Readable.from([makeTar([
      { name: 'd/', type: 'dir' }, { name: 'd/old', content: 'old' }, { name: 'f', content: 'f' },
    ])]))).layerDir;
    const snap = await s.prepare([base]);
    writeFileSync(path.join(snap.mountpoint, 'cap'), 'x');
    expect(spawnSync('setfattr', ['-n', 'user.slipway', '-v', '0x0102ff', path.join(snap.mountpoint, 'cap')]).status).toBe(0);
    expect(spawnSync('setfattr', ['-n', 'security.capability', '-v', `0x${CAP.toString('hex')}`, path.join(snap.mountpoint, 'cap')]).status).toBe(0);
    rmSync(path.join(snap.mountpoint, 'd'), { recursive: true });
    mkdirSync(path.join(snap.mountpoint, 'd'));
    writeFileSync(path.join(snap.mountpoint, 'd', 'new'), 'new');
    const layer = await snap.commit('top');

    const record = path.join(layer, '..', 'xattrs.json');
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ cap: { 'user.slipway': '0102ff' } });
    const fromRecord = await bytes(s.diff(layer, [base]));
    rmSync(record);
    const fromWalk = await bytes(s.diff(layer, [base]));
    expect(fromRecord.equals(fromWalk)).toBe(true);
    // The tar carries the capability (PAX SCHILY.xattr), not the user xattr, and the replaced
    // directory as opaque.
    expect(fromRecord.includes(Buffer.from('SCHILY.xattr.security.capability='))).toBe(true);
    expect(fromRecord.includes(Buffer.from('SCHILY.xattr.user.slipway='))).toBe(false);
    expect(fromRecord.includes(Buffer.from('d/.wh..wh..opq'))).toBe(true);
    expect(existsSync(record)).toBe(false);
  });

  it('a copy-up whose capability a chown cleared is a change (BuildKit compares capabilities both ways)', async () => {
    const s = await Snapshotter.open(path.join(work, 'root2'), { kind: 'overlay' });
    const base = (await s.unpack('capbase', [], Readable.from([makeTar([
      { name: 'ping', content: 'ping', mode: 0o755, xattrs: { 'security.capability': CAP } },
      { name: 'same', content: 'same', mode: 0o755, xattrs: { 'security.capability': CAP } },
    ])]))).layerDir;
    const snap = await s.prepare([base]);
    chownSync(path.join(snap.mountpoint, 'ping'), 0, 0); // same owner; the kernel drops the capability
    chmodSync(path.join(snap.mountpoint, 'same'), 0o755); // a copy-up that changes nothing
    const layer = await snap.commit('capchown');
    const entries = await listTar(await collect(s.diff(layer, [base])));
    expect(entries.map((e) => e.header.name)).toEqual(['ping']);
    expect(entries[0]?.header.xattrs.size).toBe(0);
  });
});
