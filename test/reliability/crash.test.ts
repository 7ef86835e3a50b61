// Crash consistency: builds SIGKILLed at seeded random moments (pull, RUN, COPY, commit,
// export) never leave an inconsistent store: after each kill `debug fsck` finds no error, and
// the next build succeeds with exactly the image a clean store produces.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, Scratch, base, errorLines, fsckRoot, slipway } from './harness.js';
import { seededRandom } from '../helpers/seeded-random.js';

const KILLS = 10;
const SEED = Number(process.env.SLIPWAY_CRASH_SEED ?? 20261122);
const scratch = new Scratch();
afterAll(() => scratch.cleanup());

function dockerfile(): string {
  return [
    `FROM ${base()} AS gen`,
    'RUN mkdir /gen && for i in $(seq 1 200); do echo "file $i" > /gen/f$i; done && dd if=/dev/zero of=/gen/big bs=1M count=8 2>/dev/null',
    `FROM ${base()}`,
    'COPY data /data/',
    'COPY --from=gen /gen /gen/',
    'RUN cat /data/* | wc -c > /total && rm -rf /usr/sbin',
    '',
  ].join('\n');
}

function buildArgs(ctx: string, extra: string[] = []): string[] {
  return ['build', '-q', '-t', 'crash:test', ...extra, ctx];
}

/** Starts a build and SIGKILLs it after `ms`; resolves with whether the kill interrupted it. */
function killAfter(root: string, ctx: string, ms: number): Promise<boolean> {
  const child = spawn(BIN, ['--root', root, ...buildArgs(ctx, ['--no-cache'])], { stdio: 'ignore' });
  const gone = new Promise<boolean>((resolve) => child.on('close', (_code, signal) => resolve(signal === 'SIGKILL')));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return gone.finally(() => clearTimeout(timer));
}

describe('crash consistency', () => {
  it(`${KILLS} builds SIGKILLed at random points (seed ${SEED}), fsck clean after each, then the reference image`, async () => {
    const files: Record<string, string> = { Dockerfile: dockerfile() };
    for (let i = 0; i < 300; i++) files[`data/d${i}.txt`] = `${i}\n`.repeat(200);
    const ctx = scratch.context('crash-ctx', files);
    const root = scratch.dir('crash-root');
    const clean = scratch.dir('crash-clean');

    const ref = await slipway(clean, buildArgs(ctx));
    expect(ref.status, ref.stderr).toBe(0);
    expect(ref.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    // Kill points are drawn from the duration of a --no-cache build with the base present.
    const t0 = Date.now();
    const timing = await slipway(clean, buildArgs(ctx, ['--no-cache']));
    const full = Date.now() - t0;
    expect(timing.status, timing.stderr).toBe(0);

    const rand = seededRandom(SEED);
    let interrupted = 0;
    for (let i = 0; i < KILLS; i++) {
      if (await killAfter(root, ctx, Math.floor(20 + rand() * full * 0.9))) interrupted++;
      const check = fsckRoot(root);
      expect(errorLines(check), `after kill ${i + 1}`).toEqual([]);
      expect(check.status).toBe(0);
    }

    // Most kills land mid-build (a --no-cache build redoes everything, so takes about `full`).
    expect(interrupted).toBeGreaterThanOrEqual(KILLS / 2);

    const after = await slipway(root, buildArgs(ctx));
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toBe(ref.stdout);
    const final = fsckRoot(root);
    expect(errorLines(final)).toEqual([]);
    // The build that followed the kills removed the dead builds' snapshot and build temp dirs
    // (dot-temp files of interrupted atomic writes may stay: invisible to readers).
    expect(final.report.findings.filter((f) => /^(snapshots\/\.tmp-|tmp\/)/.test(f.where))).toEqual([]);
  }, 150_000);
});
