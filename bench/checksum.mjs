#!/usr/bin/env node
// Context checksum benchmark: 10,000 files / 200 MB (generated under .tmp/bench-checksum/,
// kept between runs). Times, alternating, over N rounds:
//   cold  - checksumPath('/') with an empty stat cache (every file read and hashed),
//   warm  - a fresh StatCache instance loaded from disk (what a new process sees), no reads,
//   sha256sum - `find ctx -type f -print0 | xargs -0 sha256sum` over the same files.
// Prints medians and cold/sha256sum (target ≤ 1.5×), plus the stat cache's size and load time.
//   node bench/checksum.mjs [--files 10000] [--mb 200] [--rounds 5]
import { build } from 'esbuild';
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const nFiles = flag('--files', 10_000);
const totalMb = flag('--mb', 200);
const rounds = flag('--rounds', 5);

const repo = new URL('..', import.meta.url).pathname;
const work = join(repo, '.tmp', 'bench-checksum');
const ctx = join(work, `ctx-${nFiles}-${totalMb}`);

function generate() {
  if (existsSync(join(ctx, '.complete'))) return;
  rmSync(ctx, { recursive: true, force: true });
  const avg = Math.floor((totalMb * 1024 * 1024) / nFiles);
  const perDir = 100;
  const chunk = randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < nFiles; i++) {
    const dir = join(ctx, `d${String(Math.floor(i / perDir)).padStart(3, '0')}`);
    if (i % perDir === 0) mkdirSync(dir, { recursive: true });
    // Sizes spread from 0 to 2×avg so totals land on the target.
    const size = Math.floor(((i * 7919) % 1000) / 1000 * 2 * avg);
    const off = (i * 4099) % (chunk.length - size);
    writeFileSync(join(dir, `f${i}.bin`), chunk.subarray(off, off + size));
  }
  writeFileSync(join(ctx, '.complete'), '');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  generate();
  const out = join(work, 'bundle');
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { checksum: join(repo, 'src/solver/contenthash/checksum.ts'), 'stat-cache': join(repo, 'src/solver/contenthash/stat-cache.ts') },
    bundle: true, platform: 'node', format: 'esm', outdir: out, outExtension: { '.js': '.mjs' }, logLevel: 'warning',
  });
  const { checksumPath } = await import(pathToFileURL(join(out, 'checksum.mjs')).href);
  const { StatCache } = await import(pathToFileURL(join(out, 'stat-cache.mjs')).href);
  const bytes = Number(execSync(`du -sb --apparent-size ${ctx}`).toString().split('\t')[0]);
  console.log(`context: ${nFiles} files, ${(bytes / 1e6).toFixed(0)} MB (${ctx})`);

  const cold = [];
  const warm = [];
  const shasum = [];
  const load = [];
  const save = [];
  let digest;
  const cacheRoot = join(work, 'root');
  for (let r = 0; r < rounds; r++) {
    rmSync(cacheRoot, { recursive: true, force: true });
    let t = performance.now();
    const c1 = await StatCache.forScope(cacheRoot, ctx);
    const d1 = await checksumPath(ctx, '/', { statCache: c1 });
    cold.push(performance.now() - t);
    t = performance.now();
    await c1.save();
    save.push(performance.now() - t);

    t = performance.now();
    const c2 = await StatCache.forScope(cacheRoot, ctx);
    await c2.load();
    load.push(performance.now() - t);
    const d2 = await checksumPath(ctx, '/', { statCache: c2 });
    warm.push(performance.now() - t);
    if (d1 !== d2 || (digest && digest !== d1)) throw new Error(`digest mismatch: ${d1} ${d2} ${digest}`);
    digest = d1;

    t = performance.now();
    execSync(`find ${ctx} -type f -print0 | xargs -0 sha256sum > /dev/null`);
    shasum.push(performance.now() - t);
  }
  const cacheFile = (await StatCache.forScope(cacheRoot, ctx)).file;
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`digest: ${digest}`);
  console.log(`rounds: ${rounds} (medians)`);
  console.log(`cold checksum (empty stat cache): ${fmt(median(cold))}  [${cold.map(fmt).join(', ')}]`);
  console.log(`warm checksum (stat cache hit):   ${fmt(median(warm))}  [${warm.map(fmt).join(', ')}]`);
  console.log(`  of which stat cache load:       ${fmt(median(load))} (${(statSync(cacheFile).size / 1024).toFixed(0)} KiB JSON)`);
  console.log(`stat cache save (10k entries):    ${fmt(median(save))} (temp + fsync + rename)`);
  console.log(`sha256sum (find | xargs):          ${fmt(median(shasum))}  [${shasum.map(fmt).join(', ')}]`);
  console.log(`cold / sha256sum: ${(median(cold) / median(shasum)).toFixed(2)}x (target <= 1.5x)`);
  console.log(`warm / cold: ${(median(warm) / median(cold)).toFixed(3)}x`);
}

await main();
