import { describe, expect, it } from 'vitest';
import { filterResolvConf, hostsFile, resolvConfFor } from '../../../src/solver/executor/network-files.js';
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
  });

  it('drops localhost resolvers unless on the host network, with public fallbacks', () => {
    const host = 'search example.com\nnameserver 127.0.0.53\noptions edns0\n';
    expect(resolvConfFor(host, 'host')).toBe(host);
    const filtered = resolvConfFor(host, 'none');
    expect(filtered).not.toContain('127.0.0.53');
    expect(filtered).toContain('search example.com');
    expect(filtered).toContain('nameserver 8.8.8.8');
    expect(filterResolvConf('nameserver 10.0.0.1\nnameserver ::1\n')).toBe('nameserver 10.0.0.1\n');
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
