// Scheduling through the real CLI: independent stages overlap in time, a failing RUN stops
// the build with BuildKit's message and the last output lines, and its siblings are canceled.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyContext, slipwayBuild, stepState, tempDir } from '../build/slipway.js';

/** No snapshot temp dir, build temp dir, mount or container of ours is left behind. */
function expectNothingLeft(root: string): void {
  expect(readdirSync(path.join(root, 'snapshots')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  const tmp = path.join(root, 'tmp');
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);
  const listed = spawnSync('runc', ['list', '-q'], { encoding: 'utf8' }).stdout ?? '';
  const mine = listed.split('\n').filter((id) => id.startsWith('slipway-'));
  for (const id of mine) {
    const state = spawnSync('runc', ['state', id], { encoding: 'utf8' }).stdout ?? '';
    expect(state).not.toContain(root);
  }
}

interface RawEvent { type: string; id: string; name?: string; time: number }

/** Start/done events from --progress=rawjson (BuildKit SolveStatus lines: whole vertices). */
function vertexEvents(stderr: string): RawEvent[] {
  type Vertex = { digest: string; name: string; started?: string; completed?: string; error?: string };
  const out: RawEvent[] = [];
  for (const line of stderr.trim().split('\n')) {
    for (const v of (JSON.parse(line) as { vertexes?: Vertex[] }).vertexes ?? []) {
      if (v.completed && !v.error) out.push({ type: 'vertex-done', id: v.digest, name: v.name, time: Date.parse(v.completed) / 1000 });
      else if (v.started && !v.completed) out.push({ type: 'vertex-start', id: v.digest, name: v.name, time: Date.parse(v.started) / 1000 });
    }
  }
  return out;
}

describe('scheduler', () => {
  let root: string;
  const dirs: string[] = [];
  beforeAll(() => {
    root = tempDir('sched-root');
  });
  afterAll(() => {
    for (const d of [root, ...dirs]) rmSync(d, { recursive: true, force: true });
  });

  it('runs two independent stages at the same time', () => {
    const ctx = copyContext('parallel');
    dirs.push(ctx);
    const r = spawnSync(BIN, ['--root', root, 'build', '--progress=rawjson', '--max-parallelism', '2', ctx], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const events = vertexEvents(r.stderr);
    const span = (prefix: string) => {
      const start = events.find((e) => e.type === 'vertex-start' && e.name?.startsWith(prefix));
      expect(start, prefix).toBeDefined();
      const done = events.find((e) => e.type === 'vertex-done' && e.id === start!.id);
      return [start!.time, done!.time] as const;
    };
    const [ls, le] = span('[left 2/2] RUN');
    const [rs, re] = span('[right 2/2] RUN');
    expect(le - ls).toBeGreaterThanOrEqual(0.9);
    // Overlap: each starts before the other ends.
    expect(ls).toBeLessThan(re);
    expect(rs).toBeLessThan(le);
  });

  it('--max-parallelism 1 runs them one after the other', () => {
    const ctx = copyContext('parallel');
    dirs.push(ctx);
    const r = spawnSync(BIN, ['--root', root, 'build', '--no-cache', '--progress=rawjson', '--max-parallelism', '1', ctx], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const events = vertexEvents(r.stderr);
    const runs = events.filter((e) => e.type === 'vertex-start' && /RUN sleep/.test(e.name ?? ''));
    expect(runs).toHaveLength(2);
    const firstDone = events.find((e) => e.type === 'vertex-done' && e.id === runs[0]!.id)!;
    expect(runs[1]!.time).toBeGreaterThanOrEqual(firstDone.time);
  });

  it('--no-cache-filter re-runs only the named stage', () => {
    const ctx = copyContext('parallel');
    dirs.push(ctx);
    const r = slipwayBuild(root, ['--no-cache-filter', 'left', '--explain-cache', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(stepState(r, '[left 2/2] RUN')).toBe('DONE');
    expect(stepState(r, '[right 2/2] RUN')).toBe('CACHED');
    expect(r.stderr).toMatch(/MISS: cache disabled by --no-cache-filter for stage left/);
    expect(stepState(r, '[stage-2 2/3] COPY --from=left')).toBe('DONE');
    expect(r.stderr).toMatch(/MISS: input re-run without the cache: \[left 2\/2\] RUN/);
  });

  it('a failing RUN reports the process, exit code and last output lines; exit code 1', () => {
    const ctx = tempDir('ctx-fail');
    dirs.push(ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest AS slow',
      'RUN sleep 20',
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN echo first line && echo second line >&2 && exit 3',
      'COPY --from=slow /etc/hostname /x',
      '',
    ].join('\n'));
    const started = Date.now();
    const r = slipwayBuild(root, ['--max-parallelism', '2', ctx]);
    expect(r.status).toBe(1);
    // The sleeping sibling was canceled, not waited for.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toContain('ERROR: failed to solve: process "/bin/sh -c echo first line && echo second line >&2 && exit 3" did not complete successfully: exit code: 3');
    // stdout and stderr lines may arrive in either order.
    const box = /^------\n > \[stage-1 2\/3\] RUN echo first line.*:\n((?:.*\n)*?)------$/m.exec(r.stderr);
    // Box lines carry BuildKit's timestamp (`0.107 first line`).
    expect(box?.[1]?.split('\n').filter(Boolean).map((l) => l.replace(/^\d+\.\d+ /, '')).sort()).toEqual(['first line', 'second line']);
    expect(r.stderr).toMatch(/^#\d+ ERROR: process "\/bin\/sh -c echo first line/m);
    // The Dockerfile lines around the step, the failing one marked.
    expect(r.stderr).toContain('Dockerfile:4\n--------------------\n');
    expect(r.stderr).toMatch(/^ +4 \| >>> RUN echo first line && echo second line >&2 && exit 3$/m);
    expect(r.stderr).toMatch(/^ +3 \|     FROM 127\.0\.0\.1:5100\/library\/busybox:latest$/m);
    expectNothingLeft(root);
  });

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} cancels a running build cleanly and exits ${code}`, async () => {
      const ctx = tempDir('ctx-sig');
      dirs.push(ctx);
      writeFileSync(path.join(ctx, 'Dockerfile'), `FROM 127.0.0.1:5100/library/busybox:latest\nRUN echo ${sig} && sleep 30\n`);
      const child = spawn(BIN, ['--root', root, 'build', '--progress=plain', ctx], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes(` ${sig}\n`)) resolve();
      }));
      const t = Date.now();
      child.kill(sig);
      expect(await exited).toBe(code);
      expect(Date.now() - t).toBeLessThan(10_000);
      expectNothingLeft(root);
    });
  }

  it('names a missing COPY source', () => {
    const ctx = tempDir('ctx-missing');
    dirs.push(ctx);
    mkdirSync(path.join(ctx, 'sub'));
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest\nCOPY sub/nope.txt /\n');
    const r = slipwayBuild(root, [ctx]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"/sub/nope.txt": not found');
  });
});
