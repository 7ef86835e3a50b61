// A build context given as a symlink to a directory is that directory (fsutil's NewFS
// resolves it with EvalSymlinks): COPY . copies its contents, .dockerignore applies.
import { mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a context directory reached through a symlink', () => {
  it('COPY . copies the directory it names (it failed: "cannot replace to directory /ctx with file")', () => {
    const root = tempDir('ctx-link-root');
    const work = tempDir('ctx-link');
    const out = tempDir('ctx-link-out');
    dirs.push(root, work, out);
    const real = path.join(work, 'real');
    mkdirSync(real);
    writeFileSync(path.join(real, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\nCOPY alink /al\n');
    writeFileSync(path.join(real, 'a'), 'a\n');
    writeFileSync(path.join(real, 'b'), 'b\n');
    writeFileSync(path.join(real, '.dockerignore'), 'b\n');
    symlinkSync('a', path.join(real, 'alink'));
    const link = path.join(work, 'link');
    symlinkSync(real, link);
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, link]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(path.join(out, 'ctx')).sort()).toEqual(['.dockerignore', 'Dockerfile', 'a', 'alink']);
    expect(readlinkSync(path.join(out, 'ctx', 'alink'))).toBe('a');
    expect(readdirSync(out).sort()).toEqual(['al', 'ctx']);
  });
});
