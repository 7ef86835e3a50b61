#!/usr/bin/env node
// Parse benchmark: bundles the parser with esbuild, then parses every file of the real-world
// corpus repeatedly on one thread and prints MB/s and files/s.
//   node bench/parse.mjs [corpus-dir] [--rounds N]
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 20;
const dir = args[0] ?? '/work/shared/corpus/dockerfiles';

const out = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
const bundle = join(out, 'parser.mjs');
await build({
  entryPoints: [new URL('../src/frontend/dockerfile/parser/index.ts', import.meta.url).pathname],
  outfile: bundle,
  bundle: true,
  format: 'esm',
  platform: 'node',
  logLevel: 'warning',
});
const { parseDockerfile } = await import(pathToFileURL(bundle).href);
rmSync(out, { recursive: true, force: true });

const files = readdirSync(dir)
  .sort()
  .map((name) => readFileSync(join(dir, name), 'utf8'));
const bytes = files.reduce((n, t) => n + Buffer.byteLength(t), 0);

function parseAll() {
  let failed = 0;
  for (const text of files) {
    try {
      parseDockerfile(text);
    } catch {
      failed++;
    }
  }
  return failed;
}

// The first pass includes building the lexers/parser; report it separately (cold start).
let t0 = performance.now();
const failed = parseAll();
const cold = performance.now() - t0;
t0 = performance.now();
for (let i = 0; i < rounds; i++) parseAll();
const warm = (performance.now() - t0) / rounds;

const mb = bytes / 1e6;
console.log(`corpus: ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB (${failed} rejected, as expected for BuildKit's negative cases)`);
console.log(`first pass (cold): ${cold.toFixed(1)} ms`);
console.log(
  `warm (mean of ${rounds}): ${warm.toFixed(1)} ms/corpus, ${(mb / (warm / 1000)).toFixed(1)} MB/s, ${(files.length / (warm / 1000)).toFixed(0)} files/s`,
);
