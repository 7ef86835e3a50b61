// Bundles the CLI with esbuild into a few "packs" in dist/: slipway.cjs holds what a fully
// cached build runs (the CLI, `build`'s conversion memo, the solver's cached path),
// slipway-build.<id>.cjs what other builds add (the Dockerfile parser, pulls, runc,
// exporters), slipway-more.<id>.cjs the other commands.
// bin/slipway.cjs compiles each pack through vm.Script with its own V8 code cache (Node 20
// has no compile cache for modules), and only when one of its modules is first required:
// a cached build neither reads nor deserialises the code it does not run (DESIGN.md, 8).
//
// How: esbuild splits the ESM graph at its dynamic imports (one output file per lazily
// loaded module group, plus shared chunks); each output file is converted to CommonJS and
// becomes one function in a pack, `"name.js": function (exports, require, module) {…}`.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url);

/**
 * The packs. slipway.cjs: what a fully cached build runs (main.ts and what it, build-run.ts
 * and build-exec.ts import statically). slipway-more: what the other commands load (with
 * what they share with builds: a build that needs it loads it too, a small pack).
 * slipway-build: the rest, what other builds add (the Dockerfile parser, pulls, runc…).
 */
const HOT_SEEDS = ['src/cli/main.ts', 'src/cli/commands/build-run.ts', 'src/cli/commands/build-exec.ts'];
const BUILD_ENTRY = 'src/cli/commands/build-run.ts';
const PACK_NAMES = ['slipway', 'slipway-more', 'slipway-build'];
// bin/slipway reads the first pack at start, the others when it needs them, maybe after a
// rebuild: they are named after the build's id, and the last few builds' stay (see below).
const packFile = (pack, id) => (pack === PACK_NAMES[0] ? 'slipway.cjs' : `${pack}.${id}.cjs`);
const KEEP_BUILDS = 3;

/**
 * commander requires node:child_process (and with it net, streams and dgram) when it loads,
 * only to spawn executable subcommands, which Slipway does not have: require it on use.
 */
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) throw new Error(`scripts/build.mjs: ${args.path} no longer has: ${eager}`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist', // not written: the packs below are
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Inline, so that the CommonJS conversion below maps back to the TypeScript sources.
  sourcemap: 'inline',
  // Less to read and scan at every start, and no comments: the packs are then pure ASCII
  // (esbuild escapes strings), so bin/slipway reads them as latin1 into one-byte strings.
  minifyWhitespace: true,
  legalComments: 'none',
  write: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyChildProcessInCommander],
  define: {
    SLIPWAY_VERSION: JSON.stringify(pkg.version),
    // What only the tests check (src/frontend/dockerfile/parser/grammar-checks.ts).
    SLIPWAY_BUNDLED: 'true',
    // Memo keys name the code that wrote them (import.meta.url in the sources); in the
    // packs that is a hash of all of them, set in each pack's first line below.
    'import.meta.url': 'SLIPWAY_CODE_ID',
  },
});

// Output files by name (main.js, chunk-….js, build-run-….js), and which pack each goes to.
const outputs = new Map();
for (const [path, meta] of Object.entries(result.metafile.outputs)) {
  if (path.endsWith('.js')) outputs.set(basename(path), meta);
}
const entryOutput = (entry) => {
  const name = [...outputs].find(([, meta]) => meta.entryPoint === entry)?.[0];
  if (!name) throw new Error(`scripts/build.mjs: ${entry} is no longer an entry point or a lazily imported module`);
  return name;
};
/** Output files reachable from `seeds`, by static imports (and dynamic ones), not entering `avoid`. */
function reach(seeds, dynamic, avoid = '') {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || name === avoid) return;
    seen.add(name);
    for (const imp of outputs.get(name).imports) {
      if (!imp.external && (imp.kind === 'import-statement' || (dynamic && imp.kind === 'dynamic-import'))) visit(basename(imp.path));
    }
  };
  for (const seed of seeds) visit(entryOutput(seed));
  return seen;
}
const hot = reach(HOT_SEEDS, false);
const others = reach(['src/cli/main.ts'], true, entryOutput(BUILD_ENTRY));
const packOf = new Map([...outputs.keys()].map((name) => [name, hot.has(name) ? PACK_NAMES[0] : others.has(name) ? PACK_NAMES[1] : PACK_NAMES[2]]));

