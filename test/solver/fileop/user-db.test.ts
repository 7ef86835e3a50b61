// The stand-in rootfs for --chown lookups (user-db.ts): passwd and group as the tree shows them
// before the file op's first action, a directory kept a directory, a missing file missing.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileAction } from '../../../src/llb/types.js';
import { plainDest } from '../../../src/solver/fileop/dest-tree.js';
import { resolveChown } from '../../../src/solver/fileop/index.js';
import { looksUpNames, userDbRoot } from '../../../src/solver/fileop/user-db.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-userdb-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('userDbRoot', () => {
  it('copies passwd through a symlink inside the tree, keeps a directory group a directory', async () => {
    const root = path.join(work, 'root');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    mkdirSync(path.join(root, 'usr/share'), { recursive: true });
    writeFileSync(path.join(root, 'usr/share/passwd'), 'app:x:5:6::/:/bin/sh\n');
    symlinkSync('/usr/share/passwd', path.join(root, 'etc/passwd'));
    mkdirSync(path.join(root, 'etc/group'));
    const db = userDbRoot(plainDest(root), path.join(work, 'db'));
    // Later writes to the tree do not reach the copy.
    writeFileSync(path.join(root, 'usr/share/passwd'), 'app:x:7:8::/:/bin/sh\n');
    expect(readFileSync(path.join(db, 'etc/passwd'), 'utf8')).toBe('app:x:5:6::/:/bin/sh\n');
    expect(lstatSync(path.join(db, 'etc/group')).isDirectory()).toBe(true);
    expect(await resolveChown({ user: { name: 'app', input: 0 } }, () => db)).toEqual({ uid: 5, gid: 6 });
    await expect(resolveChown({ group: { name: 'g', input: 0 } }, () => db)).rejects.toThrow('read /etc/group: is a directory');
  });

  it('leaves out files the tree does not have', () => {
    const root = path.join(work, 'empty');
    mkdirSync(root);
    const db = userDbRoot(plainDest(root), path.join(work, 'db2'));
    expect(existsSync(path.join(db, 'etc/passwd'))).toBe(false);
    expect(existsSync(path.join(db, 'etc/group'))).toBe(false);
  });
});

describe('looksUpNames', () => {
  const copy = (owner?: object): FileAction => ({
    input: 0, secondaryInput: 1, output: 0,
    action: { type: 'copy', src: '/f', dest: '/f', ...(owner ? { owner } : {}) },
  } as unknown as FileAction);
  it('is true only when some action names a user or group', () => {
    expect(looksUpNames([copy(), copy({ user: { id: 1 }, group: { id: 2 } })])).toBe(false);
    expect(looksUpNames([copy(), copy({ group: { name: 'g', input: 0 } })])).toBe(true);
    expect(looksUpNames([copy({ user: { name: 'u', input: 0 } })])).toBe(true);
  });
});
