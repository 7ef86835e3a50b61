// COPY --chown=<name> end to end: names resolve against the state the COPY starts from (the
// file op's base input), as BuildKit's llb marshals them (fileop.go: every action's named user
// carries st.base), not against what an earlier source of the same COPY wrote to /etc/passwd.
// The reference builder gives 0:0 to all three entries of the multi-source COPY below
// (testdata/diff/fo-chown-same-copy).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from './slipway.js';

describe('COPY --chown names', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a COPY whose first source replaces /etc/passwd resolves its names in the passwd it started from', () => {
    const root = tempDir('chown-root');
    const ctx = tempDir('chown-ctx');
    const out = tempDir('chown-out');
    dirs.push(root, ctx, out);
    mkdirSync(path.join(ctx, 'old'));
    mkdirSync(path.join(ctx, 'new'));
    writeFileSync(path.join(ctx, 'old', 'passwd'), 'root:x:0:0::/:/bin/sh\nolduser:x:100:101::/:/bin/sh\n');
    writeFileSync(path.join(ctx, 'old', 'group'), 'root:x:0:\noldg:x:200:\n');
    writeFileSync(path.join(ctx, 'new', 'passwd'), 'root:x:0:0::/:/bin/sh\nnewuser:x:300:301::/:/bin/sh\n');
    writeFileSync(path.join(ctx, 'new', 'group'), 'root:x:0:\nnewg:x:400:\n');
    writeFileSync(path.join(ctx, 'f'), 'f\n');
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM scratch',
      'COPY old/ /etc/',
      'COPY --chown=newuser:newg new/passwd new/group f /etc/',
      'COPY --chown=olduser:oldg f /etc/old-names-after',
      'COPY --chown=newuser:newg f /etc/new-names-after',
      '',
    ].join('\n'));
    const r = slipwayBuild(root, ['-o', `type=tar,dest=${out}.tar`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    execFileSync('tar', ['--numeric-owner', '-xpf', `${out}.tar`, '-C', out]);
    rmSync(`${out}.tar`, { force: true });
    const owner = (p: string): string => {
      const s = lstatSync(path.join(out, p));
      return `${s.uid}:${s.gid}`;
    };
    // Looked up in old/passwd and old/group, where neither name exists.
    expect(owner('etc/passwd')).toBe('0:0');
    expect(owner('etc/group')).toBe('0:0');
    expect(owner('etc/f')).toBe('0:0');
    // The next COPY starts from the replaced files.
    expect(owner('etc/old-names-after')).toBe('0:0');
    expect(owner('etc/new-names-after')).toBe('300:400');
  });
});
