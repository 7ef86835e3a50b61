// Processes started through the syscall helper (RUN's runtime): output relayed by stream,
// exit codes and signals, failed execs, the environment, cwd and umask given, default signal
// dispositions, and other requests served while a process runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTreeXattrs } from '../../../src/solver/layer/xattrs.js';
import { findCommand } from '../../../src/solver/executor/find-command.js';
import { SysCallError, sysHelper, type SpawnOptions } from '../../../src/solver/sys/sys-helper.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-syshelper-spawn-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SH = findCommand('sh') as string;

interface Ran { code: number | null; signal: number | null; stdout: string; stderr: string }

async function run(script: string, opts: Partial<SpawnOptions> = {}): Promise<Ran> {
  const h = sysHelper();
  if (!h) throw new Error('no syscall helper here');
  let stdout = '';
  let stderr = '';
  const exit = await h.spawn(SH, ['sh', '-c', script], {
    cwd: '/', env: ['PATH=/usr/bin:/bin'], umask: 0o022,
    stdout: (b) => { stdout += b.toString(); },
    stderr: (b) => { stderr += b.toString(); },
    ...opts,
  });
  return { ...exit, stdout, stderr };
}

describe('syscall helper spawn', () => {
  it('relays stdout and stderr apart, and the exit code', async () => {
    const r = await run('echo out; echo err >&2; exit 7');
    expect(r).toMatchObject({ code: 7, signal: null, stdout: 'out\n', stderr: 'err\n' });
  });

  it('relays large output whole, and stdin is /dev/null', async () => {
    const r = await run('head -c 3000000 /dev/zero | tr "\\0" x; cat; echo done >&2');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(3_000_000);
    expect(r.stdout).toMatch(/^x+$/);
    expect(r.stderr).toBe('done\n');
  });

  it('gives the environment, cwd and umask asked for, and default signal dispositions', async () => {
    const r = await run('echo "$A|$B|$(pwd)|$(umask)"', { cwd: work, env: ['A=1', 'B=two=2', 'PATH=/usr/bin:/bin'], umask: 0o027 });
    expect(r.stdout).toBe(`1|two=2|${work}|0027\n`);
    // The helper ignores SIGINT (Ctrl-C reaches it too); its processes must not inherit that.
    const killed = await run('kill -INT $$; sleep 5');
    expect(killed).toMatchObject({ code: null, signal: 2 });
  });

  it('rejects a failed exec with its errno', async () => {
    const h = sysHelper()!;
    const none = { cwd: '/', env: [], umask: 0o022, stdout: () => undefined, stderr: () => undefined };
    const err = await h.spawn(path.join(work, 'no-such-binary'), ['x'], none).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysCallError);
    expect((err as SysCallError).errno).toBe(2);
    writeFileSync(path.join(work, 'not-executable'), '#!/bin/sh\n');
    const denied = await h.spawn(path.join(work, 'not-executable'), ['x'], none).catch((e: unknown) => e);
    expect((denied as SysCallError).errno).toBe(13);
    const badCwd = await h.spawn(SH, ['sh', '-c', 'true'], { ...none, cwd: path.join(work, 'missing') }).catch((e: unknown) => e);
    expect((badCwd as SysCallError).errno).toBe(2);
  });

  it('serves other requests while a process runs', async () => {
    writeFileSync(path.join(work, 'f'), '');
    const started = Date.now();
    const long = run('sleep 0.6; echo late');
    const dump = await readTreeXattrs(work);
    expect(dump).toBeInstanceOf(Map);
    expect(Date.now() - started).toBeLessThan(500);
    const [a, b] = await Promise.all([long, run('echo quick')]);
    expect(a.stdout).toBe('late\n');
    expect(b.stdout).toBe('quick\n');
  });
});

describe('findCommand', () => {
  it('finds the first executable file along PATH, skipping directories and non-executables', () => {
    const [a, b, c] = ['path-a', 'path-b', 'path-c'].map((d) => path.join(work, d)) as [string, string, string];
    for (const d of [a, b, c]) mkdirSync(d);
    mkdirSync(path.join(a, 'tool')); // a directory named like the command
    writeFileSync(path.join(b, 'tool'), '#!/bin/sh\n', { mode: 0o644 }); // not executable
    writeFileSync(path.join(c, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findCommand('tool', [a, b, c].join(':'))).toBe(path.join(c, 'tool'));
    expect(findCommand('tool', [a, b].join(':'))).toBeUndefined();
    expect(findCommand('/abs/path/tool', a)).toBe('/abs/path/tool');
  });
});
