// A --chown name with no input to read /etc/passwd from (llb marshals input -1 for a file op on
// scratch: `COPY --link --chown=<name>`, or FROM scratch + COPY --chown=<name>) fails as in
// BuildKit's FileOpSolver.loadUser ("invalid user index: -1"); it used to give 0:0 silently.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveChown } from '../../../src/solver/fileop/index.js';
import { BIN, tempDir } from '../build/slipway.js';

describe('--chown by name without an input', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('resolveChown refuses a user or group name of input -1; ids need no input', async () => {
    const none = () => {
      throw new Error('no rootfs should be asked for');
    };
    await expect(resolveChown({ user: { name: 'nobody', input: -1 } }, none)).rejects.toThrow('invalid user index: -1');
    await expect(resolveChown({ user: { id: 7 }, group: { name: 'staff', input: -1 } }, none)).rejects.toThrow('invalid user index: -1');
    expect(await resolveChown({ user: { id: 7 }, group: { id: 8 } }, none)).toEqual({ uid: 7, gid: 8 });
  });

  it('COPY --link --chown=<name> fails the build; a numeric owner works', () => {
    const ctx = tempDir('chown-link-ctx');
    const root = tempDir('chown-link-root');
    dirs.push(ctx, root);
    writeFileSync(path.join(ctx, 'a.txt'), 'a\n');
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /base/\nCOPY --link --chown=nobody:nogroup a.txt /x/\n');
    const bad = spawnSync(BIN, ['--root', root, 'build', '--progress=plain', ctx], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('invalid user index: -1');
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /base/\nCOPY --link --chown=7:root a.txt /x/\n');
    const ok = spawnSync(BIN, ['--root', root, 'build', '--progress=plain', ctx], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
  });
});
