// `builder prune` / `system prune` through the real CLI: what goes, what stays, that builds
// still work afterwards, and that a prune and builds wait for each other.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskUsage } from '../../../src/store/disk-usage.js';
import { BIN, copyContext, slipwayBuild, tempDir } from '../build/slipway.js';

function cli(root: string, ...args: string[]) {
  return spawnSync(BIN, ['--root', root, ...args], { encoding: 'utf8', timeout: 120_000 });
}

const ls = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : []);

function imageId(root: string, name: string): string {
  const r = cli(root, 'inspect', '--format', '{{.Id}}', name);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

/** A live process that is not a slipway (its pid stands for another build or prune). */
function sleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

/** Runs the command in the background; resolves with its exit code and output. */
function background(args: string[]): { done: Promise<{ code: number | null; out: string; err: string }>; finished: () => boolean } {
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let finished = false;
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    child.on('close', (code) => { finished = true; resolve({ code, out, err }); });
  });
  return { done, finished: () => finished };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('builder prune', () => {
  let root: string;
  let ctx: string;
  beforeAll(() => {
    root = tempDir('prune-root');
    ctx = copyContext('prune');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(ctx, { recursive: true, force: true });
  });

  const build = () => {
    const r = slipwayBuild(root, ['-t', 'prune:test', ctx]);
    expect(r.status, r.stderr).toBe(0);
    return r;
  };

  it('removes step results, records and cache mounts; keeps the base image layers and the images', () => {
    build();
    const id = imageId(root, 'prune:test');
    const before = ls(path.join(root, 'snapshots'));
    expect(before.filter((s) => s.startsWith('r-')).length).toBe(2);
    expect(ls(path.join(root, 'cache', 'mounts')).length).toBe(1);
    const r = cli(root, 'builder', 'prune', '-f');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deleted build cache objects:\n/);
    expect(r.stdout).toMatch(/^mount:[0-9a-f]{32}$/m);
    expect(r.stdout).toMatch(/^Total reclaimed space: \d/m);
    const after = ls(path.join(root, 'snapshots'));
    expect(after).toEqual(before.filter((s) => s.startsWith('l-')));
    expect(ls(path.join(root, 'cache', 'records'))).toEqual([]);
    expect(ls(path.join(root, 'cache', 'mounts'))).toEqual([]);
    // The images do not depend on the build cache.
    expect(imageId(root, 'prune:test')).toBe(id);
    expect(cli(root, 'save', '-o', path.join(root, 'out.tar'), 'prune:test').status).toBe(0);
  });

  it('a build after it runs its steps again and makes the same image', () => {
    const id = imageId(root, 'prune:test');
    const r = build();
    expect(r.stats?.containers).toBe(1);
    expect(imageId(root, 'prune:test')).toBe(id);
    // …and its results are cached again.
    expect(build().stats?.containers).toBe(0);
  });

  it('--filter until= keeps what is newer', () => {
    const r = cli(root, 'builder', 'prune', '-f', '--filter', 'until=1h');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Total reclaimed space: 0B\n');
    expect(build().stats?.containers).toBe(0);
  });

  it('--filter until= goes by last use (BuildKit\'s KeepDuration): a record written long ago that a build read since stays', () => {
    const records = path.join(root, 'cache', 'records');
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    for (const name of ls(records)) {
      const file = path.join(records, name);
      const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...rec, created: twoDaysAgo.toISOString() }));
      utimesSync(file, new Date(), twoDaysAgo); // written two days ago, read (a cache hit) just now
    }
    const r = cli(root, 'builder', 'prune', '-f', '--filter', 'until=24h');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Total reclaimed space: 0B\n');
    expect(build().stats?.containers).toBe(0);
  });

  it('-a also removes the base layers and releases their blobs to image prune', () => {
    const r = cli(root, 'builder', 'prune', '-a', '-f');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^l-[0-9a-f]{64}$/m);
    expect(ls(path.join(root, 'snapshots'))).toEqual([]);
    expect(ls(path.join(root, 'store', 'leases')).filter((n) => n.startsWith('build-cache-'))).toEqual([]);
    // The base image is still in the store: a build unpacks it again from its blobs.
    const again = build();
    expect(again.stats?.containers).toBe(1);
  });

  it('a base layer lease whose snapshot is gone (a prune killed in between) is released by the next prune', () => {
    const leases = path.join(root, 'store', 'leases');
    const lease = `build-cache-l-${'e'.repeat(64)}`;
    writeFileSync(path.join(leases, lease), `sha256:${'f'.repeat(64)}\n`);
    const r = cli(root, 'builder', 'prune', '-f');
    expect(r.status, r.stderr).toBe(0);
    expect(ls(leases)).not.toContain(lease);
    // The leases of the snapshots that stay are kept.
    expect(ls(leases).filter((n) => n.startsWith('build-cache-')).length).toBeGreaterThan(0);
  });

  it('system prune -a leaves no image, blob or snapshot', () => {
    const r = cli(root, 'system', 'prune', '-a', '-f');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deleted Images:\n/);
    expect(r.stdout).toMatch(/^Deleted build cache objects:\n/m);
    expect(ls(path.join(root, 'snapshots'))).toEqual([]);
    expect(ls(path.join(root, 'store', 'blobs', 'sha256'))).toEqual([]);
    expect(cli(root, 'images', '-q').stdout).toBe('');
  });

  it('rejects filters it does not know and sizes it cannot read', () => {
    const bad = cli(root, 'builder', 'prune', '-f', '--filter', 'label=x');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Invalid filter 'label'/);
    const keep = cli(root, 'builder', 'prune', '-f', '--keep-storage', 'lots');
    expect(keep.status).toBe(2);
    expect(keep.stderr).toMatch(/invalid --keep-storage "lots"/);
  });
});

