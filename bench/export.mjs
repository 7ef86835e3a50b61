#!/usr/bin/env node
// Export benchmark: one 500 MB layer (generated under .tmp/bench-export/, kept between runs)
// turned into a layer blob with gzip and with zstd, each in a fresh child process so its peak
// RSS (VmHWM) is its own. Prints MB/s of layer tar and peak RSS (target: < 250 MB).
//   node bench/export.mjs [--size-mb 500] [--keep]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { args, flag } from './lib/args.mjs';

const sizeMb = Number(flag('--size-mb', '500'));
const repo = new URL('..', import.meta.url).pathname;
const work = join(repo, '.tmp', 'bench-export');
const root = join(work, `root-${sizeMb}`);
const layerId = 'bench-layer';

function peakRssMb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Files of 8 MB; each 1 MB is a quarter random bytes and three quarters log-like text. */
function generateLayer() {
  const fs = join(root, 'snapshots', layerId, 'fs');
  const marker = join(root, 'snapshots', layerId, 'generated');
  if (existsSync(marker)) return;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(fs, 'data'), { recursive: true });
  const files = Math.ceil(sizeMb / 8);
  let line = 0;
  for (let f = 0; f < files; f++) {
    const parts = [];
    for (let mb = 0; mb < 8; mb++) {
      parts.push(randomBytes(256 * 1024));
      let text = '';
      while (text.length < 768 * 1024) text += `2026-11-22T20:00:${String(line % 60).padStart(2, '0')}Z worker=${line % 17} request=${line++} status=200 bytes=${(line * 7919) % 100000}\n`;
      parts.push(Buffer.from(text.slice(0, 768 * 1024)));
    }
    writeFileSync(join(fs, 'data', `file-${String(f).padStart(4, '0')}.bin`), Buffer.concat(parts));
  }
  writeFileSync(marker, '');
}

async function child(compression) {
  const { build } = await import('esbuild');
  const bundle = join(work, 'layer-blob.mjs');
  await build({
    entryPoints: [join(repo, 'src/exporters/layer-blob.ts')], outfile: bundle, bundle: true, format: 'esm',
    platform: 'node', logLevel: 'warning', packages: 'external',
  });
  const { ensureLayerBlob } = await import(pathToFileURL(bundle).href);
  rmSync(join(root, 'snapshots', layerId, 'layer.json'), { force: true });
  rmSync(join(root, 'store'), { recursive: true, force: true });
  const start = process.hrtime.bigint();
  const blob = await ensureLayerBlob(root, { snapshotId: layerId }, { type: compression }, { lowers: [] });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ compression, tarMB: blob.size / 1e6, blobMB: blob.descriptor.size / 1e6, secs, peakRssMb: peakRssMb() }) + '\n');
}

if (args[0] === '--child') {
  await child(args[1]);
} else {
  mkdirSync(work, { recursive: true });
  const t0 = Date.now();
  generateLayer();
  console.log(`layer: ${sizeMb} MB under ${root} (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const compression of ['gzip', 'zstd']) {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', compression, '--size-mb', String(sizeMb)], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop());
    console.log(`${compression.padEnd(5)} ${(res.tarMB / res.secs).toFixed(1).padStart(7)} MB/s  tar ${res.tarMB.toFixed(0)} MB → blob ${res.blobMB.toFixed(0)} MB in ${res.secs.toFixed(2)} s  peak RSS ${res.peakRssMb.toFixed(0)} MB ${res.peakRssMb < 250 ? '(< 250 MB ok)' : '(OVER 250 MB TARGET)'}`);
  }
  if (!args.includes('--keep')) rmSync(join(root, 'store'), { recursive: true, force: true });
}
