// --add-host, --ulimit, --shm-size: parsed as docker build / buildx parse them, and applied to
// every RUN (/etc/hosts, rlimits, /dev/shm's size).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAddHost, parseShmSize, parseUlimit } from '../../src/cli/commands/build-run-flags.js';
import { slipwayBuild, tempDir } from '../solver/build/slipway.js';

describe('parsing', () => {
  it('--add-host host:ip, host=ip, bracketed IPv6; names lower-cased; bad ones refused', () => {
    expect(parseAddHost('MyHost:10.1.2.3')).toEqual({ host: 'myhost', ip: '10.1.2.3' });
    expect(parseAddHost('a=1.2.3.4')).toEqual({ host: 'a', ip: '1.2.3.4' });
    expect(parseAddHost('v6=[::1]')).toEqual({ host: 'v6', ip: '::1' });
    expect(() => parseAddHost('noip')).toThrow(/expected host:ip/);
    expect(() => parseAddHost('h:300.1.1.1')).toThrow(/is not an IP address/);
    expect(() => parseAddHost('h:host-gateway')).toThrow(/host-gateway is not supported/);
  });

  it('--ulimit name=soft[:hard], -1 unlimited, with docker\'s errors', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ name: 'nofile', soft: 1024, hard: 2048 });
    expect(parseUlimit('nproc=64')).toEqual({ name: 'nproc', soft: 64, hard: 64 });
    expect(parseUlimit('core=-1')).toEqual({ name: 'core', soft: -1, hard: -1 });
    expect(() => parseUlimit('nofiles=1')).toThrow('invalid ulimit type: nofiles');
    expect(() => parseUlimit('nofile')).toThrow('invalid ulimit argument: nofile');
    expect(() => parseUlimit('nofile=2:1')).toThrow('ulimit soft limit must be less than or equal to hard limit: 2 > 1');
    expect(() => parseUlimit('nofile=1:2:3')).toThrow(/too many limit value arguments/);
  });

  it('--shm-size in binary units, b optional', () => {
    expect(parseShmSize('64m')).toBe(64 * 1024 * 1024);
    expect(parseShmSize('1GiB')).toBe(1024 ** 3);
    expect(parseShmSize('512')).toBe(512);
    expect(parseShmSize('1.5k')).toBe(1536);
    expect(() => parseShmSize('lots')).toThrow(/invalid --shm-size/);
  });
});

describe('a build with them', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('gives every RUN the hosts, limits and /dev/shm size', () => {
    const ctx = tempDir('runflags-ctx');
    const root = tempDir('runflags-root');
    const out = tempDir('runflags-out');
    dirs.push(ctx, root, out);
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest\n'
      + "RUN grep myhost /etc/hosts > /hosts; ulimit -n > /nofile; ulimit -c > /core; df -k /dev/shm | tail -1 | awk '{print $2}' > /shm\n");
    const r = slipwayBuild(root, ['--add-host', 'MyHost:10.1.2.3', '--ulimit', 'nofile=512:1024', '--ulimit', 'core=-1',
      '--shm-size', '2m', '-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const read = (f: string) => readFileSync(path.join(out, f), 'utf8').trim();
    expect(read('hosts')).toBe('10.1.2.3\tmyhost');
    expect(read('nofile')).toBe('512');
    // -1 is unlimited, clamped to this process's hard limit (the runtime cannot raise it).
    const coreHard = /^Max core file size\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    expect(read('core')).toBe(coreHard === 'unlimited' ? 'unlimited' : String(Number(coreHard) / 1024));
    expect(read('shm')).toBe('2048');
    // Without the flags: the defaults (64 MiB /dev/shm), and the RUN is another step.
    const plain = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(read('shm')).toBe('65536');
    expect(plain.stats?.containers).toBe(1);
  });
});
