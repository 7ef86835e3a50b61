import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('slipway version', () => {
  it('lists the runtimes and the syscall helper with the versions they report', () => {
    const runc = execFileSync('runc', ['--version'], { encoding: 'utf8' });
    const runcVersion = /runc version (\S+)/.exec(runc)?.[1];
    expect(runcVersion).toBeTruthy();
    const perl = execFileSync('perl', ['-e', 'print $^V'], { encoding: 'utf8' });
    const text = execFileSync(bin, ['version'], { encoding: 'utf8' });
    expect(text).toMatch(/^Client: Slipway\n Version: +\d+\.\d+\.\d+/);
    expect(text).toContain(` runc:\n  Version:          ${runcVersion}\n`);
    expect(text).toContain(` perl:\n  Version:          ${perl}\n`);
    const json = JSON.parse(execFileSync(bin, ['version', '--format', 'json'], { encoding: 'utf8' })) as {
      Client: { Arch: string; Root: string }; Runtimes: Array<{ Name: string; Version: string; Spec: string }>;
    };
    expect(json.Client.Arch).toBe(process.arch === 'x64' ? 'amd64' : process.arch);
    expect(json.Runtimes.map((r) => r.Name)).toEqual(['runc', 'crun']);
    expect(json.Runtimes[0]).toMatchObject({ Version: runcVersion, Spec: /^spec: (.*)$/m.exec(runc)?.[1] });
    const tmpl = execFileSync(bin, ['version', '-f', '{{.Client.Root}}|{{range .Runtimes}}{{.Name}} {{end}}'], {
      encoding: 'utf8', env: { ...process.env, SLIPWAY_ROOT: '/nonexistent/slipway-root' },
    });
    expect(tmpl).toBe('/nonexistent/slipway-root|runc crun \n');
  });

  it('says which component is missing instead of failing', () => {
    // Node by its path: the launcher finds node along PATH.
    const r = spawnSync(process.execPath, [`${bin}.cjs`, 'version'], { encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ runc:\n  Error: +not installed\n/);
    expect(r.stdout).toMatch(/ perl:\n  Error: +not installed/);
  });
});

describe('global options and pipes', () => {
  it('accepts --root before and after the command name, and a command\'s own -v', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
    try {
      const emptyTar = Buffer.alloc(1024);
      const imported = spawnSync(bin, ['import', '-', 'cli-root-test:1', '--root', dir], { input: emptyTar, encoding: 'utf8' });
      expect(imported.status).toBe(0);
      expect(existsSync(join(dir, 'store', 'index.json'))).toBe(true);
      const before = spawnSync(bin, ['--root', dir, 'images', '-q'], { encoding: 'utf8' });
      const after = spawnSync(bin, ['images', '--root', dir, '-q'], { encoding: 'utf8' });
      expect(before.stdout.trim()).toMatch(/^[0-9a-f]{12}$/);
      expect(after.stdout).toBe(before.stdout);
      const df = spawnSync(bin, ['system', 'df', '-v', '--root', dir], { encoding: 'utf8' });
      expect(df.status).toBe(0);
      expect(df.stdout).toContain('Images space usage');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits quietly when its stdout is closed early', () => {
    const r = spawnSync('sh', ['-c', `${bin} --help | head -c 1 >/dev/null; ${bin} build --help | head -c 1`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('EPIPE');
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