describe('builder prune --keep-storage', () => {
  let root: string;
  let a: string;
  let b: string;
  beforeAll(() => {
    root = tempDir('keep-root');
    a = copyContext('prune');
    b = tempDir('keep-ctx-b');
    writeFileSync(path.join(b, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest\nRUN echo b > /b\nCOPY note.txt /note.txt\n');
    writeFileSync(path.join(b, 'note.txt'), 'b\n');
  });
  afterAll(() => {
    for (const d of [root, a, b]) rmSync(d, { recursive: true, force: true });
  });

  const snapshots = (): string[] => ls(path.join(root, 'snapshots'));
  const build = (ctx: string, tag: string) => {
    const r = slipwayBuild(root, ['-t', tag, ctx]);
    expect(r.status, r.stderr).toBe(0);
    return r;
  };

  it('removes the least recently used cache until the rest fits, and nothing when it fits', async () => {
    build(a, 'keep:a');
    const fromA = new Set(snapshots());
    // A's cache was last used an hour ago: its records, snapshots and cache mount.
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const sub of ['snapshots', 'cache/records', 'cache/mounts']) {
      for (const name of ls(path.join(root, sub))) utimesSync(path.join(root, sub, name), hourAgo, hourAgo);
    }
    build(b, 'keep:b');
    const onlyB = snapshots().filter((id) => !fromA.has(id));
    expect(onlyB.length).toBeGreaterThan(0);
    const bBytes = (await Promise.all(onlyB.map((id) => diskUsage(path.join(root, 'snapshots', id))))).reduce((x, y) => x + y, 0);

    const roomy = cli(root, 'builder', 'prune', '-f', '--max-used-space', '1GB');
    expect(roomy.status, roomy.stderr).toBe(0);
    expect(roomy.stdout).toBe('Total reclaimed space: 0B\n');

    const r = cli(root, 'builder', 'prune', '-f', '--keep-storage', String(bBytes + 1));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deleted build cache objects:\n/);
    expect(r.stdout).toMatch(/^mount:/m);
    // B's steps stay, A's went (the base layer stays: a stored image uses it).
    expect(snapshots().filter((id) => onlyB.includes(id))).toEqual(onlyB);
    const left = snapshots().filter((id) => fromA.has(id));
    expect(left.every((id) => id.startsWith('l-'))).toBe(true);
    expect(ls(path.join(root, 'cache', 'mounts'))).toEqual([]);
    const again = build(b, 'keep:b');
    expect([...again.steps.entries()].filter(([n]) => /RUN|COPY/.test(n)).map(([, s]) => s)).toEqual(['CACHED', 'CACHED']);
    const rebuilt = build(a, 'keep:a');
    expect([...rebuilt.steps.entries()].find(([n]) => n.includes('RUN'))?.[1]).toBe('DONE');
  });

  it('a prune that keeps records does not make them look used (they are read without access times)', () => {
    const records = path.join(root, 'cache', 'records');
    expect(ls(records).length).toBeGreaterThan(0);
    // Under relatime, a read of a file whose atime is not after its mtime sets the atime.
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const name of ls(records)) utimesSync(path.join(records, name), hourAgo, hourAgo);
    const r = cli(root, 'builder', 'prune', '-f', '--filter', 'until=1000h');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Total reclaimed space: 0B\n');
    for (const name of ls(records)) expect(Math.abs(statSync(path.join(records, name)).atimeMs - hourAgo.getTime())).toBeLessThan(1000);
  });

  it('a cache mount a killed prune was removing is not taken for a cache, and the next prune ends its removal', () => {
    // What removeMount leaves when killed between its rename and the end of its rm.
    const leftover = path.join(root, 'cache', 'mounts', '.rm-999999-0123456789ab');
    mkdirSync(path.join(leftover, 'sub'), { recursive: true });
    writeFileSync(path.join(leftover, 'sub', 'f'), 'x');
    const r = cli(root, 'builder', 'prune', '-f', '--filter', 'until=1000h');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Total reclaimed space: 0B\n');
    expect(existsSync(leftover)).toBe(false);
  });
});

