// Drives the real ./bin/slipway for build tests: a fresh --root per test, the build's
// solver counters (SLIPWAY_STATS_FILE) and its plain progress parsed per step.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';
import type { ConvertResult } from '../../../src/frontend/dockerfile/convert/options.js';
import type { Image } from '../../../src/frontend/dockerfile/image-config.js';
import { resolveImageConfig } from '../../../src/registry/resolve-config.js';
import { REPO_ROOT, testEnv } from '../../helpers/testenv.js';

export const BIN = path.join(REPO_ROOT, 'bin', 'slipway');

export interface BuildRun {
  status: number | null;
  stdout: string;
  stderr: string;
  stats: { containers: number; cached: number; executed: number } | undefined;
  /** Step name → 'CACHED' | 'DONE' | 'ERROR' from the plain progress. */
  steps: Map<string, string>;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `slipway-${prefix}-`));
}

/** A writable copy of testdata/build/<name>. */
export function copyContext(name: string): string {
  const dir = tempDir(`ctx-${name}`);
  cpSync(path.join(REPO_ROOT, 'testdata', 'build', name), dir, { recursive: true });
  return dir;
}

export function parseSteps(progress: string): Map<string, string> {
  const names = new Map<string, string>();
  const steps = new Map<string, string>();
  for (const line of progress.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [, n, rest] = m as unknown as [string, string, string];
    if (!names.has(n)) {
      names.set(n, rest);
      continue;
    }
    const name = names.get(n)!;
    if (rest === 'CACHED') steps.set(name, 'CACHED');
    else if (/^DONE \d/.test(rest)) steps.set(name, 'DONE');
    else if (rest.startsWith('ERROR')) steps.set(name, 'ERROR');
  }
  return steps;
}

export function slipwayBuild(root: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): BuildRun {
  testEnv();
  const statsFile = path.join(root, `stats-${process.pid}.json`);
  rmSync(statsFile, { force: true });
  const r = spawnSync(BIN, ['--root', root, 'build', '--progress=plain', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...opts.env, SLIPWAY_STATS_FILE: statsFile },
    timeout: 120_000,
  });
  let stats: BuildRun['stats'];
  try {
    stats = JSON.parse(readFileSync(statsFile, 'utf8')) as BuildRun['stats'];
  } catch {
    stats = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, stats, steps: parseSteps(r.stderr) };
}

/** Starts a build in the background (for kill tests). */
export function spawnBuild(root: string, args: string[]) {
  return spawn(BIN, ['--root', root, 'build', '--progress=quiet', ...args], { stdio: 'ignore' });
}

/** `find` listing of a directory: path, type, mode, owner, size, link target, plus file checksums. */
export function describeTree(dir: string): string {
  const list = spawnSync('sh', ['-c', `cd "$1" && find . -printf '%p %y %m %U:%G %s %l\\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum`, 'sh', dir], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(list.stderr);
  return list.stdout;
}

/** State of the first step whose progress name starts with `prefix`. */
export function stepState(r: BuildRun, prefix: string): string | undefined {
  for (const [name, state] of r.steps) if (name.startsWith(prefix)) return state;
  return undefined;
}

/** Converts `<ctx>/Dockerfile` with its bases' metadata from `root`'s store (or their registry). */
export async function convertInRoot(root: string, ctx: string): Promise<ConvertResult> {
  return convertDockerfile(readFileSync(path.join(ctx, 'Dockerfile'), 'utf8'), {
    resolveImageConfig: async (ref, { platform }) => {
      const r = await resolveImageConfig(ref, { root, platform });
      return { ref: r.ref, digest: r.targetDigest, config: r.config as unknown as Image };
    },
  });
}
