import { describe, expect, it } from 'vitest';
import { parseExecFlags, parseSecret, parseSSH } from '../../../src/cli/commands/build-exec-options.js';
import { parseGitIdentifier } from '../../../src/solver/ops/git.js';
import { httpFilename } from '../../../src/solver/ops/http.js';
import { compressionKey, layerSnapshotId } from '../../../src/solver/ops/image.js';
import { resultSnapshotId } from '../../../src/solver/ops/context.js';

describe('http source file names (BuildKit rules)', () => {
  it('prefers http.filename, then Content-Disposition, then the URL path', () => {
    expect(httpFilename('https://x/a/b.tar.gz', 'attachment; filename="c.txt"', 'given')).toBe('given');
    expect(httpFilename('https://x/a/b.tar.gz', 'attachment; filename="c.txt"', undefined)).toBe('c.txt');
    expect(httpFilename('https://x/a/b.tar.gz?x=1', null, undefined)).toBe('b.tar.gz');
    expect(httpFilename('https://x/', null, undefined)).toBe('index');
    expect(httpFilename('https://x/d', 'attachment; filename="../../etc/passwd"', undefined)).toBe('passwd');
  });
});

describe('git identifiers', () => {
  it('splits ref and subdir, and uses the full URL when given', () => {
    expect(parseGitIdentifier('git://github.com/moby/buildkit#v0.12:docs', 'https://github.com/moby/buildkit.git'))
      .toEqual({ remote: 'https://github.com/moby/buildkit.git', ref: 'v0.12', subdir: 'docs' });
    expect(parseGitIdentifier('git://example.com/r', undefined)).toEqual({ remote: 'https://example.com/r', ref: '', subdir: '' });
  });
});

describe('snapshot ids', () => {
  it('are deterministic for base layers and results, unique when the cache is bypassed', () => {
    expect(layerSnapshotId('sha256:abc')).toBe('l-abc');
    expect(resultSnapshotId('sha256:def', 1)).toBe('r-def-1');
    expect(resultSnapshotId('sha256:def', 0, true)).toMatch(/^r-def-0-[0-9a-f]{8}$/);
    expect(compressionKey('application/vnd.oci.image.layer.v1.tar+gzip')).toBe('gzip');
    expect(compressionKey('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(compressionKey('application/vnd.oci.image.layer.v1.tar')).toBe('uncompressed');
  });
});

describe('build execution flags', () => {
  it('parses --secret like buildx', () => {
    expect(parseSecret('id=a,src=/x/y')).toEqual(['a', { file: '/x/y' }]);
    expect(parseSecret('id=a,env=TOKEN')).toEqual(['a', { env: 'TOKEN' }]);
    expect(parseSecret('id=a,type=env')).toEqual(['a', { env: 'a' }]);
    expect(parseSecret('id=HOME', { HOME: '/root' })).toEqual(['HOME', { env: 'HOME' }]);
    expect(() => parseSecret('src=/x')).toThrow(/id= is required/);
  });

  it('parses --ssh default from SSH_AUTH_SOCK', () => {
    expect(parseSSH('default', { SSH_AUTH_SOCK: '/tmp/agent' })).toEqual(['default', '/tmp/agent']);
    expect(parseSSH('gh=/run/gh.sock', {})).toEqual(['gh', '/run/gh.sock']);
    expect(() => parseSSH('default', {})).toThrow(/SSH_AUTH_SOCK/);
  });

  it('defaults and validation', () => {
    const d = parseExecFlags({});
    expect(d.network).toBeUndefined();
    expect(d.runtime).toBe('runc');
    expect(d.maxParallelism).toBeGreaterThan(0);
    expect(parseExecFlags({ cache: false }).noCache).toBe(true);
    expect(parseExecFlags({ cacheFilter: ['a,b', 'c'] }).noCacheFilter).toEqual(['a', 'b', 'c']);
    expect(parseExecFlags({ quiet: true }).progress).toBe('quiet');
    expect(() => parseExecFlags({ runtime: 'kata' })).toThrow(/runc or crun/);
    expect(() => parseExecFlags({ network: 'bridge' })).toThrow(/host or none/);
    expect(() => parseExecFlags({ maxParallelism: '0' })).toThrow(/max-parallelism/);
    expect(() => parseExecFlags({ progress: 'fancy' })).toThrow(/--progress/);
  });
});
