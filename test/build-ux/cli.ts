// Runs the real ./bin/slipway for the build UX tests, with optional stdin and environment.
import { spawn, spawnSync } from 'node:child_process';
import { BIN } from '../solver/build/slipway.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function slipway(root: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const r = spawnSync(BIN, ['--root', root, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The plain progress lines of the step whose header starts with `prefix` (`#N …` lines, prefix removed). */
export function stepLines(stderr: string, prefix: string): string[] {
  const header = new RegExp(`^#(\\d+) ${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm').exec(stderr);
  if (!header) return [];
  const n = header[1];
  return stderr.split('\n').filter((l) => l.startsWith(`#${n} `)).map((l) => l.slice(`#${n} `.length));
}

/** As slipway(), without blocking the event loop (for servers running in the test process). */
export function slipwayAsync(root: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['--root', root, ...args], { env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
