// A RUN's output through the syscall helper's relay (event frames of at most 64 KiB): every
// byte of a large output on both streams at once arrives, in order.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContainer } from '../../../src/solver/executor/run-container.js';
import { writeLayerTar } from '../../../src/solver/layer/write-layer.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { sysHelper } from '../../../src/solver/sys/sys-helper.js';
import { makeBusyboxRootfs, requireTool } from '../../helpers/busybox-rootfs.js';
import { collect } from '../snapshot/tar-fixtures.js';

requireTool('runc', 'apt-get install runc');

let work: string;
let s: Snapshotter;
let base: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'slipway-output-'));
  const rootfs = makeBusyboxRootfs(path.join(work, 'busybox'));
  s = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
  base = (await s.unpack('base', [], Readable.from([await collect(writeLayerTar({ upperdir: rootfs, lowers: [] }))]))).layerDir;
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('RUN output through the helper', () => {
  it('relays 32 MiB on stdout and stderr each, byte for byte', async () => {
    const snap = await s.prepare([base]);
    try {
      const out = createHash('sha256');
      const err = createHash('sha256');
      const res = await runContainer({
        rootfs: snap.mountpoint,
        args: ['/bin/sh', '-c', 'yes abcdefg | head -c 33554432 & yes 0123456 | head -c 33554432 >&2; wait; echo end'],
        env: ['PATH=/usr/bin:/bin'],
        stdout: (d) => { out.update(d); },
        stderr: (d) => { err.update(d); },
      });
      expect(res.exitCode).toBe(0);
      const want = (line: string, tail = ''): string => createHash('sha256').update(line.repeat(4194304) + tail).digest('hex');
      expect(out.digest('hex')).toBe(want('abcdefg\n', 'end\n'));
      expect(err.digest('hex')).toBe(want('0123456\n'));
    } finally {
      await snap.cleanup();
    }
  }, 60_000);

  it('the helper killed mid-RUN fails the step and leaves no container or runtime behind; the next RUN works', async () => {
    const snap = await s.prepare([base]);
    try {
      const helper = sysHelper();
      expect(helper?.pid).toBeDefined();
      const started = Date.now();
      const run = runContainer({
        rootfs: snap.mountpoint, args: ['/bin/sh', '-c', 'echo ready; sleep 30'], env: ['PATH=/usr/bin:/bin'],
        stdout: (d) => { if (d.toString().includes('ready')) process.kill(helper!.pid!, 'SIGKILL'); },
        stderr: () => undefined,
      });
      await expect(run).rejects.toThrow(/syscall helper/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
      for (let i = 0; i < 50 && spawnSync('pgrep', ['-f', `slipway-${process.pid}-`]).status === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(spawnSync('pgrep', ['-f', `slipway-${process.pid}-`]).status).toBe(1);
      let out = '';
      const again = await runContainer({
        rootfs: snap.mountpoint, args: ['/bin/sh', '-c', 'echo again'], env: ['PATH=/usr/bin:/bin'],
        stdout: (d) => { out += d.toString(); }, stderr: () => undefined,
      });
      expect([again.exitCode, out]).toEqual([0, 'again\n']);
    } finally {
      await snap.cleanup();
    }
  }, 60_000);
});
