// Context files whose names are not valid UTF-8 (BuildKit carries names as bytes): COPY takes
// them with the exact name, their content is part of the cache key like any file's.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, stepState, tempDir } from './slipway.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('context names that are not valid UTF-8', () => {
  it('are copied exactly and checksummed like any file', () => {
    const ctx = tempDir('bytes-ctx');
    const root = tempDir('bytes-root');
    const out = tempDir('bytes-out');
    dirs.push(ctx, root, out);
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest\nCOPY . /ctx/\n');
    mkdirSync(path.join(ctx, 'sub'));
    const bad = Buffer.concat([Buffer.from(`${ctx}/sub/caf`), latin1('\xe9')]);
    writeFileSync(bad, 'one');
    const build = () => slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    const first = build();
    expect(first.status, first.stderr).toBe(0);
    const names = readdirSync(Buffer.from(path.join(out, 'ctx', 'sub')), { encoding: 'buffer' });
    expect(names).toEqual([Buffer.concat([Buffer.from('caf'), latin1('\xe9')])]);
    expect(readFileSync(Buffer.concat([Buffer.from(`${out}/ctx/sub/caf`), latin1('\xe9')]), 'utf8')).toBe('one');
    expect(stepState(build(), '[2/2] COPY . /ctx/')).toBe('CACHED');
    writeFileSync(bad, 'two');
    expect(stepState(build(), '[2/2] COPY . /ctx/')).toBe('DONE');
  });
});
