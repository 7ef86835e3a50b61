// Integration: busybox base unpacked as a snapshot, RUN steps in runc/crun over overlayfs
// (and the copying snapshotter), layers diffed to tars.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessExitError, processExitMessage } from '../../../src/solver/executor/exit-error.js';
import { isExecFailure, pruneStaleContainers, runContainer, writeNetworkFiles, type RunContainerOptions } from '../../../src/solver/executor/run-container.js';
import { hostsFile } from '../../../src/solver/executor/network-files.js';
import { buildSpec } from '../../../src/solver/executor/spec.js';
import { applyLayer } from '../../../src/solver/layer/apply-layer.js';
import { writeLayerTar } from '../../../src/solver/layer/write-layer.js';
import { mountsUnder } from '../../../src/solver/snapshot/overlay-mount.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';
import { makeBusyboxRootfs, requireTool } from '../../helpers/busybox-rootfs.js';
import { collect, listTar, tarNames } from '../snapshot/tar-fixtures.js';
import { listTree } from '../snapshot/tree-listing.js';

requireTool('runc', 'apt-get install runc');

let work: string;
let overlay: Snapshotter;
let copying: Snapshotter;
let baseLayer: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'slipway-exec-'));
  const rootfs = makeBusyboxRootfs(path.join(work, 'busybox'));
  const tar = await collect(writeLayerTar({ upperdir: rootfs, lowers: [] }));
  overlay = await Snapshotter.open(path.join(work, 'root'), { kind: 'overlay' });
  copying = await Snapshotter.open(path.join(work, 'root-copy'), { kind: 'copy' });
  baseLayer = (await overlay.unpack('base', [], Readable.from([tar]))).layerDir;
  await copying.unpack('base', [], Readable.from([tar]));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function run(rootfs: string, script: string, extra: Partial<RunContainerOptions> = {}) {
  let stdout = '';
  let stderr = '';
  const res = await runContainer({
    rootfs, args: ['/bin/sh', '-c', script], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    stdout: (d) => { stdout += d.toString(); }, stderr: (d) => { stderr += d.toString(); }, ...extra,
  });
  return { ...res, stdout, stderr };
}

