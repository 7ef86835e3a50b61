// Runs a short-lived helper command (getfattr, mknod, mount, ...) and collects its output.
import { childProcess } from '../../lazy-builtins.js';

export interface ToolResult { stdout: Buffer; stderr: string; code: number | null }

export class ToolMissingError extends Error {}

export function runTool(cmd: string, args: string[], opts: { cwd?: string; hint?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const { spawn } = childProcess();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, ...(opts.env ? { env: opts.env } : {}) });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT'
        ? new ToolMissingError(`\`${cmd}\` is not installed${opts.hint ? ` (${opts.hint})` : ''}`)
        : err);
    });
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code }));
  });
}

/** Runs the command and throws with its stderr when it exits non-zero. */
export async function mustRunTool(cmd: string, args: string[], opts: { cwd?: string; hint?: string } = {}): Promise<Buffer> {
  const res = await runTool(cmd, args, opts);
  if (res.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.code}): ${res.stderr.trim()}`);
  }
  return res.stdout;
}
