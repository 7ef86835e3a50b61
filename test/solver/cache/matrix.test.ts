// The cache matrix of issue 5, through the real CLI: which steps run after which change.
import { appendFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyContext, slipwayBuild, stepState, tempDir } from '../build/slipway.js';

const FROM = '[1/4] FROM 127.0.0.1:5100/library/busybox:latest@sha256:721c0699df9114ac0ae847d0e1a21a6794b979fec74d87e491a1ab4212c4aa49';
const RUN_BASE = '[2/4] RUN echo base > /base';
const COPY = '[3/4] COPY used.txt /app/';
// The progress name shows the expanded value, as BuildKit's does.
const RUN_ARG = '[4/4] RUN echo "';

describe('cache matrix', () => {
  let root: string;
  let ctx: string;
  beforeAll(() => {
    root = tempDir('matrix-root');
    ctx = copyContext('matrix');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(ctx, { recursive: true, force: true });
  });

  const build = (...extra: string[]) => {
    const r = slipwayBuild(root, ['-t', 'matrix:test', ...extra, ctx]);
    expect(r.status, r.stderr).toBe(0);
    return r;
  };

  it('a cold build runs every step', () => {
    const r = build();
    expect(stepState(r, RUN_BASE)).toBe('DONE');
    expect(stepState(r, COPY)).toBe('DONE');
    expect(stepState(r, RUN_ARG)).toBe('DONE');
    expect(r.stats?.containers).toBe(2);
  });

  it('an identical rebuild is all CACHED and starts no container', () => {
    const r = build();
    for (const s of [RUN_BASE, COPY, RUN_ARG]) expect(stepState(r, s), s).toBe('CACHED');
    expect(r.stats).toEqual({ containers: 0, cached: 5, executed: 0 });
  });

  it('touching a COPYed file keeps the cache', () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(ctx, 'used.txt'), later, later);
    const r = build();
    expect(stepState(r, COPY)).toBe('CACHED');
    expect(r.stats?.containers).toBe(0);
  });

  it('editing a context file no step uses keeps the cache', () => {
    appendFileSync(path.join(ctx, 'unused.txt'), 'more\n');
    writeFileSync(path.join(ctx, 'new-unused.txt'), 'x');
    const r = build();
    expect(stepState(r, COPY)).toBe('CACHED');
    expect(r.stats?.containers).toBe(0);
  });

  it('editing a COPYed file re-runs that COPY and what follows, nothing before', () => {
    writeFileSync(path.join(ctx, 'used.txt'), 'used v2\n');
    const r = build('--explain-cache');
    expect(stepState(r, RUN_BASE)).toBe('CACHED');
    expect(stepState(r, COPY)).toBe('DONE');
    expect(stepState(r, RUN_ARG)).toBe('DONE');
    expect(r.stats?.containers).toBe(1);
    expect(r.stderr).toMatch(/^#\d+ MISS: context file changed: used\.txt$/m);
    expect(r.stderr).toMatch(/^#\d+ MISS: input changed: \[3\/4\] COPY used\.txt \/app\/$/m);
  });

  it('changing a build arg re-runs only the steps that see it', () => {
    const r = build('--build-arg', 'FLAVOR=spicy', '--explain-cache');
    expect(stepState(r, RUN_BASE)).toBe('CACHED');
    expect(stepState(r, COPY)).toBe('CACHED');
    expect(stepState(r, RUN_ARG)).toBe('DONE');
    expect(r.stats?.containers).toBe(1);
    expect(r.stderr).toMatch(/MISS: build arg changed: FLAVOR/);
  });

  it('--no-cache runs everything', () => {
    const r = build('--no-cache', '--explain-cache');
    for (const s of [RUN_BASE, COPY, RUN_ARG]) expect(stepState(r, s), s).toBe('DONE');
    expect(r.stats?.containers).toBe(2);
    expect(r.stderr).toMatch(/MISS: cache disabled by --no-cache/);
    expect(r.steps.has(FROM)).toBe(true);
    expect(r.stderr).toMatch(/RUN echo "plain"/);
  });

  it('--pull keeps the cache when the registry has nothing newer', () => {
    const r = build('--pull');
    for (const s of [FROM, RUN_BASE, COPY, RUN_ARG]) expect(stepState(r, s), s).toBe('CACHED');
    expect(r.stats?.containers).toBe(0);
  });

  it('a new process after --no-cache reuses the fresh results', () => {
    const r = build();
    expect(r.stats?.containers).toBe(0);
  });
});
