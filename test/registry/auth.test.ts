import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/registry/auth.js';

describe('parseChallenges', () => {
  it('parses a Docker Hub style Bearer challenge', () => {
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
      },
    ]);
  });

  it('parses several challenges, escaped quotes and unquoted values', () => {
    expect(parseChallenges(['Basic realm="Registry Realm"', 'Bearer realm="a\\"b", error=invalid_token'])).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } },
    ]);
  });

  it('keeps commas inside quoted values and lowercases scheme and keys', () => {
    expect(parseChallenges('BEARER Realm="x",Scope="repository:a:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'x', scope: 'repository:a:pull,push' } },
    ]);
  });

  it('empty or missing header gives no challenges', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
  });
});
