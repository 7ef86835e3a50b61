// Mount stubs as BuildKit's MountStubsCleaner finds them: targets resolved with fs.RootPath,
// which follows the last component too, so a dangling symlink's target is the stub.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordMountStubs } from '../../../src/solver/executor/mount-stubs.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function rootfs(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'slipway-hm-stubs-'));
  dirs.push(d);
  mkdirSync(path.join(d, 'etc'));
  return d;
}

describe('mount stubs', () => {
  it('a target that is a dangling symlink: the created target and its new parents go, the link stays', () => {
    const root = rootfs();
    symlinkSync('/nowhere/dangling', path.join(root, 'dangle'));
    const clean = recordMountStubs(root, ['/dangle']);
    // What the runtime does when it mounts there.
    mkdirSync(path.join(root, 'nowhere', 'dangling'), { recursive: true });
    clean();
    expect(existsSync(path.join(root, 'nowhere'))).toBe(false);
    expect(lstatSync(path.join(root, 'dangle')).isSymbolicLink()).toBe(true);
  });

  it('/etc/resolv.conf linked to a missing file: the empty file made for the mount goes', () => {
    const root = rootfs();
    mkdirSync(path.join(root, 'run'));
    symlinkSync('../run/systemd/resolve/stub-resolv.conf', path.join(root, 'etc', 'resolv.conf'));
    const clean = recordMountStubs(root, []);
    mkdirSync(path.join(root, 'run', 'systemd', 'resolve'), { recursive: true });
    writeFileSync(path.join(root, 'run', 'systemd', 'resolve', 'stub-resolv.conf'), '');
    clean();
    expect(existsSync(path.join(root, 'run', 'systemd'))).toBe(false);
    expect(existsSync(path.join(root, 'run'))).toBe(true);
  });

  it('a symlink to an existing directory is no stub', () => {
    const root = rootfs();
    mkdirSync(path.join(root, 'real'));
    symlinkSync('real', path.join(root, 'link'));
    const clean = recordMountStubs(root, ['/link']);
    clean();
    expect(existsSync(path.join(root, 'real'))).toBe(true);
    expect(lstatSync(path.join(root, 'link')).isSymbolicLink()).toBe(true);
  });
});
