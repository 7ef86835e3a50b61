// The inode-placement hint on the snapshots directory (src/solver/layer/spread-inodes.ts):
// set on ext4 (what `lsattr` shows as T), quietly refused elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markTopDir } from '../../../src/solver/layer/spread-inodes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fsType(dir: string): string {
  return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
}

// Through the syscall helper, and through a perl child where the helper is off.
describe.each([['helper', undefined], ['perl child', '0']])('markTopDir (%s)', (_how, helperSetting) => {
  beforeEach(() => {
    if (helperSetting === undefined) delete process.env.SLIPWAY_SYSHELPER;
    else process.env.SLIPWAY_SYSHELPER = helperSetting;
  });
  afterEach(() => {
    delete process.env.SLIPWAY_SYSHELPER;
  });
  it('sets FS_TOPDIR_FL on ext4, idempotently; elsewhere answers false without throwing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-topdir-'));
    dirs.push(dir);
    const ext = fsType(dir).startsWith('ext');
    expect(await markTopDir(dir)).toBe(ext);
    if (ext) {
      expect(execFileSync('lsattr', ['-d', dir], { encoding: 'utf8' }).split(' ')[0]).toContain('T');
      expect(await markTopDir(dir)).toBe(true);
    }
    if (existsSync('/dev/shm') && fsType('/dev/shm') === 'tmpfs') {
      const shm = mkdtempSync('/dev/shm/slipway-topdir-');
      dirs.push(shm);
      expect(await markTopDir(shm)).toBe(false);
    }
    expect(await markTopDir(path.join(dir, 'missing'))).toBe(false);
  });
});
