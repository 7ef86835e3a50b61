import { describe, expect, it } from 'vitest';
import {
  decodeOp, digestOf, encodeCanonical, encodeOp, image, LLBError, local, marshal, mkdir, mkfile, scratch,
  type Op,
} from '../../src/llb/index.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('canonical encoding', () => {
  it('sorts keys at every depth and drops false, "", [], {} and undefined', () => {
    expect(encodeCanonical({ b: 1, a: { d: false, c: 'x', e: '', f: [], g: {}, h: undefined }, z: true })).toBe(
      '{"a":{"c":"x"},"b":1,"z":true}',
    );
  });

  it('keeps zero numbers and array positions', () => {
    expect(encodeCanonical({ n: 0, m: -1, args: ['sh', '', '-c'] })).toBe('{"args":["sh","","-c"],"m":-1,"n":0}');
  });

  it('writes bigint as a decimal string and bytes as base64', () => {
    expect(encodeCanonical({ t: 1700000000123456789n, d: new Uint8Array([104, 105]) })).toBe(
      '{"d":"aGk=","t":"1700000000123456789"}',
    );
  });

  it('refuses non-integers', () => {
    expect(() => encodeCanonical({ x: 1.5 })).toThrow(/not a safe integer/);
    expect(() => encodeCanonical({ x: Number.NaN })).toThrow(/not a safe integer/);
  });

  it('does not depend on the key order of the op object', () => {
    const a: Op = {
      kind: 'source', inputs: [], platform: { os: 'linux', architecture: 'amd64' },
      source: { identifier: 'docker-image://docker.io/library/alpine:latest', attrs: { 'image.resolvemode': 'pull', 'a.b': 'c' } },
    };
    const b = {
      source: { attrs: { 'a.b': 'c', 'image.resolvemode': 'pull' }, identifier: 'docker-image://docker.io/library/alpine:latest' },
      platform: { architecture: 'amd64', os: 'linux' }, inputs: [], kind: 'source',
    } as Op;
    expect(encodeOp(a)).toBe(encodeOp(b));
  });

  it('digest is sha256 of the encoding', () => {
    expect(digestOf('{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe('golden digests (a change here changes every cache key: update only on purpose)', () => {
  it('image source', () => {
    const def = marshal(image('alpine:3.19'));
    expect(def.ops[0]!.data).toBe(
      '{"kind":"source","platform":{"architecture":"amd64","os":"linux"},"source":{"identifier":"docker-image://docker.io/library/alpine:3.19"}}',
    );
    expect(def.root?.digest).toBe('sha256:97216cd23bc55d28fe087ee78b9c6a6c5461eb099a18f925bbfa35f6bdc2147f');
  });

  it('exec over a file op over an image', () => {
    const st = image('busybox')
      .file(mkdir('/app', 0o755).mkfile('/app/a', 0o644, 'hello'))
      .dir('/app')
      .addEnv('A', '1')
      .run({ args: ['/bin/sh', '-c', 'cat a'] })
      .root();
    expect(marshal(st).root?.digest).toBe('sha256:462a31c46921f89436807549f58770d69fd95e33c79a9c15d307c882752497bf');
  });

  it('local context with include patterns', () => {
    const st = local('context', { includePatterns: ['src', 'package.json'], sharedKeyHint: 'context' });
    expect(marshal(st).root?.digest).toBe('sha256:30e93ef81b3efd00e3024412805902af26cca4636c2a172184f3f192f3efb595');
  });
});

describe('decodeOp', () => {
  it('round-trips every op shape through its encoding', () => {
    const st = scratch().file(
      mkdir('/a', 0o700, { makeParents: true, owner: 'app:1000', timestamp: 1234567890123456789n })
        .mkfile('/a/f', 0o600, new Uint8Array([0, 255, 7]), { owner: { user: { id: 0 } } })
        .symlink('f', '/a/l')
        .rm('/a/x*', { allowNotFound: true, allowWildcard: true }),
    );
    for (const { data } of marshal(st).ops) {
      const op = decodeOp(data);
      expect(encodeOp(op)).toBe(data);
    }
  });

  it('fills defaults the encoding omits', () => {
    const op = decodeOp('{"kind":"file","file":{"actions":[{"action":{"type":"rm","path":"/x"},"input":-1,"secondaryInput":-1}]}}');
    expect(op).toEqual({
      kind: 'file', inputs: [],
      file: { actions: [{ input: -1, secondaryInput: -1, output: 0, action: { type: 'rm', path: '/x', allowNotFound: false, allowWildcard: false } }] },
    });
  });

  it('restores bytes and bigint fields', () => {
    const op = decodeOp('{"kind":"file","file":{"actions":[{"action":{"data":"AP8=","mode":420,"path":"/f","timestamp":"-5","type":"mkfile"},"input":-1,"secondaryInput":-1}]}}');
    if (op.kind !== 'file' || op.file.actions[0]!.action.type !== 'mkfile') throw new Error('wrong shape');
    expect([...op.file.actions[0]!.action.data]).toEqual([0, 255]);
    expect(op.file.actions[0]!.action.timestamp).toBe(-5n);
  });

  it('rejects unknown fields, wrong types and unknown kinds', () => {
    expect(() => decodeOp('{"kind":"source","source":{"identifier":"local://x","extra":1}}')).toThrow(/unknown field "extra"/);
    expect(() => decodeOp('{"kind":"source","source":{"identifier":5}}')).toThrow(/expected a string/);
    expect(() => decodeOp('{"kind":"build"}')).toThrow(/expected one of/);
    expect(() => decodeOp('{"source":{"identifier":"local://x"}}')).toThrow(/missing "kind"/);
    expect(() => decodeOp('{"kind":"source","source":{}}')).toThrow(LLBError);
    expect(() => decodeOp('not json')).toThrow(/not valid JSON/);
    expect(() => decodeOp(`{"kind":"exec","exec":{"meta":{"cwd":"/"}},"inputs":[{"digest":"${D('a')}"}]}`)).toThrow(/arguments are required/);
    expect(() => decodeOp('{"kind":"source","inputs":[{"digest":"sha256:xyz"}],"source":{"identifier":"a"}}')).toThrow(/invalid digest/);
  });
});
