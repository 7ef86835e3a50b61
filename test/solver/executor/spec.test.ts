import { describe, expect, it } from 'vitest';
import { canonicalIP, hostResolvConfPath, hostsFile, resolvConfFor } from '../../../src/solver/executor/network-files.js';
import { clampRlimits, hardLimits } from '../../../src/solver/executor/rlimits.js';
import { runtimeCommand } from '../../../src/solver/executor/runtime.js';
import { DEFAULT_CAPABILITIES, buildSpec } from '../../../src/solver/executor/spec.js';

const base = {
  rootfs: '/r', args: ['/bin/sh', '-c', 'true'], env: ['A=1'], cwd: '/w', uid: 1, gid: 2, additionalGids: [2],
  hostname: 'buildkitsandbox', hostsPath: '/b/hosts', resolvConfPath: '/b/resolv.conf', mounts: [],
};

describe('OCI spec', () => {
  it('matches BuildKit defaults: namespaces, mounts, caps, no resources or rlimits', () => {
    const spec = buildSpec({ ...base, network: 'none' });
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(spec.mounts.map((m) => m.destination)).toEqual(
      ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/etc/resolv.conf', '/etc/hosts', '/sys/fs/cgroup']);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')).toMatchObject({ source: '/b/hosts', options: ['nosuid', 'noexec', 'nodev', 'rbind', 'ro'] });
    expect(spec.process.capabilities.bounding).toEqual(DEFAULT_CAPABILITIES);
    expect(DEFAULT_CAPABILITIES).not.toContain('CAP_SYS_ADMIN');
    expect(spec.process.rlimits).toBeUndefined();
    expect(spec.linux).not.toHaveProperty('resources');
    expect(spec.process.user).toEqual({ uid: 1, gid: 2, additionalGids: [2] });
    expect(buildSpec({ ...base, network: 'host' }).linux.namespaces.map((n) => n.type)).not.toContain('network');
    // A cgroup namespace where BuildKit adds one (cgroup v2 hosts).
    expect(spec.linux.namespaces.map((n) => n.type)).not.toContain('cgroup');
    expect(buildSpec({ ...base, network: 'none', cgroupNamespace: true }).linux.namespaces.map((n) => n.type)).toContain('cgroup');
  });
});

describe('rlimits', () => {
  it('reads hard limits from /proc/self/limits and clamps requests to them', () => {
    const text = 'Limit                     Soft Limit           Hard Limit           Units\n' +
      'Max open files            1024                 20000                files\n' +
      'Max processes             96365                96365                processes\n' +
      'Max core file size        0                    unlimited            bytes\n';
    const limits = hardLimits(text);
    expect(limits.get('RLIMIT_NOFILE')).toBe(20000);
    expect(limits.get('RLIMIT_CORE')).toBe(Infinity);
    expect(clampRlimits([{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 100 }], limits))
      .toEqual([{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 100 }]);
    expect(hardLimits().get('RLIMIT_NOFILE')).toBeGreaterThan(0);
  });
});

describe('hosts and resolv.conf', () => {
  it('generates BuildKit\'s hosts file', () => {
    expect(hostsFile()).toBe('127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    expect(hostsFile('h', [{ host: 'reg', ip: '10.0.0.2' }])).toBe('127.0.0.1\tlocalhost h\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.2\treg\n');
    // Addresses as Go's net.IP prints them.
    expect(hostsFile('h', [{ host: 'a', ip: '2001:0DB8::0001' }, { host: 'b', ip: '::ffff:10.0.0.3' }]))
      .toBe('127.0.0.1\tlocalhost h\n::1\tlocalhost ip6-localhost ip6-loopback\n2001:db8::1\ta\n10.0.0.3\tb\n');
  });

  it('drops loopback resolvers unless on the host network, with public fallbacks, in BuildKit\'s own form', () => {
    // BuildKit's resolvconf package writes the file back without comments: nameservers, the
    // last search, all options, then unknown lines (Generate(false)).
    const host = '# managed by systemd-resolved\n\nsearch example.com\nnameserver 127.0.0.53\noptions edns0\n';
    expect(resolvConfFor(host, 'host')).toBe('nameserver 127.0.0.53\nsearch example.com\noptions edns0\n');
    const fallback = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\n';
    for (const mode of ['sandbox', 'none'] as const) {
      expect(resolvConfFor(host, mode)).toBe(`${fallback}search example.com\noptions edns0\n`);
    }
    expect(resolvConfFor('nameserver 10.0.0.1\nnameserver ::1\n', 'sandbox')).toBe('nameserver 10.0.0.1\n');
    expect(resolvConfFor('options a\nnameserver 1.1.1.1\nsearch x\nsortlist 10.0.0.0\n  nameserver  9.9.9.9 \r\ndomain y z\noptions b c\n; c\n', 'host'))
      .toBe('nameserver 1.1.1.1\nnameserver 9.9.9.9\nsearch y z\noptions a b c\nsortlist 10.0.0.0\n');
    // No nameserver at all: the fallbacks even on the host network; a missing file likewise.
    expect(resolvConfFor('search a\n', 'host')).toBe(`${fallback}search a\n`);
    expect(resolvConfFor('', 'none')).toBe(fallback);
    // Invalid addresses are dropped, others printed as Go prints them.
    expect(resolvConfFor('nameserver bogus\nnameserver 1.2.3.04\nnameserver 2001:0DB8:0:0:0:0:0:1\nnameserver ::ffff:7f00:1\nnameserver fe80::1%eth0\n', 'sandbox'))
      .toBe('nameserver 2001:db8::1\nnameserver fe80::1%eth0\n');
  });

  it('prints addresses as netip does', () => {
    expect(canonicalIP('10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIP('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalIP('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIP('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(canonicalIP('::1.2.3.4')).toBe('::102:304');
    expect(canonicalIP('::FFFF:1.2.3.4')).toBe('::ffff:1.2.3.4');
    expect(canonicalIP('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
    expect(canonicalIP('1.2.3.4%eth0')).toBeUndefined();
    expect(canonicalIP('::1%')).toBeUndefined();
    expect(canonicalIP('1::2::3')).toBeUndefined();
  });

  it('reads systemd-resolved\'s upstream file off the host network when /etc/resolv.conf names only its stub', () => {
    const stub = 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n';
    expect(hostResolvConfPath('sandbox', () => stub)).toBe('/run/systemd/resolve/resolv.conf');
    expect(hostResolvConfPath('none', () => stub)).toBe('/run/systemd/resolve/resolv.conf');
    expect(hostResolvConfPath('host', () => stub)).toBe('/etc/resolv.conf');
    expect(hostResolvConfPath('sandbox', () => `${stub}nameserver 10.0.0.1\n`)).toBe('/etc/resolv.conf');
    expect(hostResolvConfPath('sandbox', () => undefined)).toBe('/etc/resolv.conf');
  });
});

describe('runtime command lines', () => {
  it('runs runc directly with a JSON log, crun through the hybrid wrapper when needed', () => {
    expect(runtimeCommand('runc', '/b/log', ['run', '--bundle', '/b', 'id'])).toEqual(
      { cmd: 'runc', args: ['--log', '/b/log', '--log-format', 'json', 'run', '--bundle', '/b', 'id'] });
    const crun = runtimeCommand('crun', '/b/log', ['kill', 'id', 'KILL']);
    expect(crun.args.slice(-3)).toEqual(['kill', 'id', 'KILL']);
    expect(['crun', 'unshare']).toContain(crun.cmd);
  });
});
