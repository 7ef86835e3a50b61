// --explain-cache through the real CLI: one `#N MISS: …` line per step that ran, naming
// what changed — a context file by path, a build arg by name, the base image digest, the
// instruction text, --no-cache, or no cache record at all.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../solver/build/slipway.js';
import { slipway, stepLines } from './cli.js';

let work: string;
let root: string;
let ctx: string;
let baseCtx: string;

function dockerfile(copyLine = 'COPY a.txt b.txt /files/'): void {
  writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ux/explain-base:1\n${copyLine}\nARG V=1\nCOPY c-\${V}.txt /c.txt\n`);
}

function buildBase(content: string): void {
  writeFileSync(path.join(baseCtx, 'base.txt'), content);
  const r = slipway(root, ['build', '-q', '-t', 'ux/explain-base:1', baseCtx]);
  expect(r.status, r.stderr).toBe(0);
}

/** Explained builds: the MISS line of each step, keyed by step name prefix. */
function explain(...args: string[]): { misses: string[]; copy: string[]; copyC: string[] } {
  return explainIn(ctx, ...args);
}

function explainIn(dir: string, ...args: string[]): { misses: string[]; copy: string[]; copyC: string[] } {
  const r = slipway(root, ['build', '--progress=plain', '--explain-cache', ...args, dir]);
  expect(r.status, r.stderr).toBe(0);
  const miss = (prefix: string) => stepLines(r.stderr, prefix).filter((l) => l.startsWith('MISS: ')).map((l) => l.slice(6));
  return { misses: r.stderr.split('\n').filter((l) => / MISS: /.test(l)), copy: miss('[2/3] COPY a.txt'), copyC: miss('[3/3] COPY c-') };
}

beforeAll(() => {
  work = tempDir('ux-explain');
  root = path.join(work, 'root');
  baseCtx = path.join(work, 'base');
  ctx = path.join(work, 'ctx');
  mkdirSync(baseCtx);
  mkdirSync(ctx);
  writeFileSync(path.join(baseCtx, 'Dockerfile'), 'FROM scratch\nCOPY base.txt /\n');
  buildBase('one');
  for (const [f, t] of [['a.txt', 'a'], ['b.txt', 'b'], ['c-1.txt', 'c1'], ['c-2.txt', 'c2']]) writeFileSync(path.join(ctx, f!), t!);
  dockerfile();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--explain-cache', () => {
  it('first build: no cache record for any step', () => {
    const e = explain();
    expect(e.copy).toEqual(['no cache record for this step (first build)']);
    expect(e.copyC).toEqual(['no cache record for this step (first build)']);
  });

  it('a fully cached build explains nothing', () => {
    expect(explain().misses).toEqual([]);
  });

  it('an edited context file is named by its path; only the steps that read it run', () => {
    writeFileSync(path.join(ctx, 'b.txt'), 'b, edited');
    const e = explain();
    expect(e.copy).toEqual(['context file changed: b.txt']);
    expect(e.copyC).toEqual(['input changed: [2/3] COPY a.txt b.txt /files/']);
  });

  it('a build arg is named', () => {
    const e = explain('--build-arg', 'V=2');
    expect(e.copy).toEqual([]);
    expect(e.copyC).toEqual(['build arg changed: V']);
  });

  it('the base image digest', () => {
    buildBase('two');
    const e = explain('--build-arg', 'V=2');
    expect(e.copy).toEqual([expect.stringMatching(/^base image changed: sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}$/)]);
  });

  it('the instruction text', () => {
    dockerfile('COPY a.txt b.txt /other/');
    const e = explain('--build-arg', 'V=2');
    expect(e.copy).toEqual(['instruction changed']);
  });

  it('--no-cache', () => {
    const e = explain('--build-arg', 'V=2', '--no-cache');
    expect(e.copy).toEqual(['cache disabled by --no-cache']);
    expect(e.copyC).toEqual(['cache disabled by --no-cache']);
  });

  it('a checkout in another directory still names the changed file (CI workspaces move)', () => {
    const moved = path.join(work, 'elsewhere', 'ctx');
    cpSync(ctx, moved, { recursive: true });
    writeFileSync(path.join(moved, 'a.txt'), 'a, edited elsewhere');
    const e = explainIn(moved, '--build-arg', 'V=2');
    expect(e.copy).toEqual(['context file changed: a.txt']);
  });
});
