// Shared pieces of the reliability suite: contexts written inline, async slipway runs (for
// kills and concurrency), `debug fsck --json`, and directory listings for "nothing written
// outside" checks. Builds go through test/solver/build/slipway.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, tempDir } from '../solver/build/slipway.js';
import { testEnv } from '../helpers/testenv.js';
import type { FsckReport } from '../../src/fsck/fsck.js';

export { BIN, tempDir };

/** The testenv busybox base (deterministic). */
export function base(): string {
  const env = testEnv();
  return `${env.registries.plain}/${env.images.busybox.repository}:${env.images.busybox.tag}`;
}

/** Temp dirs removed after the suite. */
export class Scratch {
  private readonly dirs: string[] = [];

  dir(prefix: string): string {
    const d = tempDir(prefix);
    this.dirs.push(d);
    return d;
  }

  /** A context dir holding `files` (relative path → content). */
  context(prefix: string, files: Record<string, string | Buffer>): string {
    const d = this.dir(prefix);
    for (const [rel, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
      writeFileSync(path.join(d, rel), data);
    }
    return d;
  }

  /**
   * Removes the dirs. A build killed mid-RUN can leave an overlay mount whose container is
   * still finishing: detach such mounts lazily and retry while the directory is busy.
   */
  cleanup(): void {
    for (const d of this.dirs) {
      spawnSync('sh', ['-c', 'grep -o " $1/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l', 'sh', d]);
      rmSync(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    }
  }
}

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs slipway asynchronously (so several can run at once) with a time bound. */
export function slipway(root: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

export interface FsckRun {
  status: number | null;
  report: FsckReport & { ok: boolean };
}

export function fsckRoot(root: string): FsckRun {
  const r = spawnSync(BIN, ['--root', root, 'debug', 'fsck', '--json'], { encoding: 'utf8', timeout: 60_000 });
  let report: FsckRun['report'];
  try {
    report = JSON.parse(r.stdout) as FsckRun['report'];
  } catch {
    throw new Error(`debug fsck printed no JSON (exit ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, report };
}

/** Error findings as readable lines (for assertion messages). */
export function errorLines(run: FsckRun): string[] {
  return run.report.findings.filter((f) => f.severity === 'error').map((f) => `${f.where}: ${f.message}`);
}

/** `find` listing (names, types, sizes, link targets) to prove nothing was written to a dir. */
export function listing(dir: string): string {
  const r = spawnSync('find', [dir, '-printf', '%P %y %s %l\\n'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').sort().join('\n');
}