describe('RUN over an overlay snapshot', () => {
  it('turns the changes into a layer with f, bin/.wh.ls, d/ and no hosts/resolv.conf stubs', async () => {
    const snap = await overlay.prepare([baseLayer]);
    let committed = false;
    try {
      const res = await run(snap.mountpoint, 'echo hi > /f; rm /bin/ls; mkdir /d; cat /etc/hosts; hostname');
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain('127.0.0.1\tlocalhost buildkitsandbox');
      expect(res.stdout.trim().split('\n').pop()).toBe('buildkitsandbox');
      const layer = await snap.commit('run1');
      committed = true;
      const tar = await collect(overlay.diff(layer, [baseLayer]));
      expect(await tarNames(tar)).toEqual(['bin/', 'bin/.wh.ls', 'd/', 'f']);
      // Deterministic: diffing the same layer again gives the same bytes.
      expect((await collect(overlay.diff(layer, [baseLayer]))).equals(tar)).toBe(true);
      expect(existsSync(path.join(layer, 'etc/hosts'))).toBe(false);
      expect(existsSync(path.join(layer, 'etc/resolv.conf'))).toBe(false);
    } finally {
      if (!committed) await snap.cleanup();
    }
  }, 20_000);

  it('writes .wh..wh..opq for a directory removed and recreated, and applies to the same tree', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      expect((await run(snap.mountpoint, 'rm -rf /usr/sbin && mkdir /usr/sbin && echo x > /usr/sbin/new')).exitCode).toBe(0);
      const layer = await snap.commit('run-opq');
      const tar = await collect(overlay.diff(layer, [baseLayer]));
      expect(await tarNames(tar)).toEqual(['usr/', 'usr/sbin/', 'usr/sbin/.wh..wh..opq', 'usr/sbin/new']);
      // Recorded with the snapshot, so later diffs over this layer need no xattr walk.
      expect(JSON.parse(readFileSync(path.join(layer, '..', 'opaque.json'), 'utf8'))).toEqual(['usr/sbin']);
      const flat = path.join(work, 'flat-opq');
      mkdirSync(flat);
      await applyLayer(Readable.from([await collect(writeLayerTar({ upperdir: baseLayer, lowers: [] }))]), flat, { whiteouts: 'flatten' });
      await applyLayer(Readable.from([tar]), flat, { whiteouts: 'flatten' });
      expect(readdirSync(path.join(flat, 'usr/sbin'))).toEqual(['new']);
      expect(readdirSync(path.join(flat, 'usr/bin')).length).toBeGreaterThan(50);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('renaming a lower directory and chmod of a lower file give full entries (no redirect/metacopy)', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      expect((await run(snap.mountpoint, 'mv /usr/sbin /sbin2 && chmod 700 /bin/busybox')).exitCode).toBe(0);
      const layer = await snap.commit('run-mv');
      const entries = await listTar(await collect(overlay.diff(layer, [baseLayer])));
      const names = entries.map((e) => e.header.name);
      expect(names).toContain('usr/.wh.sbin');
      expect(names).toContain('sbin2/');
      expect(names.filter((n) => n.startsWith('sbin2/')).length).toBe(readdirSync(path.join(baseLayer, 'usr/sbin')).length + 1);
      const bb = entries.find((e) => e.header.name === 'bin/busybox');
      expect(bb?.header.mode).toBe(0o700);
      expect(bb?.content.equals(readFileSync('/bin/busybox'))).toBe(true);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('stacks layers: a second RUN sees the first one, through relative lowerdirs', async () => {
    const second = await overlay.prepare([baseLayer, overlay.layerDir('run1')]);
    try {
      const res = await run(second.mountpoint, 'cat /f; test -e /bin/ls && echo ls-present || echo ls-gone; test -d /d && echo d');
      expect(res.stdout.split('\n')).toEqual(['hi', 'ls-gone', 'd', '']);
    } finally {
      await second.cleanup();
    }
  }, 20_000);

  it('reports the exit code and BuildKit\'s message; no mount-point stubs stay for bind mounts', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const src = mkdtempSync(path.join(work, 'bind-'));
      writeFileSync(path.join(src, 'data'), 'bound');
      const res = await run(snap.mountpoint, 'cat /mnt/in/deep/data; exit 3', {
        mounts: [{ type: 'bind', source: src, destination: '/mnt/in/deep', readonly: true },
          { type: 'tmpfs', destination: '/scratch', options: ['size=1m'] }],
      });
      expect(res.exitCode).toBe(3);
      expect(res.stdout).toBe('bound');
      // `run` removed the container itself: no forced delete is needed after a process's exit code.
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
      expect(processExitMessage(['/bin/sh', '-c', 'cat "x"; exit 3'], 3))
        .toBe('process "/bin/sh -c cat \\"x\\"; exit 3" did not complete successfully: exit code: 3');
      expect(new ProcessExitError(['/bin/true'], 1).message).toContain('exit code: 1');
      const layer = await snap.commit('run-bind');
      expect(await tarNames(await collect(overlay.diff(layer, [baseLayer])))).toEqual([]);
      // docker 20.10's BuildKit kept user mount targets; that behaviour is available on request.
      const keep = await overlay.prepare([baseLayer]);
      try {
        await run(keep.mountpoint, 'true', { mounts: [{ type: 'tmpfs', destination: '/cache/x' }], keepMountStubs: true });
        const kept = await keep.commit('run-keep');
        expect(await tarNames(await collect(overlay.diff(kept, [baseLayer])))).toEqual(['cache/', 'cache/x/']);
      } finally {
        await keep.cleanup();
      }
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('resolves users through the rootfs and creates a missing cwd owned by the user', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      expect((await run(snap.mountpoint, 'id', { user: 'app' })).stdout.trim())
        .toBe('uid=1000(app) gid=1000(app) groups=10(wheel),50(staff),1000(app)'); // the kernel sorts groups
      expect((await run(snap.mountpoint, 'id', { user: '1000:staff' })).stdout.trim())
        .toBe('uid=1000(app) gid=50(staff) groups=50(staff)');
      expect((await run(snap.mountpoint, 'id -u; id -g', { user: '4242' })).stdout).toBe('4242\n0\n');
      const cwd = await run(snap.mountpoint, 'pwd; stat -c %u:%g .', { user: 'app', cwd: '/work/dir' });
      expect(cwd.stdout).toBe('/work/dir\n1000:1000\n');
      await expect(run(snap.mountpoint, 'id', { user: 'ghost' })).rejects.toThrow(/unable to find user ghost/);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('network none has only the loopback interface; host network sees the host\'s', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const list = 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "';
      expect((await run(snap.mountpoint, list, { network: 'none' })).stdout.trim()).toBe('lo');
      const hostIfaces = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0]?.trim());
      expect((await run(snap.mountpoint, list, { network: 'host' })).stdout.trim().split('\n').sort()).toEqual(hostIfaces.sort());
      const resolv = (await run(snap.mountpoint, 'cat /etc/resolv.conf', { network: 'none' })).stdout;
      expect(resolv).not.toMatch(/nameserver 127\./);
      expect(resolv).toMatch(/nameserver/);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('abort kills the container within a second and leaves no container behind', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const ac = new AbortController();
      let started = false;
      const p = run(snap.mountpoint, 'echo started; sleep 30', { signal: ac.signal, stdout: () => { started = true; } });
      const t0 = Date.now();
      while (!started && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(started).toBe(true);
      const abortAt = Date.now();
      ac.abort(new Error('cancelled by test'));
      await expect(p).rejects.toThrow('cancelled by test');
      expect(Date.now() - abortAt).toBeLessThan(1000);
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('sets up /dev, /proc and /sys like BuildKit, streams to Writables, reports runtime failures', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const chunks: Buffer[] = [];
      const stdout = new PassThrough();
      stdout.on('data', (d: Buffer) => chunks.push(d));
      const script = 'ls /dev; grep -E " /(dev/shm|dev/pts|dev/mqueue|sys|proc) " /proc/mounts | cut -d" " -f2,3 | sort; ' +
        'grep -q "^/sys sysfs ro" /proc/mounts 2>/dev/null; grep " /sys " /proc/mounts | grep -q "ro," && echo sys-ro';
      const res = await runContainer({ rootfs: snap.mountpoint, args: ['/bin/sh', '-c', script], stdout });
      expect(res.exitCode).toBe(0);
      const out = Buffer.concat(chunks).toString();
      for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'mqueue']) expect(out.split('\n')).toContain(dev);
      expect(out).toContain('/dev/shm tmpfs');
      expect(out).toContain('/dev/pts devpts');
      expect(out).toContain('/proc proc');
      expect(out).toContain('sys-ro');
      // A process runc cannot exec fails like BuildKit's: runc's exit status 1 is the exit code,
      // runc's message goes to the process's stderr.
      const errChunks: Buffer[] = [];
      const stderr = new PassThrough();
      stderr.on('data', (d: Buffer) => errChunks.push(d));
      await expect(runContainer({ rootfs: snap.mountpoint, args: ['/no/such/binary'], stderr }))
        .resolves.toEqual({ exitCode: 1 });
      expect(Buffer.concat(errChunks).toString()).toMatch(/no such file or directory/);
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
      const aborted = new AbortController();
      aborted.abort(new Error('early'));
      await expect(runContainer({ rootfs: snap.mountpoint, args: ['/bin/true'], signal: aborted.signal })).rejects.toThrow('early');
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('runs the same with the syscall helper off (Node spawns the runtime); an abort mid-run kills the container', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const script = 'echo out; echo err >&2; exit 3';
      // What the process inherits through the runtime: ignored and blocked signals (the
      // helper ignores INT, TERM, HUP and QUIT itself), umask, open descriptors, limits.
      const inherited = "grep -E '^(SigIgn|SigBlk|Umask)' /proc/self/status; ls /proc/self/fd | wc -l; ulimit -n; ulimit -s; ulimit -c";
      const viaHelper = await run(snap.mountpoint, script);
      const stateViaHelper = await run(snap.mountpoint, inherited);
      process.env.SLIPWAY_SYSHELPER = '0';
      let viaNode;
      let stateViaNode;
      try {
        viaNode = await run(snap.mountpoint, script);
        stateViaNode = await run(snap.mountpoint, inherited);
      } finally {
        delete process.env.SLIPWAY_SYSHELPER;
      }
      expect(viaHelper).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
      expect(viaNode).toEqual(viaHelper);
      expect(stateViaHelper.stdout).toMatch(/SigIgn:\s+0+\n/);
      expect(stateViaHelper).toEqual(stateViaNode);
      const abort = new AbortController();
      const started = Date.now();
      const long = run(snap.mountpoint, 'echo ready; sleep 30', {
        signal: abort.signal, stdout: (d) => { if (d.toString().includes('ready')) abort.abort(new Error('stop')); },
      });
      await expect(long).rejects.toThrow('stop');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
    } finally {
      await snap.cleanup();
    }
  }, 30_000);

  it('leaves the bundle files in a given directory when asked (its owner removes it)', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const dir = mkdtempSync(path.join(work, 'leave-'));
      expect((await run(snap.mountpoint, 'true', { bundleDir: dir, leaveBundleFiles: true })).exitCode).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['config.json', 'hosts', 'resolv.conf', 'runtime.log']);
      // Network files written ahead (while the rootfs mounts) are the ones the container gets.
      const ahead = mkdtempSync(path.join(work, 'ahead-'));
      writeNetworkFiles(ahead, { hostname: 'early', extraHosts: [{ host: 'db', ip: '10.0.0.9' }] });
      const res = await run(snap.mountpoint, 'cat /etc/hosts; hostname', { bundleDir: ahead, networkFilesWritten: true, hostname: 'early',
        extraHosts: [{ host: 'db', ip: '10.0.0.9' }] });
      expect(res.stdout).toBe(`${hostsFile('early', [{ host: 'db', ip: '10.0.0.9' }])}early\n`);
      expect(readdirSync(ahead)).toEqual([]);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('writes the bundle into a given directory and leaves it as it was; its own bundle dir goes away', async () => {
    const snap = await overlay.prepare([baseLayer]);
    try {
      const dir = mkdtempSync(path.join(work, 'given-'));
      writeFileSync(path.join(dir, 'secret-1'), 'kept');
      const res = await run(snap.mountpoint, 'cat /run/s; cat /etc/hosts', {
        bundleDir: dir, mounts: [{ type: 'bind', source: path.join(dir, 'secret-1'), destination: '/run/s', readonly: true }],
      });
      expect(res.stdout).toBe(`kept${hostsFile()}`);
      expect(readdirSync(dir)).toEqual(['secret-1']);
      const stateDir = mkdtempSync(path.join(work, 'state-'));
      expect((await run(snap.mountpoint, 'exit 5', { stateDir })).exitCode).toBe(5);
      await expect(run(snap.mountpoint, 'true', { stateDir, user: 'ghost' })).rejects.toThrow(/unable to find user ghost/);
      await expect(runContainer({ rootfs: snap.mountpoint, args: ['/no/such/binary'], stateDir })).resolves.toEqual({ exitCode: 1 });
      await expect(runContainer({ rootfs: snap.mountpoint, args: ['/bin/true'], stateDir, mounts: [{ type: 'bind', source: path.join(dir, 'no-such-source'), destination: '/mnt/x' }] })).rejects.toThrow(/runc failed/);
      expect(readdirSync(stateDir)).toEqual([]);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('kills and deletes containers orphaned by a dead slipway process', async () => {
    const snap = await overlay.prepare([baseLayer]);
    const bundle = mkdtempSync(path.join(work, 'orphan-'));
    try {
      writeFileSync(path.join(bundle, 'hosts'), hostsFile());
      writeFileSync(path.join(bundle, 'resolv.conf'), '');
      const spec = buildSpec({
        rootfs: snap.mountpoint, args: ['/bin/sleep', '30'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [0],
        hostname: 'x', network: 'none', hostsPath: path.join(bundle, 'hosts'), resolvConfPath: path.join(bundle, 'resolv.conf'), mounts: [],
      });
      writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
      const deadPid = spawnSync('true').pid as number;
      const id = `slipway-${deadPid}-0123456789ab`;
      execFileSync('runc', ['run', '--detach', '--bundle', bundle, id], { stdio: 'ignore' });
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).toContain(id);
      expect(await pruneStaleContainers('runc')).toEqual([id]);
      expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(id);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);

  it('after a build is killed with SIGKILL mid-RUN, the next start removes its container, mount and temp dir', async () => {
    const bundleDir = mkdtempSync(path.join(work, 'crash-'));
    const script = path.join(bundleDir, 'child.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./crash-child.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm',
      outfile: script, logLevel: 'silent',
    });
    const root = path.join(work, 'root');
    const stateDir = mkdtempSync(path.join(work, 'state-'));
    const child = spawn(process.execPath, [script, root, JSON.stringify([baseLayer])],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: stateDir } });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child.on('exit', () => reject(new Error('child exited before the RUN step started')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphan = `slipway-${child.pid}-`;
    expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).toContain(orphan);
    expect((await mountsUnder(overlay.dir)).length).toBeGreaterThan(0);

    expect(readdirSync(stateDir).filter((n) => n.startsWith(`slipway-run-${child.pid}-`))).toHaveLength(1);
    const pruned = await pruneStaleContainers('runc', stateDir);
    expect(readdirSync(stateDir)).toEqual([]);
    expect(pruned.some((id) => id.startsWith(orphan))).toBe(true);
    await Snapshotter.open(root, { kind: 'overlay' });
    expect(await mountsUnder(overlay.dir)).toEqual([]);
    expect(readdirSync(overlay.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(orphan);
  }, 30_000);

  it('runs under crun (through the hybrid-cgroup workaround when needed)', async () => {
    requireTool('crun', 'apt-get install crun');
    const snap = await overlay.prepare([baseLayer]);
    try {
      const res = await run(snap.mountpoint, 'echo via-crun; exit 7', { runtime: 'crun', network: 'none' });
      expect(res.stdout).toBe('via-crun\n');
      expect(res.exitCode).toBe(7);
      // `crun run` removed the container itself, like runc: no forced delete after an exit code.
      expect(execFileSync('crun', ['list', '-q'], { encoding: 'utf8' })).not.toContain(`slipway-${process.pid}-`);
    } finally {
      await snap.cleanup();
    }
  }, 20_000);
});

describe('copying snapshotter', () => {
  it('gives the same layer bytes as overlay for the same changes (mtimes clamped)', async () => {
    const script = 'echo hi > /f; rm /bin/ls; mkdir /d; chmod 700 /d; ln /f /d/hard; ln -s /f /d/sym';
    const tars: Buffer[] = [];
    for (const s of [overlay, copying]) {
      const base = s.layerDir('base');
      const snap = await s.prepare([base]);
      try {
        expect((await run(snap.mountpoint, script)).exitCode).toBe(0);
        const layer = await snap.commit('same-changes');
        tars.push(await collect(s.diff(layer, [base], { epoch: 1 })));
      } finally {
        await snap.cleanup();
      }
    }
    expect(await tarNames(tars[0] as Buffer)).toEqual(['bin/', 'bin/.wh.ls', 'd/', 'd/hard', 'd/sym', 'f']);
    expect((tars[1] as Buffer).equals(tars[0] as Buffer)).toBe(true);
  }, 30_000);

  it('commits atomically: nothing is published under the id until commit, temp dirs are gone after', async () => {
    const snap = await copying.prepare([copying.layerDir('base')]);
    expect(await copying.has('atomic')).toBe(false);
    await run(snap.mountpoint, 'echo x > /x');
    await snap.commit('atomic');
    expect(await copying.has('atomic')).toBe(true);
    expect(readdirSync(copying.dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(listTree(copying.layerDir('atomic'))).toHaveProperty('x');
  }, 20_000);
});

describe('isExecFailure', () => {
  it('tells a process the runtime could not exec from other runtime failures', () => {
    expect(isExecFailure('runc run failed: unable to start container process: exec: "/busybox/mkdir": stat /busybox/mkdir: no such file or directory')).toBe(true);
    expect(isExecFailure('runc run failed: unable to start container process: error during container init: exec: "/x.sh": permission denied')).toBe(true);
    expect(isExecFailure('container_linux.go:380: starting container process caused: exec: "/bin/sh": stat /bin/sh: no such file or directory')).toBe(true);
    expect(isExecFailure('executable file `/no/such` not found in $PATH: No such file or directory')).toBe(true);
    expect(isExecFailure('runc run failed: unable to start container process: error during container init: error mounting "proc" to rootfs at "/proc": permission denied')).toBe(false);
    expect(isExecFailure('runc create failed: unable to create new parent process: namespaces: cgroup: operation not permitted')).toBe(false);
  });
});
