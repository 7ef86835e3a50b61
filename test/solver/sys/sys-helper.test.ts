// The syscall helper (src/solver/sys): its protocol, its errors, its xattr dumps against
// getfattr's, and mounts, unmounts and xattr restores through it and through the tools
// (SLIPWAY_SYSHELPER=0), which must give the same results.
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  readTreeXattrs, readTreeXattrsMatching, readXattrs, writeXattrs, XattrToolError, type Xattrs,
} from '../../../src/solver/layer/xattrs.js';
import { mountOverlay, mountsUnder, unmount } from '../../../src/solver/snapshot/overlay-mount.js';
import { makeNode, makeWhiteout } from '../../../src/solver/sys/mknod.js';
import { SysCallError, sysHelper } from '../../../src/solver/sys/sys-helper.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-syshelper-'));
afterAll(async () => {
  for (const mp of await mountsUnder(work)) await unmount(mp).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.SLIPWAY_SYSHELPER;
});

let n = 0;
const fresh = (name: string): string => {
  const dir = path.join(work, `${name}-${n++}`);
  mkdirSync(dir);
  return dir;
};

/** A dump with its order kept and values in hex, for toEqual. */
function plain(dump: Map<string, Xattrs>): [string, [string, string][]][] {
  return [...dump].map(([file, attrs]) => [file, [...attrs].map(([k, v]) => [k, v.toString('hex')])]);
}

/** Both ways of doing `fn`: through the helper, then through the tools. */
async function bothWays<T>(fn: () => Promise<T>): Promise<{ helper: T; tools: T }> {
  const helper = await fn();
  process.env.SLIPWAY_SYSHELPER = '0';
  try {
    return { helper, tools: await fn() };
  } finally {
    delete process.env.SLIPWAY_SYSHELPER;
  }
}

/** setfattr --restore input: names and values given as bytes (\ooo-quoted / hex). */
function restore(entries: [string | Buffer, [Buffer, Buffer][]][]): void {
  const q = (b: Buffer): string => [...b].map((c) => (c > 0x20 && c < 0x7f && c !== 0x5c && c !== 0x3d
    ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, '0')}`)).join('');
  const text = entries.map(([file, attrs]) =>
    `# file: ${q(Buffer.from(file))}\n${attrs.map(([k, v]) => `${q(k)}=0x${v.toString('hex')}\n`).join('')}\n`).join('');
  const f = path.join(work, `restore-${n++}`);
  writeFileSync(f, text);
  execFileSync('setfattr', ['-h', `--restore=${f}`]);
}

/** A tree with user.* and overlay xattrs, odd bytes in file names, names and values. */
function oddTree(): string {
  const root = fresh('odd');
  mkdirSync(path.join(root, 'opaque/deeper'), { recursive: true });
  mkdirSync(path.join(root, 'plain'));
  writeFileSync(path.join(root, 'f'), 'f');
  writeFileSync(path.join(root, 'opaque/deeper/g'), 'g');
  writeFileSync(path.join(root, 'new\nline\\back=eq'), '');
  writeFileSync(Buffer.from(`${root}/latin1-\xe9-bytes`, 'latin1'), '');
  symlinkSync('opaque', path.join(root, 'link-to-dir'));
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  restore([
    [root, [[b('user.root'), b('')]]],
    [path.join(root, 'f'), [[b('user.zeta'), b('z')], [b('user.alpha'), Buffer.from([0, 0xff, 0x0a, 0x3d, 0x5c])],
      [b('user.with space=eq\\back\nnl'), b('x')], [b('user.\xff\xfe-not-utf8'), b('v')], [b('user.caf\xc3\xa9'), b('utf8')]]],
    [path.join(root, 'opaque'), [[b('trusted.overlay.opaque'), b('y')], [b('user.overlay.opaque'), b('y')]]],
    [path.join(root, 'opaque/deeper/g'), [[b('trusted.overlay.origin'), Buffer.alloc(300, 7)]]],
    [path.join(root, 'link-to-dir'), [[b('trusted.on-the-link'), b('1')]]],
    [path.join(root, 'new\nline\\back=eq'), [[b('user.k'), b('')]]],
    [Buffer.from(`${root}/latin1-\xe9-bytes`, 'latin1'), [[b('user.latin1'), b('l')]]],
  ]);
  return root;
}

