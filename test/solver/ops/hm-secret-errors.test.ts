// A required secret the client did not give fails the step with BuildKit's wording
// (secrets.GetSecret: errors.Wrapf(ErrNotFound, "secret %s", id) → "secret ID: not found").
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function buildWith(lines: string[], args: string[] = []) {
  const root = tempDir('hm-secret-root');
  const ctx = tempDir('hm-secret-ctx');
  dirs.push(root, ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), ['FROM 127.0.0.1:5100/library/busybox:latest', ...lines, ''].join('\n'));
  return slipwayBuild(root, [...args, ctx]);
}

describe('missing secrets', () => {
  it('required=true as a file: "secret tok: not found"', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok,required=true true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('secret tok: not found');
  });

  it('required as an env var: the same', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok2,env=TOK,required true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('secret tok2: not found');
  });

  it('optional (the default): the step runs without it', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok3 test ! -e /run/secrets/tok3 && test -z "$TOK"']);
    expect(r.status, r.stderr).toBe(0);
  });

  it('a secret file gets the permission bits of its mode only, nodev/nosuid, and noexec unless executable', () => {
    const dir = tempDir('hm-secret-src');
    const out = tempDir('hm-secret-out');
    dirs.push(dir, out);
    writeFileSync(path.join(dir, 's'), '#!/bin/sh\necho ran\n');
    const r = buildWith([
      'RUN --mount=type=secret,id=s,target=/x/run.sh,mode=4755 stat -c "%a %u %g" /x/run.sh > /st && /x/run.sh > /ran'
        + ' && grep " /x/run.sh " /proc/self/mountinfo | cut -d" " -f6 > /opts',
      'RUN --mount=type=secret,id=s,target=/x/s,uid=7 stat -c "%a %u %g" /x/s > /st2; /x/s > /ran2 2>&1; grep " /x/s " /proc/self/mountinfo | cut -d" " -f6 > /opts2',
    ], ['--secret', `id=s,src=${path.join(dir, 's')}`, '-o', `type=local,dest=${out}`]);
    expect(r.status, r.stderr).toBe(0);
    const read = (f: string) => readFileSync(path.join(out, f), 'utf8').trim();
    expect(read('st')).toBe('755 0 0');
    expect(read('ran')).toBe('ran');
    expect(read('opts').split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
    expect(read('opts').split(',')).not.toContain('noexec');
    expect(read('st2')).toBe('400 7 0');
    expect(read('ran2')).toMatch(/Permission denied/);
    expect(read('opts2').split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
  });
});
