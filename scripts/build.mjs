// Bundles the CLI into one CommonJS file, dist/slipway.cjs, with esbuild. bin/slipway loads
// it through vm.Script with a V8 code cache (Node 20 has no compile cache for modules): one
// file and no module graph to resolve, and no parsing or compiling of what the cache holds.
// That is most of Node's work for a fully cached build beyond its own start (DESIGN.md, 8).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const dist = new URL('../dist/', import.meta.url);

const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/slipway.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // Less to read and scan at every start, and no comments: the bundle is then pure ASCII
  // (esbuild escapes strings), so bin/slipway reads it as latin1 into a one-byte string.
  minifyWhitespace: true,
  write: false,
  logLevel: 'warning',
  define: {
    SLIPWAY_VERSION: JSON.stringify(pkg.version),
    // Memo keys name the code that wrote them (import.meta.url in the sources); in the
    // bundle that is a hash of the bundle itself, set in the first line below.
    'import.meta.url': 'SLIPWAY_CODE_ID',
  },
});

let code = '';
let map = '';
for (const f of result.outputFiles) {
  if (f.path.endsWith('.map')) map = f.text;
  else code = f.text;
}
// Dynamic imports left in the bundle are of node: builtins; vm.Script has no module loader
// for them (only an experimental one that prints a warning), and require gives the same
// named exports.
code = code.replace(/\bimport\(("node:[a-z_/]+")\)/g, 'Promise.resolve(require($1))');
const stray = /[^\w.$]import\((?!"node:)/.exec(code);
if (stray) throw new Error(`dist/slipway.cjs: a dynamic import esbuild did not bundle: ${code.slice(stray.index, stray.index + 80)}`);

const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
// The file is the function bin/slipway compiles: CommonJS's wrapper is part of it, so no
// copy of the source is made at start. "use strict" stays the function's first statement;
// all of it goes on the first line, so the source map's line numbers still hold.
if (!code.startsWith('"use strict";')) throw new Error('dist/slipway.cjs: expected esbuild\'s "use strict" first');
code = `(function (exports, require, module, __filename, __dirname) {"use strict";var SLIPWAY_CODE_ID = "slipway-code:${id}";${code.slice('"use strict";'.length)}\n})`;
const nonAscii = /[^\x00-\x7f]/.exec(code);
if (nonAscii) throw new Error(`dist/slipway.cjs: non-ASCII output at ${nonAscii.index}: ${code.slice(nonAscii.index - 40, nonAscii.index + 10)}`);

mkdirSync(dist, { recursive: true });
const tmp = (name) => new URL(`${name}.${process.pid}`, dist);
writeFileSync(tmp('slipway.cjs.map'), map);
renameSync(tmp('slipway.cjs.map'), new URL('slipway.cjs.map', dist));
writeFileSync(tmp('slipway.cjs'), code);
renameSync(tmp('slipway.cjs'), new URL('slipway.cjs', dist));
// Code caches of earlier bundles (bin/slipway names each after its bundle's id).
for (const name of readdirSync(dist)) {
  if (/^slipway\.[0-9a-f]{16}\.\w+\.codecache$/.test(name) && !name.startsWith(`slipway.${id}.`)) {
    rmSync(new URL(name, dist), { force: true });
  }
}
