import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveRoot } from '../src/cli/root.js';

const bin = fileURLToPath(new URL('../bin/slipway', import.meta.url));

describe('slipway CLI basics', () => {
  it('prints its version', () => {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^slipway \d+\.\d+\.\d+/);
  });

  it('prints help listing its commands', () => {
    const out = execFileSync(bin, ['--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: slipway');
    expect(out).toContain('--root <dir>');
    expect(out).toContain('debug');
  });

  it('exits 2 on an unknown command', () => {
    const r = spawnSync(bin, ['no-such-command'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
  });
});

describe('--root resolution', () => {
  it('prefers the flag, then SLIPWAY_ROOT, then XDG_DATA_HOME, then ~/.local/share', () => {
    expect(resolveRoot('/x/y', { SLIPWAY_ROOT: '/a' })).toBe('/x/y');
    expect(resolveRoot(undefined, { SLIPWAY_ROOT: '/a', XDG_DATA_HOME: '/b' })).toBe('/a');
    expect(resolveRoot(undefined, { XDG_DATA_HOME: '/b' })).toBe('/b/slipway');
    expect(resolveRoot(undefined, {})).toMatch(/\.local\/share\/slipway$/);
  });
});
