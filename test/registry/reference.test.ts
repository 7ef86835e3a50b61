import { describe, expect, it } from 'vitest';
import { parseReference, InvalidReferenceError } from '../../src/registry/reference.js';

const HEX = 'a'.repeat(64);

describe('parseReference normalization', () => {
  const cases: Array<[string, string, string, string]> = [
    // input, toString, familiarName, fullName
    ['busybox', 'docker.io/library/busybox:latest', 'busybox', 'docker.io/library/busybox'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox', 'docker.io/library/busybox'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox', 'docker.io/library/busybox'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox', 'docker.io/library/busybox'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox', 'docker.io/library/busybox'],
    ['user/app:v1', 'docker.io/user/app:v1', 'user/app', 'docker.io/user/app'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app', 'localhost/app'],
    ['localhost:5000/a/b/c:t', 'localhost:5000/a/b/c:t', 'localhost:5000/a/b/c', 'localhost:5000/a/b/c'],
    ['127.0.0.1:5000/x:y', '127.0.0.1:5000/x:y', '127.0.0.1:5000/x', '127.0.0.1:5000/x'],
    ['quay.io/org/img', 'quay.io/org/img:latest', 'quay.io/org/img', 'quay.io/org/img'],
    ['[::1]:5000/img', '[::1]:5000/img:latest', '[::1]:5000/img', '[::1]:5000/img'],
    ['a_b/c.d__e-f', 'docker.io/a_b/c.d__e-f:latest', 'a_b/c.d__e-f', 'docker.io/a_b/c.d__e-f'],
  ];
  for (const [input, full, familiar, name] of cases) {
    it(`${input} → ${full}`, () => {
      const ref = parseReference(input);
      expect(ref.toString()).toBe(full);
      expect(ref.familiarName()).toBe(familiar);
      expect(ref.fullName()).toBe(name);
    });
  }

  it('keeps a digest and gets no default tag', () => {
    const ref = parseReference(`busybox@sha256:${HEX}`);
    expect(ref.tag).toBeUndefined();
    expect(ref.digest).toBe(`sha256:${HEX}`);
    expect(ref.toString()).toBe(`docker.io/library/busybox@sha256:${HEX}`);
    expect(ref.manifestRef()).toBe(`sha256:${HEX}`);
  });

  it('keeps tag and digest together', () => {
    const ref = parseReference(`127.0.0.1:5000/x:v1@sha256:${HEX}`);
    expect(ref).toMatchObject({ domain: '127.0.0.1:5000', path: 'x', tag: 'v1', digest: `sha256:${HEX}` });
    expect(ref.familiarString()).toBe(`127.0.0.1:5000/x:v1@sha256:${HEX}`);
  });

  it('a port-looking suffix after a slash is a tag, not a port', () => {
    expect(parseReference('host:5000/x').tag).toBe('latest');
    expect(parseReference('x:5000').tag).toBe('5000');
  });

  it('defaultTag:false keeps a bare name tagless', () => {
    expect(parseReference('busybox', { defaultTag: false }).toString()).toBe('docker.io/library/busybox');
  });
});

describe('parseReference errors name the bad part', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /at least one component/],
    ['Busybox', /"library\/Busybox" must be lowercase|must be lowercase/],
    ['busybox:bad tag', /invalid tag "bad tag"/],
    ['busybox:-x', /invalid tag "-x"/],
    [`busybox@sha256:abc`, /invalid digest "sha256:abc"/],
    [`busybox@md5:${HEX}`, /invalid digest/],
    ['a//b', /invalid repository name component ""/],
    ['foo/-bar', /invalid repository name component "-bar"/],
    ['-host.io/x', /invalid registry host "-host.io"/],
    [HEX, /64-byte hexadecimal/],
    [`x/${'a'.repeat(260)}`, /not be more than 255/],
  ];
  for (const [input, re] of bad) {
    it(JSON.stringify(input.slice(0, 40)), () => {
      let err: unknown;
      try {
        parseReference(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidReferenceError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(`invalid reference format`);
    });
  }
});
