import { describe, expect, it } from 'vitest';
import {
  decodeDefinition, git, http, image, local, marshal, merge, mkdir, normalizeImageRef, type Op, ociLayout,
  scratch, type State, shlexSplit,
} from '../../src/llb/index.js';

function rootOp(s: State): Op {
  const def = decodeDefinition(marshal(s));
  return def.ops.get(def.root!.digest)!;
}

function source(s: State) {
  const op = rootOp(s);
  if (op.kind !== 'source') throw new Error(`root is a ${op.kind} op`);
  return { op, ...op.source };
}

describe('image', () => {
  it('normalizes references like distribution/reference', () => {
    expect(normalizeImageRef('alpine')).toBe('docker.io/library/alpine:latest');
    expect(normalizeImageRef('user/app:1.0')).toBe('docker.io/user/app:1.0');
    expect(normalizeImageRef('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(normalizeImageRef('ghcr.io/o/r@sha256:' + 'a'.repeat(64))).toBe('ghcr.io/o/r@sha256:' + 'a'.repeat(64));
    expect(normalizeImageRef('index.docker.io/library/busybox:1')).toBe('docker.io/library/busybox:1');
    expect(() => normalizeImageRef('Alpine')).toThrow(/lowercase/);
    expect(() => normalizeImageRef('a'.repeat(64).replace(/a/g, 'f'))).toThrow(/64-byte/);
    expect(() => normalizeImageRef('alpine:bad tag')).toThrow(/invalid/);
  });

  it('identifier, platform and resolve mode attr', () => {
    const s = source(image('alpine', { resolveMode: 'pull' }));
    expect(s.identifier).toBe('docker-image://docker.io/library/alpine:latest');
    expect(s.attrs).toEqual({ 'image.resolvemode': 'pull' });
    expect(s.op.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(source(image('alpine', { resolveMode: 'default' })).attrs).toEqual({});
  });
});

describe('local', () => {
  it('JSON-encodes pattern lists and omits empty ones; no platform', () => {
    const s = source(local('context', { includePatterns: ['a', 'b/*'], excludePatterns: [], followPaths: ['a'], sharedKeyHint: 'ctx' }));
    expect(s.identifier).toBe('local://context');
    expect(s.attrs).toEqual({ 'local.includepattern': '["a","b/*"]', 'local.followpaths': '["a"]', 'local.sharedkeyhint': 'ctx' });
    expect(s.op).not.toHaveProperty('platform');
  });

  it('followPaths change the digest (the context key depends on what is used)', () => {
    const a = marshal(local('context', { followPaths: ['a'] })).root!.digest;
    const b = marshal(local('context', { followPaths: ['b'] })).root!.digest;
    expect(a).not.toBe(b);
  });
});

describe('http', () => {
  it('URL as identifier, checksum/filename/perm/uid/gid attrs as BuildKit writes them', () => {
    const s = source(http('https://example.com/a.tgz', { checksum: 'sha256:' + 'b'.repeat(64), filename: 'a.tgz', perm: 0o644, uid: 1, gid: 2 }));
    expect(s.identifier).toBe('https://example.com/a.tgz');
    expect(s.attrs).toEqual({
      'http.checksum': 'sha256:' + 'b'.repeat(64), 'http.filename': 'a.tgz', 'http.perm': '0644', 'http.uid': '1', 'http.gid': '2',
    });
    expect(() => http('ftp://x')).toThrow(/http\(s\) URL/);
  });
});

describe('git', () => {
  it('https remote with ref and subdir', () => {
    const s = source(git('https://github.com/moby/buildkit.git', 'v0.12:docs/', { keepGitDir: true }));
    expect(s.identifier).toBe('git://github.com/moby/buildkit.git#v0.12:docs');
    expect(s.attrs).toEqual({
      'git.fullurl': 'https://github.com/moby/buildkit.git',
      'git.keepgitdir': 'true',
      'git.authtokensecret': 'GIT_AUTH_TOKEN',
      'git.authheadersecret': 'GIT_AUTH_HEADER',
    });
  });

  it('scp-like ssh remote mounts the default ssh socket', () => {
    const s = source(git('git@github.com:moby/buildkit.git', 'main'));
    expect(s.identifier).toBe('git://github.com/moby/buildkit.git#main');
    expect(s.attrs['git.mountsshsock']).toBe('default');
    expect(s.attrs['git.fullurl']).toBe('git@github.com:moby/buildkit.git');
  });

  it('a URL without scheme is https', () => {
    const s = source(git('github.com/moby/buildkit'));
    expect(s.identifier).toBe('git://github.com/moby/buildkit');
    expect(s.attrs['git.fullurl']).toBe('https://github.com/moby/buildkit');
  });
});

describe('ociLayout, scratch and merge', () => {
  it('oci-layout is platform specific', () => {
    const s = source(ociLayout('store@sha256:' + 'c'.repeat(64), { storeID: 'store' }));
    expect(s.identifier).toBe('oci-layout://store@sha256:' + 'c'.repeat(64));
    expect(s.attrs).toEqual({ 'oci.store': 'store' });
    expect(s.op.platform).toBeDefined();
  });

  it('merge drops scratch inputs; one input left is returned as is', () => {
    const a = image('alpine');
    expect(merge([scratch(), scratch()]).isScratch()).toBe(true);
    expect(merge([scratch(), a])).toBe(a);
    const b = scratch().file(mkdir('/b', 0o755));
    const m = rootOp(merge([a, scratch(), b]));
    expect(m.kind).toBe('merge');
    expect(m.inputs.map((i) => i.digest)).toEqual([a.output()!.vertex.digest, b.output()!.vertex.digest]);
    expect(m).not.toHaveProperty('platform');
    if (m.kind === 'merge') expect(m.merge.inputs).toEqual([0, 1]);
  });
});

describe('shlexSplit', () => {
  it('splits words with quotes, escapes and comments', () => {
    expect(shlexSplit('a  b\t"c d" \'e "f"\' g\\ h "i\\"j" # comment')).toEqual(['a', 'b', 'c d', 'e "f"', 'g h', 'i"j']);
    expect(shlexSplit('x"y"z')).toEqual(['xyz']);
    expect(shlexSplit('""')).toEqual(['']);
    expect(() => shlexSplit('"open')).toThrow(/closing quote/);
  });
});
