#!/usr/bin/env node
// Build benchmark: the refenv examples (../shared/refenv/examples/{multistage,debian}) built
// cold (empty --root: bases pulled from the local registry), fully cached (identical
// rebuild) and after a one-file change (a line appended to a COPYed file), for the whole
// `slipway` process. Median of N runs per column. When the refenv dockerd answers, the
// same is timed with BuildKit there (as ../shared/refenv/bench.sh does it), alternating
// builders run by run, and the Slipway/BuildKit ratios are printed.
// Cold builds start SETTLE seconds after the wipes (--settle, default 35): on ext4 without a
// journal, as here, files created within 30 s of a big deletion take a slow inode search
// (`recently_deleted`), which would charge a builder for deleting the previous run's data.
// Old Slipway roots are removed at the end, after all timings. After the settle each
// builder's client is started once (`slipway version`, `docker version`): on this VM an idle
// half minute drops much of the page cache (Slipway's next start was ~150 ms slower), while
// the BuildKit daemon stays resident. Both commands run the OCI runtime's `--version` (dockerd
// runs `runc --version` for its components list), so both builders' first `runc run` finds
// runc's binary read in alike.
//   node bench/build.mjs [-n 4] [--no-docker] [--examples multistage,debian] [--settle 35]
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, flag } from './lib/args.mjs';
import { median, timed } from './lib/run.mjs';

const N = Number(flag('-n', '4'));
const SETTLE = Number(flag('--settle', '35'));
const repo = new URL('..', import.meta.url).pathname;
const examplesDir = join(repo, '..', 'shared', 'refenv', 'examples');
const examples = flag('--examples', 'multistage,debian').split(',');
const SOCK = '/run/docker-ref.sock';
const DOCKER = '/usr/bin/docker';
const slipway = join(repo, 'bin', 'slipway');
const TAG = 'slipway-bench/out:latest';

function dockerAvailable() {
  if (args.includes('--no-docker') || !existsSync(SOCK)) return false;
  return spawnSync(DOCKER, ['version'], { env: { ...process.env, DOCKER_HOST: `unix://${SOCK}` } }).status === 0;
}

function prepareContext(name) {
  const ctx = mkdtempSync(join(tmpdir(), `slipway-bench-${name}-`));
  cpSync(join(examplesDir, name), ctx, { recursive: true });
  // The debian example COPYs data.txt (refenv README: `seq 1 100000 > data.txt`).
  writeFileSync(join(ctx, 'data.txt'), Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join(''));
  return ctx;
}

const slipwayBuilder = {
  name: 'slipway',
  root: undefined,
  roots: [],
  wipeAll() {
    // A new empty root; the old ones are removed by done(), after the last timing.
    this.root = mkdtempSync(join(tmpdir(), 'slipway-bench-root-'));
    this.roots.push(this.root);
  },
  warm() {
    timed(slipway, ['version']);
  },
  build(ctx) {
    return timed(slipway, ['--root', this.root, 'build', '--network=none', '--progress=plain', '-t', TAG, ctx]);
  },
  done() {
    for (const root of this.roots) rmSync(root, { recursive: true, force: true });
  },
};

const dockerEnv = { DOCKER_HOST: `unix://${SOCK}`, DOCKER_BUILDKIT: '1' };
const dockerBuilder = {
  name: 'buildkit',
  wipeAll() {
    const ids = spawnSync(DOCKER, ['images', '-aq'], { encoding: 'utf8', env: { ...process.env, ...dockerEnv } }).stdout.split('\n').filter(Boolean);
    if (ids.length) spawnSync(DOCKER, ['rmi', '-f', ...ids], { env: { ...process.env, ...dockerEnv } });
    spawnSync(DOCKER, ['builder', 'prune', '-af'], { env: { ...process.env, ...dockerEnv } });
  },
  warm() {
    timed(DOCKER, ['version'], dockerEnv);
  },
  build(ctx) {
    return timed(DOCKER, ['build', '--network=none', '--progress=plain', '-t', TAG, ctx], dockerEnv);
  },
  done() {},
};

const builders = [slipwayBuilder, ...(dockerAvailable() ? [dockerBuilder] : [])];
const results = {};
for (const ex of examples) {
  for (const b of builders) results[`${ex}/${b.name}`] = { cold: [], cached: [], change: [] };
  for (let i = 0; i < N; i++) {
    for (const b of builders) b.wipeAll();
    if (SETTLE > 0) await sleep(SETTLE * 1000);
    for (const b of builders) b.warm();
    // The first build after the settle runs on a machine that idled (slower for whoever goes
    // first): the builders take turns going first.
    for (const b of i % 2 === 0 ? builders : [...builders].reverse()) {
      const ctx = prepareContext(ex);
      try {
        const r = results[`${ex}/${b.name}`];
        r.cold.push(b.build(ctx));
        r.cached.push(b.build(ctx));
        appendFileSync(join(ctx, 'data.txt'), `bench ${i} ${Date.now()}\n`);
        // Only the debian example reads a context file; multistage's "change" is a rebuild.
        r.change.push(b.build(ctx));
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
    }
  }
}
for (const b of builders) b.done();

const pad = (s, n) => String(s).padStart(n);
console.log(`median of ${N} runs, ms (whole process; ${new Date().toISOString()})`);
console.log(`${'example/builder'.padEnd(24)}${pad('cold', 8)}${pad('cached', 8)}${pad('1-file', 8)}`);
for (const [k, r] of Object.entries(results)) {
  console.log(`${k.padEnd(24)}${pad(median(r.cold), 8)}${pad(median(r.cached), 8)}${pad(median(r.change), 8)}`);
}
if (builders.length > 1) {
  console.log('\nslipway / buildkit (targets: cold <= 0.8, cached <= 0.8, 1-file <= 0.6)');
  for (const ex of examples) {
    const s = results[`${ex}/slipway`];
    const d = results[`${ex}/buildkit`];
    const ratio = (col) => (median(s[col]) / median(d[col])).toFixed(2);
    console.log(`${ex.padEnd(24)}${pad(ratio('cold'), 8)}${pad(ratio('cached'), 8)}${pad(ratio('change'), 8)}`);
  }
}
