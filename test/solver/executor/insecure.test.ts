// RUN --security=insecure: the spec BuildKit's generateSecurityOpts makes for it (all
// capabilities, no masked/read-only paths, writable sysfs/cgroupfs, the extra devices), and
// a container run with it (a sandboxed one cannot mount; an insecure one can).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityBound, firstFreeLoop, runningInUserNS } from '../../../src/solver/executor/insecure-host.js';
import { runContainer, type RunContainerOptions } from '../../../src/solver/executor/run-container.js';
import { DEFAULT_CAPABILITIES, INSECURE_CAPABILITIES, buildSpec, insecureDevices } from '../../../src/solver/executor/spec.js';
import { writeLayerTar } from '../../../src/solver/layer/write-layer.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { makeBusyboxRootfs, requireTool } from '../../helpers/busybox-rootfs.js';
import { collect } from '../snapshot/tar-fixtures.js';

const base = {
  rootfs: '/r', args: ['/bin/sh'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [0],
  hostname: 'buildkitsandbox', hostsPath: '/b/hosts', resolvConfPath: '/b/resolv.conf', mounts: [], network: 'none' as const,
};

describe('insecure spec', () => {
  it('is the sandbox spec unless asked', () => {
    expect(buildSpec(base)).toEqual(buildSpec({ ...base, security: 'sandbox' }));
    const sandbox = buildSpec(base);
    expect(sandbox.process.capabilities).toEqual({ bounding: DEFAULT_CAPABILITIES, effective: DEFAULT_CAPABILITIES, permitted: DEFAULT_CAPABILITIES });
    expect(sandbox.linux.devices).toBeUndefined();
  });

  it('grants every capability in every set, unmasks /proc, makes sysfs and cgroupfs writable, adds devices', () => {
    const spec = buildSpec({ ...base, security: 'insecure', insecureHost: { devices: insecureDevices(2) } });
    const caps = spec.process.capabilities;
    expect(caps.bounding).toContain('CAP_SYS_ADMIN');
    expect(new Set(caps.bounding)).toEqual(new Set([...DEFAULT_CAPABILITIES, ...INSECURE_CAPABILITIES]));
    expect(caps.bounding.length).toBe(new Set(caps.bounding).size);
    expect(caps.effective).toEqual(caps.bounding);
    expect(caps.permitted).toEqual(caps.bounding);
    expect(caps.ambient).toEqual(INSECURE_CAPABILITIES);
    expect(caps.inheritable).toEqual(INSECURE_CAPABILITIES);
    expect(INSECURE_CAPABILITIES.length).toBe(38);
    expect(spec.linux.maskedPaths).toEqual([]);
    expect(spec.linux.readonlyPaths).toEqual([]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toEqual(['nosuid', 'noexec', 'nodev', 'rw']);
    expect(spec.mounts.find((m) => m.destination === '/sys/fs/cgroup')?.options).toEqual(['rw', 'nosuid', 'noexec', 'nodev']);
    // The hosts/resolv.conf binds stay read-only.
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')?.options).toContain('ro');
    expect(spec.linux.devices?.map((d) => d.path)).toEqual([
      '/dev/kmsg', '/dev/cuse', '/dev/fuse', '/dev/kvm', '/dev/net/tun', '/dev/loop-control',
      ...Array.from({ length: 10 }, (_, i) => `/dev/loop${i}`),
    ]);
    expect(spec.linux.resources?.devices).toEqual([{ allow: true, type: 'c', access: 'rwm' }, { allow: true, type: 'b', access: 'rwm' }]);
    expect(buildSpec({ ...base, security: 'insecure' }).linux.devices).toBeUndefined();
  });

  it('leaves out what the bounding set does not hold (granting it fails the container)', () => {
    const noSysResource = 0x000001fffeffffffn;
    expect(capabilityBound('CapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n')).toBe(noSysResource);
    const caps = buildSpec({ ...base, security: 'insecure', insecureHost: { devices: [], capabilityBound: noSysResource } }).process.capabilities;
    for (const set of [caps.bounding, caps.effective, caps.permitted, caps.ambient, caps.inheritable]) {
      expect(set).toContain('CAP_SYS_ADMIN');
      expect(set).not.toContain('CAP_SYS_RESOURCE');
    }
    expect(caps.bounding.length).toBe(37);
  });

  it('reads the host as containerd and LOOP_CTL_GET_FREE would', () => {
    expect(runningInUserNS('         0          0 4294967295\n')).toBe(false);
    expect(runningInUserNS('         0       1000          1\n')).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-loops-'));
    try {
      const control = path.join(dir, 'loop-control');
      expect(firstFreeLoop(path.join(dir, 'block'), control)).toBe(0);
      writeFileSync(control, '');
      for (const n of ['loop0', 'loop1', 'loop2', 'vda']) mkdirSync(path.join(dir, 'block', n), { recursive: true });
      mkdirSync(path.join(dir, 'block', 'loop0', 'loop'));
      expect(firstFreeLoop(path.join(dir, 'block'), control)).toBe(1);
      mkdirSync(path.join(dir, 'block', 'loop1', 'loop'));
      mkdirSync(path.join(dir, 'block', 'loop2', 'loop'));
      expect(firstFreeLoop(path.join(dir, 'block'), control)).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('insecure container', () => {
  requireTool('runc', 'apt-get install runc');
  let work: string;
  let snapshotter: Snapshotter;
  let layer: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'slipway-insecure-'));
    const rootfs = makeBusyboxRootfs(path.join(work, 'busybox'));
    snapshotter = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
    layer = (await snapshotter.unpack('base', [], Readable.from([await collect(writeLayerTar({ upperdir: rootfs, lowers: [] }))]))).layerDir;
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function run(script: string, extra: Partial<RunContainerOptions>): Promise<string> {
    const snap = await snapshotter.prepare([layer]);
    try {
      let out = '';
      const res = await runContainer({
        rootfs: snap.mountpoint, args: ['/bin/sh', '-c', script], env: ['PATH=/bin:/usr/bin:/sbin:/usr/sbin'],
        stdout: (d) => { out += d.toString(); }, stderr: (d) => { out += d.toString(); }, ...extra,
      });
      expect(res.exitCode).toBe(0);
      return out;
    } finally {
      await snap.cleanup();
    }
  }

  const probe = 'grep CapEff /proc/self/status; mkdir -p /m; mount -t tmpfs none /m 2>/dev/null && echo mounted || echo no-mount; ' +
    'test -c /dev/fuse && echo fuse || echo no-fuse; touch /sys/kernel/x 2>&1 | grep -q Read-only && echo sys-ro || echo sys-rw';

  it('a sandboxed RUN has the default capabilities; an insecure one all of them, mount, /dev/fuse, writable /sys', async () => {
    expect((await run(probe, {})).split('\n')).toEqual(['CapEff:\t00000000a80425fb', 'no-mount', 'no-fuse', 'sys-ro', '']);
    const out = (await run(probe, { security: 'insecure' })).split('\n');
    expect(BigInt(`0x${out[0]?.split('\t')[1]}`)).toBe(capabilityBound()! & 0x3fffffffffn);
    expect(out.slice(1)).toEqual(['mounted', 'fuse', 'sys-rw', '']);
  }, 30_000);
});