// Each output as the body of a CommonJS function: static imports become require('./x.js'),
// dynamic ones Promise.resolve().then(() => require('./x.js')), node: builtins included.
const modules = await Promise.all(result.outputFiles.filter((f) => f.path.endsWith('.js')).map(async (f) => {
  const name = basename(f.path);
  const out = await transform(f.text, {
    format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false },
    minifyWhitespace: true, legalComments: 'none', sourcemap: 'external', sourcefile: name, logLevel: 'warning',
  });
  return { name, pack: packOf.get(name), code: out.code.replace(/\n$/, ''), map: JSON.parse(out.map) };
}));
modules.sort((a, b) => (a.name === 'main.js' ? -1 : b.name === 'main.js' ? 1 : a.name < b.name ? -1 : 1));
for (const m of modules) {
  const stray = /[^\w.$]import\(/.exec(m.code);
  if (stray) throw new Error(`${m.name}: a dynamic import left in the output: ${m.code.slice(stray.index, stray.index + 80)}`);
}

// A pack is one function expression: bin/slipway.cjs runs it and gets the pack's module
// functions by name (the first pack also names the pack of every other module). Each module
// starts on a line of its own, so the pack's source map is an index map with one section per
// module.
function assemble(pack, id) {
  const elsewhere = pack === PACK_NAMES[0] ? Object.fromEntries([...packOf].filter(([, p]) => p !== pack).map(([m, p]) => [m, packFile(p, id)]).sort()) : {};
  let code = `(function () {"use strict";var SLIPWAY_CODE_ID = "slipway-code:${id}";return {packs: ${JSON.stringify(elsewhere)}, modules: {`;
  let line = 0;
  const sections = [];
  for (const m of modules.filter((x) => x.pack === pack)) {
    code += `\n${JSON.stringify(m.name)}: function (exports, require, module, __filename, __dirname) {\n`;
    line += 2;
    sections.push({ offset: { line, column: 0 }, map: m.map });
    code += `${m.code}\n},`;
    line += m.code.split('\n').length;
  }
  return { code: `${code}\n}};\n})`, map: { version: 3, sections } };
}
const probe = PACK_NAMES.map((p) => assemble(p, '0'.repeat(16)).code).join('\n');
const id = createHash('sha256').update(probe).digest('hex').slice(0, 16);
const packs = PACK_NAMES.map((p) => ({ name: packFile(p, id), ...assemble(p, id) }));
for (const p of packs) {
  const nonAscii = /[^\x00-\x7f]/.exec(p.code);
  if (nonAscii) throw new Error(`dist/${p.name}: non-ASCII output at ${nonAscii.index}: ${p.code.slice(nonAscii.index - 40, nonAscii.index + 10)}`);
}

mkdirSync(dist, { recursive: true });
const write = (name, text) => {
  const tmp = new URL(`${name}.${process.pid}`, dist);
  writeFileSync(tmp, text);
  renameSync(tmp, new URL(name, dist));
};
for (const p of packs) {
  write(`${p.name}.map`, JSON.stringify(p.map));
  write(p.name, `${p.code}\n//# sourceMappingURL=${p.name}.map\n`);
}
// Earlier builds' packs and code caches (named after their id): a slipway started before
// this build may still load its other packs, so the newest few builds' stay. Also the
// outputs of earlier layouts (dist/chunks, dist/slipway.js, an unversioned slipway-more.cjs).
const byId = new Map();
for (const name of readdirSync(dist)) {
  const versioned = /^slipway(?:-\w+)?\.([0-9a-f]{16})\./.exec(name);
  if (versioned) {
    if (versioned[1] === id) continue;
    const mtime = statSync(new URL(name, dist)).mtimeMs;
    const build = byId.get(versioned[1]) ?? { names: [], mtime: 0 };
    build.names.push(name);
    build.mtime = Math.max(build.mtime, mtime);
    byId.set(versioned[1], build);
  } else if (name === 'chunks' || /^slipway(\.js|-more\.cjs)(\.map)?$/.test(name)) {
    rmSync(new URL(name, dist), { force: true, recursive: true });
  }
}
const older = [...byId.values()].sort((a, b) => b.mtime - a.mtime).slice(KEEP_BUILDS - 1);
for (const build of older) for (const name of build.names) rmSync(new URL(name, dist), { force: true });
