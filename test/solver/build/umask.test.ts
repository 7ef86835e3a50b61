// A restrictive umask of the user running Slipway does not reach the build: a RUN's process
// runs under 022 (as under buildkitd), and a new cache mount directory is 0755.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../helpers/testenv.js';
import { BIN, copyContext, tempDir } from './slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function buildUnderUmask077(extraEnv: NodeJS.ProcessEnv = {}): string {
  testEnv();
  const root = tempDir('umask-root');
  const out = tempDir('umask-out');
  const ctx = copyContext('umask');
  dirs.push(root, out, ctx);
  const r = spawnSync('sh', ['-c', 'umask 077 && exec "$0" "$@"', BIN, '--root', root, 'build', '--progress=plain',
    '-o', `type=local,dest=${out}`, ctx], { encoding: 'utf8', env: { ...process.env, ...extraEnv }, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return out;
}

const mode = (p: string): string => (statSync(p).mode & 0o7777).toString(8);

describe('umask', () => {
  it('a RUN under Slipway started with umask 077 creates 0644 files and 0755 directories; its cache mount is 0755', () => {
    const out = buildUnderUmask077();
    expect(mode(path.join(out, 'f'))).toBe('644');
    expect(mode(path.join(out, 'd'))).toBe('755');
    expect(readFileSync(path.join(out, 'cmode'), 'utf8').trim()).toBe('755');
    // A mount point's parent the runtime made for the step: 0755, not 0700 (a non-root USER
    // could not reach the mount through it).
    expect(readFileSync(path.join(out, 'npmode'), 'utf8').trim()).toBe('755');
  });

  it('the same without the syscall helper (the runtime started by Node)', () => {
    const out = buildUnderUmask077({ SLIPWAY_SYSHELPER: '0' });
    expect(mode(path.join(out, 'f'))).toBe('644');
    expect(mode(path.join(out, 'd'))).toBe('755');
    expect(readFileSync(path.join(out, 'npmode'), 'utf8').trim()).toBe('755');
  });
});
