// Entry point only (bin/slipway starts it): the CLI lives in src/cli/main.ts, bundled by
// scripts/build.mjs (`npm ci` runs it) into packs of CommonJS module functions in dist/.
// Each pack is compiled through vm.Script when one of its modules is first required, with a
// V8 code cache kept next to it: the first run writes it, later runs skip parsing and
// compiling. CommonJS (bin/package.json): an ES module entry would start Node's ESM loader
// for nothing.
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
// scripts/build.mjs writes the packs; this one holds main.js (and what a fully cached build
// runs) and names the pack of every other module.
const MAIN_PACK = 'slipway.cjs';
// Builds (the hot path) and the other commands compile different code: one cache each
// (`build --help` and --print-llb run the CLI's code, not a build's).
const args = process.argv.slice(2);
const kind = args.includes('build') && !args.some((a) => a === '-h' || a === '--help' || a.startsWith('--print-llb')) ? 'build' : 'cli';
const nodeRequire = createRequire(join(dir, MAIN_PACK));
const factories = new Map(); // module name -> its function, from the packs loaded so far
const modules = new Map(); // module name -> module object, once it ran
const uncached = []; // scripts compiled without a usable code cache, and where to write one
let packOf = {}; // module name -> pack file, for the modules not in the main pack
const loadedPacks = new Set();

// A code cache holds only the functions the run that wrote it compiled: one written by a cold
// build lacks what a fully cached build runs (memo hits), which then compiles ~15 ms more on
// every run. So the first REFRESHES successful runs of a kind each rewrite it (a superset:
// what they loaded from it plus what they compiled); its first byte counts them.
const REFRESHES = 3;

process.once('exit', (code) => {
  // At exit a cache also holds the functions this run compiled; a run that failed (a usage
  // error, say) stopped short of what the command usually runs. A read-only install simply
  // runs without one.
  if (code !== 0) return;
  for (const { script, cacheFile, generation } of uncached) {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, Buffer.concat([Buffer.from([generation + 1]), script.createCachedData()]));
      renameSync(tmp, cacheFile);
    } catch {
      // no cache this time
    }
  }
});

function loadPack(name) {
  loadedPacks.add(name);
  const file = join(dir, name);
  let source;
  try {
    // Pure ASCII (scripts/build.mjs checks): latin1 is exact and the cheapest decoding.
    source = readFileSync(file, 'latin1');
  } catch (err) {
    if (err && err.code === 'ENOENT') {
      process.stderr.write('slipway: dist/ is missing or incomplete; run `npm ci` (or `npm run build`) first\n');
      process.exit(2);
    }
    throw err;
  }
  // The code cache is named after the packs' content id (V8 itself only checks the length).
  const id = /^\(function \(\) \{"use strict";var SLIPWAY_CODE_ID = "slipway-code:([0-9a-f]{16})";/.exec(source)?.[1];
  const cacheFile = id && join(dir, `${name.replace(/\..*$/, '')}.${id}.${kind}.codecache`);
  let cachedData;
  let generation = 0;
  try {
    if (cacheFile) {
      const stored = readFileSync(cacheFile);
      generation = stored[0] ?? 0;
      cachedData = stored.subarray(1);
    }
  } catch {
    cachedData = undefined;
  }
  const script = new Script(source, { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) uncached.push({ script, cacheFile, generation: 0 });
  else if (cacheFile && generation < REFRESHES) uncached.push({ script, cacheFile, generation });
  const pack = script.runInThisContext()();
  if (name === MAIN_PACK) packOf = pack.packs;
  for (const key of Object.keys(pack.modules)) factories.set(key, pack.modules[key]);
}

/** require() for the packs' modules: './name.js' is a pack module, anything else Node's. */
function requireModule(id) {
  if (!id.startsWith('./')) return nodeRequire(id);
  const name = id.slice(2);
  let mod = modules.get(name);
  if (mod) return mod.exports;
  if (!factories.has(name)) {
    const pack = packOf[name];
    if (!pack || loadedPacks.has(pack)) throw new Error(`slipway: module ${name} is missing from dist/; run \`npm run build\``);
    loadPack(pack);
  }
  mod = { exports: {} };
  modules.set(name, mod);
  factories.get(name).call(mod.exports, mod.exports, requireModule, mod, join(dir, name), dir);
  return mod.exports;
}

loadPack(MAIN_PACK);
requireModule('./main.js');
