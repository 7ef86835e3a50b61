#!/usr/bin/env node
// Slipway against its peers: buildah (`bud --layers`, overlay, private root) and, when the
// refenv dockerd answers on /run/docker-ref.sock, BuildKit. Rows: the refenv examples
// (multistage, debian) and a generated 10,000-file / 200 MB context COPYed onto busybox.
// Per row and run, builders alternate; each does cold (empty store), fully cached (identical
// rebuild) and one-file-change builds; the table holds medians (ms, whole process) and
// Slipway/peer ratios. Also: context checksum vs sha256sum (bench/checksum.mjs) and
// `slipway --version` start-up time.
// --pin builds the committed HEAD into a private directory and benchmarks that bundle, so
// edits in the shared working tree (and rebuilds of dist/) cannot change Slipway mid-run.
//   node bench/compare.mjs [-n 3] [--pin] [--no-docker] [--no-buildah] [--rows multistage,debian,big]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildahBuilder, buildkitBuilder, dockerAnswers, slipwayBuilder } from './lib/builders.mjs';
import { bigContextRow, exampleRow } from './lib/contexts.mjs';
import { pinnedBuild } from './lib/pinned.mjs';
import { elapsedMs, median } from './lib/run.mjs';
import { args, flag } from './lib/args.mjs';

const N = Number(flag('-n', '3'));
const repo = new URL('..', import.meta.url).pathname;
const pinned = args.includes('--pin') ? pinnedBuild(repo) : undefined;
const slipway = pinned?.bin ?? join(repo, 'bin', 'slipway');
const examplesDir = '/work/shared/refenv/examples';
const wanted = new Set(flag('--rows', 'multistage,debian,big').split(','));

const answers = (url) => spawnSync('curl', ['-sf', '-m', '2', url]).status === 0;
const refenvRegistry = answers('http://127.0.0.1:5000/v2/');
const registry = refenvRegistry ? '127.0.0.1:5000' : '127.0.0.1:5100';
const notes = [`bases from ${registry}${refenvRegistry ? ' (refenv registry)' : ' (testenv registry: refenv registry not answering)'}`];

if (!existsSync(join(slipway, '..', '..', 'dist'))) spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });

// Context checksum vs sha256sum over the same files; this also generates the big context.
const checksum = spawnSync('node', [join(repo, 'bench', 'checksum.mjs'), '--rounds', String(Math.max(N, 3))], { encoding: 'utf8' });
if (checksum.status !== 0) throw new Error(`bench/checksum.mjs failed:\n${checksum.stderr}`);
const bigSource = join(repo, '.tmp', 'bench-checksum', 'ctx-10000-200');

const rows = [];
if (wanted.has('multistage')) rows.push(exampleRow('multistage', examplesDir, registry));
if (wanted.has('debian')) {
  if (refenvRegistry) rows.push(exampleRow('debian', examplesDir, registry));
  else notes.push('debian row skipped: needs 127.0.0.1:5000/library/debian:bookworm from the refenv');
}
if (wanted.has('big')) rows.push(bigContextRow(bigSource, registry));

const builders = [slipwayBuilder(slipway)];
if (!args.includes('--no-buildah')) {
  if (spawnSync('buildah', ['--version']).status === 0) builders.push(buildahBuilder());
  else notes.push('buildah not installed (apt-get install buildah): its rows are missing');
}
if (!args.includes('--no-docker')) {
  if (refenvRegistry && dockerAnswers()) builders.push(buildkitBuilder());
  else notes.push('BuildKit (refenv dockerd on /run/docker-ref.sock) not answering: its rows are missing');
}

const COLS = ['cold', 'cached', 'change'];
const results = new Map();
for (const row of rows) {
  for (const b of builders) results.set(`${row.name}/${b.name}`, { cold: [], cached: [], change: [] });
  for (let i = 0; i < N; i++) {
    for (const b of builders) {
      const ctx = row.prepare();
      const r = results.get(`${row.name}/${b.name}`);
      try {
        b.wipe();
        r.cold.push(b.build(ctx));
        r.cached.push(b.build(ctx));
        row.edit(ctx, i);
        r.change.push(b.build(ctx));
      } catch (err) {
        console.error(`${row.name}/${b.name} run ${i + 1}: ${err.message}`);
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
      process.stderr.write(`${row.name}/${b.name} run ${i + 1}/${N}: ${COLS.map((c) => r[c].at(-1) ?? '-').join(' ')}\n`);
    }
  }
}
for (const b of builders) b.done();

const startup = [];
for (let i = 0; i < 10; i++) {
  const t = process.hrtime.bigint();
  spawnSync(slipway, ['--version']);
  startup.push(elapsedMs(t));
}

const pad = (s, n) => String(s).padStart(n);
const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`Slipway vs peers — ${new Date().toISOString()} — ${hostname()}: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}`);
console.log(`${spawnSync(slipway, ['--version'], { encoding: 'utf8' }).stdout.trim()}${pinned ? ` (commit ${pinned.commit})` : ' (working tree)'}, ${spawnSync('buildah', ['--version'], { encoding: 'utf8' }).stdout.trim()}`);
console.log(`median of ${N} runs, ms per whole build process; ${notes.join('; ')}`);
console.log('');
console.log(`| ${'row'.padEnd(14)} | ${'builder'.padEnd(8)} | ${pad('cold', 7)} | ${pad('cached', 7)} | ${pad('1-file', 7)} |`);
console.log(`|${'-'.repeat(16)}|${'-'.repeat(10)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(9)}|`);
for (const [key, r] of results) {
  const [row, b] = key.split('/');
  console.log(`| ${row.padEnd(14)} | ${b.padEnd(8)} | ${COLS.map((c) => pad(median(r[c]), 7)).join(' | ')} |`);
}
const peers = builders.filter((b) => b.name !== 'slipway');
if (peers.length) {
  console.log('');
  console.log(`| ${'row'.padEnd(14)} | ${'ratio'.padEnd(18)} | ${pad('cold', 6)} | ${pad('cached', 6)} | ${pad('1-file', 6)} |`);
  console.log(`|${'-'.repeat(16)}|${'-'.repeat(20)}|${'-'.repeat(8)}|${'-'.repeat(8)}|${'-'.repeat(8)}|`);
  for (const row of rows) {
    const s = results.get(`${row.name}/slipway`);
    for (const p of peers) {
      const q = results.get(`${row.name}/${p.name}`);
      const ratio = (c) => (median(s[c]) / median(q[c])).toFixed(2);
      console.log(`| ${row.name.padEnd(14)} | ${`slipway/${p.name}`.padEnd(18)} | ${COLS.map((c) => pad(ratio(c), 6)).join(' | ')} |`);
    }
  }
}
console.log('');
console.log('context checksum (bench/checksum.mjs, same 10,000 files / 200 MB):');
for (const line of checksum.stdout.split('\n')) if (/^(context|cold|warm checksum|sha256sum)/.test(line)) console.log(`  ${line}`);
console.log(`slipway --version start-up: median ${median(startup)} ms of 10 (min ${Math.min(...startup)} ms)`);
if (pinned) rmSync(pinned.dir, { recursive: true, force: true });
