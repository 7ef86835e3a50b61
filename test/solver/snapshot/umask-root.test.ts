// What Slipway itself creates for a RUN step does not depend on its own umask: buildkitd runs
// under 022. Under umask 077 the rootfs root was 0700 and hosts/resolv.conf 0600, so a RUN as
// a non-root USER could reach nothing ("can't create /dev/null: Permission denied").
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Bundle } from '../../../src/solver/executor/bundle.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { makeTar } from './tar-fixtures.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-umask-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const mode = (p: string): number => statSync(p).mode & 0o7777;

async function underUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

describe('modes Slipway creates under a restrictive umask', () => {
  for (const kind of ['overlay', 'copy'] as const) {
    it(`${kind}: the base layer's root and the step's rootfs root are 0755`, async () => {
      await underUmask(0o077, async () => {
        const s = await Snapshotter.open(path.join(work, kind), { kind });
        const base = (await s.unpack('base', [], Readable.from([makeTar([{ name: 'f', content: 'f' }])]))).layerDir;
        expect(mode(base)).toBe(0o755);
        const snap = await s.prepare([base]);
        try {
          expect(mode(snap.mountpoint)).toBe(0o755);
        } finally {
          await snap.cleanup();
        }
      });
    });
  }

  for (const kind of ['overlay', 'copy'] as const) {
    it(`${kind}: a step's root takes the parent's owner, not its mode (containerd's createSnapshot)`, async () => {
      const s = await Snapshotter.open(path.join(work, `owner-${kind}`), { kind });
      const base = (await s.unpack('base', [], Readable.from([makeTar([{ name: 'f', content: 'f' }])]))).layerDir;
      const first = await s.prepare([base]);
      chownSync(first.mountpoint, 1000, 1001); // RUN chown 1000:1001 / && chmod 700 /
      chmodSync(first.mountpoint, 0o700);
      const layer = await first.commit(`chowned-${kind}`);
      const next = await s.prepare([base, layer]);
      try {
        const st = statSync(next.mountpoint);
        expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1000, 1001, 0o755]);
      } finally {
        await next.cleanup();
      }
    });
  }

  it('hosts and resolv.conf are 0644', async () => {
    await underUmask(0o077, async () => {
      const b = new Bundle(path.join(work, 'bundle'), true);
      b.writeNetworkFiles({ hosts: '127.0.0.1 localhost\n', resolvConf: 'nameserver 127.0.0.1\n' });
      expect(mode(path.join(work, 'bundle', 'hosts'))).toBe(0o644);
      expect(mode(path.join(work, 'bundle', 'resolv.conf'))).toBe(0o644);
    });
  });
});
