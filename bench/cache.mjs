#!/usr/bin/env node
// Cache exchange benchmark (issue 8): how long an empty store (a fresh CI runner) takes to
// build with --cache-from the registry cache, next to a cold build (no cache: bases pulled,
// every RUN executed) and to a warm local rebuild. Store A builds once with
// --cache-to type=registry,mode=max (and type=local); then each run uses empty roots.
// Median of N runs, whole `slipway` process.
//   node bench/cache.mjs [-n 5] [--context DIR | --example debian|multistage] [--registry 127.0.0.1:5100]
// (--example: ../shared/refenv/examples/NAME, with the data.txt its README asks for.)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, flag } from './lib/args.mjs';
import { median } from './lib/run.mjs';

const N = Number(flag('-n', '5'));
const repo = new URL('..', import.meta.url).pathname;
const slipway = join(repo, 'bin', 'slipway');
const REG = flag('--registry', '127.0.0.1:5100');
const work = mkdtempSync(join(tmpdir(), 'slipway-bench-cache-'));
const ctx = join(work, 'ctx');
const example = flag('--example', undefined);
cpSync(example ? join(repo, '..', 'shared', 'refenv', 'examples', example) : flag('--context', join(repo, 'testdata', 'cache-exchange', 'app')), ctx, { recursive: true });
if (example) writeFileSync(join(ctx, 'data.txt'), Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join(''));
const secret = join(work, 'secret');
writeFileSync(secret, 'bench-secret');
const ref = `${REG}/bench/cache-${process.pid}:max`;
const localCache = join(work, 'local-cache');

let roots = 0;
const freshRoot = () => join(work, `root-${roots++}`);

function build(root, extra) {
  const stats = join(work, 'stats.json');
  const start = process.hrtime.bigint();
  const r = spawnSync(slipway, ['--root', root, 'build', '--progress=quiet', '--secret', `id=tok,src=${secret}`, '-t', 'bench/out:1', ...extra, ctx],
    { encoding: 'utf8', env: { ...process.env, SLIPWAY_STATS_FILE: stats } });
  const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
  if (r.status !== 0) throw new Error(`build ${extra.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return { ms, stats: JSON.parse(readFileSync(stats, 'utf8')) };
}


try {
  const a = freshRoot();
  const exported = build(a, ['--cache-to', `type=registry,ref=${ref},mode=max`, '--cache-to', `type=local,dest=${localCache},mode=max`]);
  const rows = { cold: [], registry: [], local: [], warm: [] };
  let executedFromCache = 0;
  for (let i = 0; i < N; i++) {
    rows.cold.push(build(freshRoot(), []).ms);
    const b = build(freshRoot(), ['--cache-from', ref]);
    rows.registry.push(b.ms);
    executedFromCache += b.stats.containers;
    rows.local.push(build(freshRoot(), ['--cache-from', `type=local,src=${localCache}`]).ms);
    rows.warm.push(build(a, []).ms);
  }
  console.log(`cache exchange bench: ${ctx} (median of ${N}; A's first build with both exports: ${exported.ms} ms)`);
  console.log(`  cold build, empty store, no cache        ${String(median(rows.cold)).padStart(6)} ms`);
  console.log(`  empty store, --cache-from registry       ${String(median(rows.registry)).padStart(6)} ms   (RUN containers: ${executedFromCache})`);
  console.log(`  empty store, --cache-from type=local     ${String(median(rows.local)).padStart(6)} ms`);
  console.log(`  warm local store (same machine)          ${String(median(rows.warm)).padStart(6)} ms`);
  console.log(`  registry cache vs cold: ${(median(rows.cold) / median(rows.registry)).toFixed(2)}x faster`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