describe('builds and prunes wait for each other', () => {
  let root: string;
  let ctx: string;
  beforeAll(() => {
    root = tempDir('prune-wait-root');
    ctx = copyContext('prune');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(ctx, { recursive: true, force: true });
  });

  it('a prune waits while a build (a live user of the cache) runs', async () => {
    const build = slipwayBuild(root, ['-t', 'prune:wait', ctx]);
    expect(build.status, build.stderr).toBe(0);
    const other = sleeper();
    try {
      mkdirSync(path.join(root, 'cache', 'users'), { recursive: true });
      writeFileSync(path.join(root, 'cache', 'users', `${other.pid}-0000`), '');
      const prune = background(['--root', root, 'builder', 'prune', '-f']);
      await pause(1500);
      expect(prune.finished()).toBe(false);
      expect(ls(path.join(root, 'cache', 'records')).length).toBeGreaterThan(0);
      other.kill('SIGKILL');
      const res = await prune.done;
      expect(res.code, res.err).toBe(0);
      expect(res.err).toMatch(/waiting for running builds to finish/);
      expect(ls(path.join(root, 'cache', 'records'))).toEqual([]);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a build waits while a prune holds the lock, then runs', async () => {
    const other = sleeper();
    try {
      writeFileSync(path.join(root, 'cache', 'prune.lock'), `${other.pid}\nabcd\n`);
      const b = background(['--root', root, 'build', '--progress=plain', '-t', 'prune:wait', ctx]);
      await pause(1500);
      expect(b.finished()).toBe(false);
      other.kill('SIGKILL'); // its lock is stale now: the build goes on
      const res = await b.done;
      expect(res.code, res.err).toBe(0);
      expect(res.err).toMatch(/waiting for `builder prune` to finish/);
    } finally {
      other.kill('SIGKILL');
      rmSync(path.join(root, 'cache', 'prune.lock'), { force: true });
    }
  });

  it('a lock left by a killed prune whose pid another process took is stale once untouched (a live prune touches it)', async () => {
    const other = sleeper();
    try {
      mkdirSync(path.join(root, 'cache'), { recursive: true });
      const lock = path.join(root, 'cache', 'prune.lock');
      writeFileSync(lock, `${other.pid}\nabcd\n`);
      const old = new Date(Date.now() - 10 * 60_000);
      utimesSync(lock, old, old);
      const b = background(['--root', root, 'build', '--progress=plain', '-t', 'prune:wait', ctx]);
      const timeout = pause(30_000).then(() => ({ code: -1, out: '', err: 'still waiting' }));
      const res = await Promise.race([b.done, timeout]);
      expect(res.code, res.err).toBe(0);
      expect(res.err).not.toMatch(/waiting for `builder prune`/);
    } finally {
      other.kill('SIGKILL');
      rmSync(path.join(root, 'cache', 'prune.lock'), { force: true });
    }
  });

  it('Ctrl-C ends a build that waits for a prune (exit 130, no user file left)', async () => {
    const other = sleeper();
    try {
      mkdirSync(path.join(root, 'cache'), { recursive: true });
      writeFileSync(path.join(root, 'cache', 'prune.lock'), `${other.pid}\nabcd\n`);
      const child = spawn(BIN, ['--root', root, 'build', '--progress=plain', '-t', 'prune:wait', ctx], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const code = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      for (let i = 0; i < 100 && !err.includes('waiting for `builder prune`'); i++) await pause(50);
      expect(err).toMatch(/waiting for `builder prune` to finish/);
      child.kill('SIGINT');
      const timeout = pause(5000).then(() => 'still running');
      expect(await Promise.race([code, timeout])).toBe(130);
      expect(ls(path.join(root, 'cache', 'users'))).toEqual([]);
    } finally {
      other.kill('SIGKILL');
      rmSync(path.join(root, 'cache', 'prune.lock'), { force: true });
    }
  });
});
