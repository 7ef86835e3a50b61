// Entry point only (bin/slipway starts it): the CLI lives in src/cli/main.ts, bundled to dist/slipway.cjs by
// scripts/build.mjs (`npm ci` runs it). The bundle is compiled through vm.Script with a V8
// code cache kept next to it, named after the bundle's content id (V8 itself only checks
// the source's length): the first run writes it, later runs skip parsing and compiling.
// CommonJS (bin/package.json): an ES module entry would start Node's ESM loader for nothing.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

// bin/slipway moved NODE_EXTRA_CA_CERTS aside so that Node would not parse it at start-up;
// the processes Slipway starts (git, credential helpers) see it as the user set it.
if (process.env.SLIPWAY_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.SLIPWAY_NODE_EXTRA_CA_CERTS;
  delete process.env.SLIPWAY_NODE_EXTRA_CA_CERTS;
}

const dir = join(__dirname, '..', 'dist');
const file = join(dir, 'slipway.cjs');
let source;
try {
  // Pure ASCII (scripts/build.mjs checks): latin1 is exact and the cheapest decoding.
  source = readFileSync(file, 'latin1');
} catch (err) {
  if (err && err.code === 'ENOENT') {
    process.stderr.write('slipway: dist/ is missing; run `npm ci` (or `npm run build`) first\n');
    process.exit(2);
  }
  throw err;
}
// The file is one function expression taking CommonJS's arguments (scripts/build.mjs).
const id = /^\(function \(exports, require, module, __filename, __dirname\) \{"use strict";var SLIPWAY_CODE_ID = "slipway-code:([0-9a-f]{16})";/.exec(source)?.[1];
// Builds (the hot path) and the other commands compile different code: one cache each.
const kind = process.argv.includes('build') ? 'build' : 'cli';
const cacheFile = id && join(dir, `slipway.${id}.${kind}.codecache`);
let cachedData;
try {
  if (cacheFile) cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new Script(source, { filename: file, cachedData });
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  // At exit the cache also holds the functions this run compiled. A read-only install
  // simply runs without one.
  process.once('exit', () => {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      // no cache this time
    }
  });
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dir);
