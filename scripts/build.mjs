// Bundles the CLI with esbuild into a few "packs" in dist/: slipway.cjs holds what a fully
// cached build runs (the CLI, `build`'s conversion memo, the solver's cached path),
// slipway-more.cjs everything else (the Dockerfile parser, pulls, runc, the other commands).
// bin/slipway.cjs compiles each pack through vm.Script with its own V8 code cache (Node 20
// has no compile cache for modules), and only when one of its modules is first required:
// a cached build neither reads nor deserialises the code it does not run (DESIGN.md, 8).
//
// How: esbuild splits the ESM graph at its dynamic imports (one output file per lazily
// loaded module group, plus shared chunks); each output file is converted to CommonJS and
// becomes one function in a pack, `"name.js": function (exports, require, module) {…}`.
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url);

/** Lazily imported modules a fully cached build loads: they go into the first pack. */
const HOT_ENTRIES = ['src/cli/commands/build-run.ts', 'src/cli/commands/build-exec.ts'];
const PACKS = ['slipway.cjs', 'slipway-more.cjs'];

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
const hot = new Set();
const addHot = (name) => {
  if (hot.has(name)) return;
  hot.add(name);
  for (const imp of outputs.get(name).imports) if (imp.kind === 'import-statement' && !imp.external) addHot(basename(imp.path));
};
addHot('main.js');
for (const entry of HOT_ENTRIES) {
  const name = [...outputs].find(([, meta]) => meta.entryPoint === entry)?.[0];
  if (!name) throw new Error(`scripts/build.mjs: ${entry} is not a lazily imported module any more (HOT_ENTRIES)`);
  addHot(name);
}

// Each output as the body of a CommonJS function: static imports become require('./x.js'),
// dynamic ones Promise.resolve().then(() => require('./x.js')), node: builtins included.
const modules = await Promise.all(result.outputFiles.filter((f) => f.path.endsWith('.js')).map(async (f) => {
  const name = basename(f.path);
  const out = await transform(f.text, {
    format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false },
    minifyWhitespace: true, legalComments: 'none', sourcemap: 'external', sourcefile: name, logLevel: 'warning',
  });
  return { name, pack: hot.has(name) ? PACKS[0] : PACKS[1], code: out.code.replace(/\n$/, ''), map: JSON.parse(out.map) };
}));
modules.sort((a, b) => (a.name === 'main.js' ? -1 : b.name === 'main.js' ? 1 : a.name < b.name ? -1 : 1));
for (const m of modules) {
  const stray = /[^\w.$]import\(/.exec(m.code);
  if (stray) throw new Error(`${m.name}: a dynamic import left in the output: ${m.code.slice(stray.index, stray.index + 80)}`);
}

// A pack is one function expression: bin/slipway.cjs runs it with its module loader's
// require and gets the pack's module functions by name. Each module starts on a line of its
// own, so the pack's source map is an index map with one section per module.
function assemble(pack, id) {
  let code = `(function () {"use strict";var SLIPWAY_CODE_ID = "slipway-code:${id}";return {`;
  let line = 0;
  const sections = [];
  for (const m of modules.filter((x) => x.pack === pack)) {
    code += `\n${JSON.stringify(m.name)}: function (exports, require, module, __filename, __dirname) {\n`;
    line += 2;
    sections.push({ offset: { line, column: 0 }, map: m.map });
    code += `${m.code}\n},`;
    line += m.code.split('\n').length;
  }
  return { code: `${code}\n};\n})`, map: { version: 3, sections } };
}
const probe = PACKS.map((p) => assemble(p, '0'.repeat(16)).code).join('\n');
const id = createHash('sha256').update(probe).digest('hex').slice(0, 16);
const packs = PACKS.map((p) => ({ name: p, ...assemble(p, id) }));
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
// Code caches of earlier builds (bin/slipway names each after its packs' id), and the
// outputs of earlier layouts (dist/chunks, dist/slipway.js).
for (const name of readdirSync(dist)) {
  const cache = /^slipway(-\w+)?\.([0-9a-f]{16})\.\w+\.codecache$/.exec(name);
  if ((cache && cache[2] !== id) || name === 'chunks' || /^slipway\.js(\.map)?$/.test(name)) {
    rmSync(new URL(name, dist), { force: true, recursive: true });
  }
}
