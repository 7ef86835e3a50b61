// --cache-to / --cache-from spec parsing (buildx syntax).
import { describe, expect, it } from 'vitest';
import { parseCacheFrom, parseCacheTo } from '../../src/solver/cache/remote/spec.js';

describe('--cache-to', () => {
  it('registry with defaults and options', () => {
    expect(parseCacheTo('type=registry,ref=127.0.0.1:5100/cache/x:1')).toEqual({
      type: 'registry', ref: '127.0.0.1:5100/cache/x:1', mode: 'min', ociMediaTypes: true, compression: 'gzip', ignoreError: false,
    });
    expect(parseCacheTo('type=registry,ref=h:1/c,ignore-error=true,image-manifest=true')).toMatchObject({ ignoreError: true });
    expect(parseCacheTo('type=registry,ref=host:5000/c,mode=max,oci-mediatypes=false,compression=zstd')).toMatchObject({
      ref: 'host:5000/c:latest', mode: 'max', ociMediaTypes: false, compression: 'zstd',
    });
  });
  it('local and inline', () => {
    expect(parseCacheTo('type=local,dest=/tmp/c,mode=max')).toMatchObject({ type: 'local', dest: '/tmp/c', tag: 'latest', mode: 'max' });
    expect(parseCacheTo('type=inline')).toEqual({ type: 'inline' });
  });
  it('errors name the bad part', () => {
    expect(() => parseCacheTo('type=registry')).toThrow(/ref= is required/);
    expect(() => parseCacheTo('type=registry,ref=r,mode=all')).toThrow(/mode=all: expected min or max/);
    expect(() => parseCacheTo('type=s3,bucket=b')).toThrow(/type=s3: expected registry, local or inline/);
    expect(() => parseCacheTo('type=local')).toThrow(/dest= is required/);
    expect(() => parseCacheTo('type=registry,ref=host/x:bad tag')).toThrow(/--cache-to/);
  });
});

describe('--cache-from', () => {
  it('a bare reference is a registry source', () => {
    expect(parseCacheFrom('127.0.0.1:5100/cache/x:1')).toEqual({ type: 'registry', ref: '127.0.0.1:5100/cache/x:1' });
    expect(parseCacheFrom('busybox')).toEqual({ type: 'registry', ref: 'docker.io/library/busybox:latest' });
  });
  it('registry and local', () => {
    expect(parseCacheFrom('type=registry,ref=h:1/r:t')).toEqual({ type: 'registry', ref: 'h:1/r:t' });
    expect(parseCacheFrom('type=local,src=/c,tag=v2')).toEqual({ type: 'local', src: '/c', tag: 'v2' });
    expect(() => parseCacheFrom('type=gha')).toThrow(/type=gha: expected registry or local/);
  });
});
