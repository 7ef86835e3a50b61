// How the build's context argument is read (buildx/BuildKit rules), and that `build --help`
// describes every flag the issue lists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffArchive } from '../../src/context/remote/archive-or-dockerfile.js';
import { classifyContext, parseGitContext } from '../../src/context/remote/context-spec.js';
import { slipway } from './cli.js';

describe('context argument', () => {
  it('git references: transports, scp-like, github.com/, and http(s) only with a .git path', () => {
    expect(parseGitContext('https://example.com/org/repo.git#v1.2:docker/app')).toEqual({
      kind: 'git', remote: 'https://example.com/org/repo.git', ref: 'v1.2', subdir: 'docker/app', url: 'https://example.com/org/repo.git#v1.2:docker/app',
    });
    expect(parseGitContext('git@github.com:org/repo.git')).toMatchObject({ remote: 'git@github.com:org/repo.git', ref: '', subdir: '' });
    expect(parseGitContext('git://127.0.0.1:9418/repo.git#main')).toMatchObject({ remote: 'git://127.0.0.1:9418/repo.git', ref: 'main' });
    expect(parseGitContext('ssh://git@host/repo.git#:sub')).toMatchObject({ remote: 'ssh://git@host/repo.git', ref: '', subdir: 'sub' });
    expect(parseGitContext('github.com/org/repo#dev')).toMatchObject({ remote: 'https://github.com/org/repo', ref: 'dev' });
    expect(parseGitContext('https://example.com/context.tar.gz')).toBeUndefined();
    expect(parseGitContext('./repo.git')).toBeUndefined();
    expect(parseGitContext('some/dir')).toBeUndefined();
  });

  it('an existing directory wins, then git, then http(s), else a missing path; - is stdin', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-ctxspec-'));
    try {
      expect(classifyContext('-')).toEqual({ kind: 'stdin' });
      expect(classifyContext(dir)).toEqual({ kind: 'local', dir });
      expect(classifyContext('.', dir)).toEqual({ kind: 'local', dir });
      expect(classifyContext('https://h/x.git', dir).kind).toBe('git');
      expect(classifyContext('http://h/ctx.tar', dir)).toEqual({ kind: 'http', url: 'http://h/ctx.tar' });
      expect(classifyContext('nope', dir)).toEqual({ kind: 'missing', path: 'nope' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells archives (tar, gzip, zstd) from a Dockerfile by magic bytes', () => {
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257);
    expect(sniffArchive(tar)).toBe('tar');
    expect(sniffArchive(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('tar');
    expect(sniffArchive(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('tar');
    expect(sniffArchive(Buffer.from('BZh91AY'))).toBe('unsupported');
    expect(sniffArchive(Buffer.from('FROM scratch\n'))).toBe('text');
  });
});

describe('build --help', () => {
  it('lists every flag with a description', () => {
    const r = slipway(path.join(tmpdir(), 'unused-root'), ['build', '--help']);
    expect(r.status).toBe(0);
    const flags = ['-f, --file', '-t, --tag', '--target', '--build-arg', '--label', '--no-cache', '--no-cache-filter', '--pull',
      '-o, --output', '--push', '--platform', '--network', '--allow', '--secret', '--ssh', '--cache-from', '--cache-to', '--iidfile',
      '--metadata-file', '--progress', '-q, --quiet', '--root', '--max-parallelism', '--runtime', '--print-llb', '--explain-cache',
      '--insecure-registry'];
    for (const f of flags) expect(r.stdout, f).toMatch(new RegExp(`^  ${f.replace(/[-]/g, '\\-')}\\b.* \\S+`, 'm'));
    expect(r.stdout).toContain('Usage: slipway build [options] PATH | URL | -');
  });
});
