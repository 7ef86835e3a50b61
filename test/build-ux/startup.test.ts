// What a fully cached build loads (DESIGN.md principle 8): only the first pack of dist/
// (scripts/build.mjs) and none of Node's HTTP/TLS modules. A static import that drags the
// registry client, the Dockerfile parser or an exporter into that path fails here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/testenv.js';
import { tempDir } from '../solver/build/slipway.js';

let work: string;
let root: string;
let ctx: string;
let report: string;
let preload: string;

beforeAll(() => {
  work = tempDir('ux-startup');
  root = path.join(work, 'root');
  ctx = path.join(work, 'ctx');
  report = path.join(work, 'loaded.json');
  preload = path.join(work, 'preload.cjs');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'a.txt'), 'a\n');
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\nENV A=1\n');
  // Records the files read under dist/ and Node's built-in modules loaded, at exit.
  writeFileSync(preload, `const fs = require('node:fs');
const read = fs.readFileSync;
const files = [];
fs.readFileSync = function (file, ...rest) { if (String(file).includes('/dist/')) files.push(path.basename(String(file))); return read.call(this, file, ...rest); };
const path = require('node:path');
process.on('exit', () => fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({ files, builtins: process.moduleLoadList })));
`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function build(): { files: string[]; builtins: string[] } {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const r = spawnSync(process.execPath, ['-r', preload, path.join(REPO_ROOT, 'bin', 'slipway.cjs'), '--root', root,
    'build', '--progress=plain', '-t', 'ux/startup:1', ctx], { encoding: 'utf8', env, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(report, 'utf8')) as { files: string[]; builtins: string[] };
}

describe('a fully cached build', () => {
  it('reads only dist/slipway.cjs (and its code cache) and loads no HTTP/TLS, process, zlib or perf_hooks module', () => {
    build();
    build(); // the conversion memo and the export memo are written now
    const { files, builtins } = build();
    expect(files.filter((f) => f.endsWith('.cjs'))).toEqual(['slipway.cjs']);
    // Each costs start-up time; they load on use (a cached build runs, pulls, inflates nothing).
    const heavy = ['http', 'https', 'tls', '_http_client', 'readline', 'child_process', 'net', 'zlib', 'perf_hooks'];
    for (const m of heavy) expect(builtins).not.toContain(`NativeModule ${m}`);
  });
});