describe('syscall helper', () => {
  it('dumps a tree\'s xattrs exactly as getfattr does: order, odd bytes, symlinks not followed', async () => {
    const root = oddTree();
    const { helper, tools } = await bothWays(() => readTreeXattrs(root));
    expect(plain(helper)).toEqual(plain(tools));
    expect(helper.get(path.join(root, 'opaque'))?.get('trusted.overlay.opaque')?.toString()).toBe('y');
    expect([...(helper.get(path.join(root, 'f'))?.keys() ?? [])]).toContain('user.with space=eq\\back\nnl');
    expect(helper.get(path.join(root, 'link-to-dir'))?.get('trusted.on-the-link')?.toString()).toBe('1');
    expect(helper.has(path.join(root, 'plain'))).toBe(false);
    expect(helper.size).toBe(7);

    const sub = await bothWays(() => readTreeXattrsMatching(root, '^(trusted|user)\\.overlay\\.opaque$'));
    expect(plain(sub.helper)).toEqual(plain(sub.tools));
    expect([...sub.helper.keys()]).toEqual([path.join(root, 'opaque')]);

    const one = await bothWays(() => readXattrs(path.join(root, 'f')));
    expect([...one.helper].map(([k, v]) => [k, v.toString('hex')])).toEqual([...one.tools].map(([k, v]) => [k, v.toString('hex')]));
    const link = await bothWays(() => readXattrs(path.join(root, 'link-to-dir')));
    expect([...link.helper.keys()]).toEqual(['trusted.on-the-link']);
    expect([...link.tools.keys()]).toEqual(['trusted.on-the-link']);
  });

  it('a symlinked or missing tree root: the link itself, or an error naming the path', async () => {
    const root = oddTree();
    const viaLink = await bothWays(() => readTreeXattrs(path.join(root, 'link-to-dir')));
    expect(plain(viaLink.helper)).toEqual(plain(viaLink.tools));
    expect(viaLink.helper.size).toBe(1);
    const missing = path.join(root, 'missing');
    await expect(readTreeXattrs(missing)).rejects.toThrow(new XattrToolError(
      `reading the xattrs below ${missing} failed: ${missing}: No such file or directory`));
    process.env.SLIPWAY_SYSHELPER = '0';
    await expect(readTreeXattrs(missing)).rejects.toThrow(XattrToolError);
  });

  it('writes xattrs like setfattr --restore, on symlinks too, and reports a failure after trying all', async () => {
    const src = oddTree();
    // Dump keys are strings: a file name that is not UTF-8 cannot be written back (both ways).
    rmSync(Buffer.from(`${src}/latin1-\xe9-bytes`, 'latin1'));
    const dump = await readTreeXattrs(src);
    const copies: Map<string, Xattrs>[] = [];
    for (const helperOff of [false, true]) {
      const dst = fresh('dst');
      execFileSync('cp', ['-a', '--no-preserve=xattr', `${src}/.`, dst]);
      if (helperOff) process.env.SLIPWAY_SYSHELPER = '0';
      await writeXattrs(new Map([...dump].map(([f, a]) => [path.join(dst, path.relative(src, f)), a])));
      delete process.env.SLIPWAY_SYSHELPER;
      process.env.SLIPWAY_SYSHELPER = '0';
      copies.push(new Map([...(await readTreeXattrs(dst))].map(([f, a]) => [path.relative(dst, f), a])));
      delete process.env.SLIPWAY_SYSHELPER;
    }
    const rel = new Map([...dump].map(([f, a]) => [path.relative(src, f), a]));
    expect(plain(copies[0] as Map<string, Xattrs>)).toEqual(plain(rel));
    expect(plain(copies[1] as Map<string, Xattrs>)).toEqual(plain(rel));

    // user.* is refused on a symlink (EPERM): the other entries are still written.
    const dir = fresh('partial');
    writeFileSync(path.join(dir, 'a'), '');
    writeFileSync(path.join(dir, 'b'), '');
    symlinkSync('a', path.join(dir, 'l'));
    const v = new Map([['user.x', Buffer.from('1')]]);
    const err = await writeXattrs(new Map([[path.join(dir, 'a'), v], [path.join(dir, 'l'), v], [path.join(dir, 'b'), v]]))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XattrToolError);
    expect((err as Error).message).toBe(`setting xattrs failed: ${path.join(dir, 'l')}: Operation not permitted`);
    expect((await readXattrs(path.join(dir, 'b'))).get('user.x')?.toString()).toBe('1');
  });

  it('keeps several requests in flight and matches each reply to its request', async () => {
    const root = oddTree();
    const expected = plain(await readTreeXattrs(root));
    const missing = path.join(work, 'nowhere');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 3 === 2
      ? readTreeXattrs(missing).then(() => 'resolved', (e: Error) => e.message)
      : readTreeXattrs(i % 3 === 0 ? root : path.join(root, 'opaque')).then(plain))));
    results.forEach((r, i) => {
      if (i % 3 === 2) expect(r).toMatch(/No such file or directory$/);
      else if (i % 3 === 0) expect(r).toEqual(expected);
      else expect(r).toEqual(expected.filter(([f]) => f.startsWith(path.join(root, 'opaque'))));
    });
  });

  it('mounts and unmounts overlayfs; the errors read like the tools\' and name the target', async () => {
    for (const helperOff of [false, true]) {
      if (helperOff) process.env.SLIPWAY_SYSHELPER = '0';
      const base = fresh('ovl');
      for (const d of ['lower', 'fs', 'work', 'merged']) mkdirSync(path.join(base, d));
      writeFileSync(path.join(base, 'lower/x'), 'x');
      const target = path.join(base, 'merged');
      await mountOverlay({ base, lowers: [path.join(base, 'lower')], upper: 'fs', work: 'work', target });
      expect(await mountsUnder(base)).toEqual([target]);
      writeFileSync(path.join(target, 'y'), 'y');
      await unmount(target);
      expect(await mountsUnder(base)).toEqual([]);
      expect(execFileSync('ls', [path.join(base, 'fs')]).toString()).toBe('y\n');

      const nowhere = path.join(base, 'missing');
      const err = await mountOverlay({ base: fresh('ovl2'), lowers: [path.join(base, 'lower')], target: nowhere })
        .then(() => new Error('mounted'), (e: Error) => e);
      expect(err.message).toMatch(new RegExp(`^mounting overlayfs on ${nowhere} failed: `));
      if (!helperOff) expect(err.message).toBe(`mounting overlayfs on ${nowhere} failed: No such file or directory`);
      const notMounted = await unmount(target).catch((e: Error) => e);
      expect(notMounted).toBeInstanceOf(Error);
      expect((notMounted as Error).message).toMatch(new RegExp(`^umount ${target} failed: `));
      if (!helperOff) expect((notMounted as Error).message).toBe(`umount ${target} failed: Invalid argument`);
      delete process.env.SLIPWAY_SYSHELPER;
    }
  });

  it('detaches a busy mount lazily', async () => {
    for (const helperOff of [false, true]) {
      if (helperOff) process.env.SLIPWAY_SYSHELPER = '0';
      const base = fresh('busy');
      for (const d of ['lower', 'empty', 'merged']) mkdirSync(path.join(base, d));
      const target = path.join(base, 'merged');
      await mountOverlay({ base, lowers: [path.join(base, 'lower'), path.join(base, 'empty')], target });
      const holder = spawn('sleep', ['30'], { cwd: target, stdio: 'ignore' });
      try {
        await new Promise((r) => holder.once('spawn', r));
        await unmount(target);
        expect(await mountsUnder(base)).toEqual([]);
      } finally {
        holder.kill('SIGKILL');
      }
      delete process.env.SLIPWAY_SYSHELPER;
    }
  });

  it('SLIPWAY_SYSHELPER=0 starts no helper; a helper that dies fails its requests clearly and is replaced', async () => {
    process.env.SLIPWAY_SYSHELPER = '0';
    expect(sysHelper()).toBeUndefined();
    delete process.env.SLIPWAY_SYSHELPER;
    const h = sysHelper();
    expect(h?.pid).toBeTypeOf('number');
    // A walk of /usr takes far longer than the kill takes to land.
    const inFlight = readTreeXattrs('/usr').then(() => 'finished', (e: Error) => e.message);
    process.kill(h?.pid as number, 'SIGKILL');
    expect(await inFlight).toMatch(/^slipway's syscall helper \(perl, pid \d+\) exited with SIGKILL/);
    const again = sysHelper();
    expect(again?.pid).not.toBe(h?.pid);
    expect((await readTreeXattrs(oddTree())).size).toBe(7);
  });

  it('reports errno and a message for a failed syscall', async () => {
    const h = sysHelper();
    const err = await h?.umount(path.join(work, 'not-there')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SysCallError);
    expect((err as SysCallError).errno).toBe(2);
    expect((err as SysCallError).message).toBe('No such file or directory');
  });

  it('makes device nodes, fifos and whiteouts like mknod -m, exact modes and big device numbers included', async () => {
    const make = async (): Promise<string[]> => {
      const dir = fresh('nodes');
      await makeNode(path.join(dir, 'null'), 'c', 0o640, 1, 3);
      await makeNode(path.join(dir, 'big'), 'b', 0o600, 4095, 0xfffff);
      await expect(makeNode(path.join(dir, 'too-big'), 'b', 0o600, 4096, 0)).rejects.toThrow(/Invalid argument/);
      await makeNode(path.join(dir, 'fifo'), 'p', 0o777);
      await makeWhiteout(path.join(dir, 'wh'));
      await expect(makeNode(path.join(dir, 'suid'), 'c', 0o4755, 1, 3)).rejects.toThrow(/mode must specify only file permission bits/);
      await expect(makeWhiteout(path.join(dir, 'wh'))).rejects.toThrow(/File exists/);
      return ['null', 'big', 'fifo', 'wh', 'suid'].map((f) => {
        try {
          const st = lstatSync(path.join(dir, f));
          return `${f} ${st.mode.toString(8)} ${st.rdev}`;
        } catch {
          return `${f} missing`;
        }
      });
    };
    const { helper, tools } = await bothWays(make);
    expect(helper).toEqual(tools);
    expect(helper).toEqual(['null 20640 259', `big 60600 ${0xffffffff}`, 'fifo 10777 0', 'wh 20000 0', 'suid missing']);
  });
});
