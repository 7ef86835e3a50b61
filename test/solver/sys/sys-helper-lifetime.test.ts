// The syscall helper never outlives slipway and never keeps it alive, and without perl the
// tools take over. Each case runs in its own bundled Node process (lifetime-child.ts).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-syshelper-life-'));
const script = path.join(work, 'child.mjs');
const tree = path.join(work, 'tree');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await build({
    entryPoints: [fileURLToPath(new URL('./lifetime-child.ts', import.meta.url))], bundle: true, platform: 'node',
    format: 'esm', outfile: script, logLevel: 'silent',
  });
  mkdirSync(tree);
  writeFileSync(path.join(tree, 'f'), '');
  execFileSync('setfattr', ['-n', 'user.k', '-v', 'v', path.join(tree, 'f')]);
});

/** Whether `pid` is gone (a zombie counts as gone: it has exited). */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && !gone(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return gone(pid);
}

interface Report { pid?: number; files: string[]; helperAfter: boolean }

describe('syscall helper lifetime', () => {
  it('an idle helper does not keep Node alive, and exits with it', async () => {
    const out = execFileSync(process.execPath, [script, 'idle', tree], { encoding: 'utf8', timeout: 10_000 });
    const report = JSON.parse(out) as Report;
    expect(report.files).toEqual([path.join(tree, 'f')]);
    expect(report.pid).toBeTypeOf('number');
    expect(await waitGone(report.pid as number)).toBe(true);
  });

  it('exits when its parent is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, [script, 'hold', tree], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const report = JSON.parse(line) as Report;
    expect(gone(report.pid as number)).toBe(false);
    child.kill('SIGKILL');
    expect(await waitGone(report.pid as number)).toBe(true);
  });

  it('without perl on PATH, the tools do the work', () => {
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    for (const tool of ['getfattr', 'setfattr', 'mount', 'umount']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(real, path.join(bin, tool));
    }
    expect(existsSync(path.join(bin, 'perl'))).toBe(false);
    const out = execFileSync(process.execPath, [script, 'idle', tree], {
      encoding: 'utf8', timeout: 10_000, env: { ...process.env, PATH: bin },
    });
    expect(JSON.parse(out)).toEqual({ files: [path.join(tree, 'f')], helperAfter: false });
  });
});
