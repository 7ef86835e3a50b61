// What BuildKit checks in stages that are not built (--target, unreachable stages): every
// stage's base reference and FROM --platform are parsed (buildDispatchStates,
// resolveBaseImage with reachable=false), while dispatch-time errors and lookups are skipped.
import { describe, expect, it } from 'vitest';
import { parsePlatform } from '../../../src/frontend/dockerfile/convert/platform.js';
import { convert, fakeResolver } from './fake-resolver.js';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';

const BB = '127.0.0.1:5000/library/busybox:latest';
const head = `FROM ${BB} AS t\nRUN echo ok\n`;

describe('stages that are not built', () => {
  it('an invalid FROM reference fails the build even in a stage --target leaves out', async () => {
    await expect(convert(`${head}FROM Invalid:Ref AS u\n`, { target: 't' }))
      .rejects.toThrow(/Dockerfile:3:1: failed to parse stage name "Invalid:Ref": invalid reference format/);
  });

  it('an invalid COPY --from image reference in an unbuilt stage fails too', async () => {
    await expect(convert(`${head}FROM t AS u\nCOPY --from=Bad:Ref /a /b\n`, { target: 't' }))
      .rejects.toThrow(/failed to parse stage name "Bad:Ref"/);
  });

  it('a valid but unknown image in an unbuilt stage is never looked up', async () => {
    const calls: string[] = [];
    const text = `${head}FROM 127.0.0.1:5000/no/such:1 AS u\nCOPY --from=127.0.0.1:5000/no/other:2 /a /b\nFROM scratch AS s\n`;
    await convertDockerfile(text, { resolveImageConfig: fakeResolver(calls), target: 't' });
    expect(calls).toEqual([BB]);
  });

  it('FROM --platform of every stage is parsed: an unknown single word is refused', async () => {
    await expect(convert(`${head}FROM --platform=bogus ${BB} AS u\n`, { target: 't' }))
      .rejects.toThrow('failed to parse platform bogus: "bogus": unknown operating system or architecture: invalid argument');
    await expect(convert(`ARG P=bogus\n${head}FROM --platform=$P ${BB} AS u\n`, { target: 't' }))
      .rejects.toThrow('failed to parse platform $P: "bogus": unknown operating system or architecture');
  });

  it('parsePlatform: one word is an OS or a known architecture (containerd Parse)', () => {
    expect(parsePlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('aarch64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('s390x')).toEqual({ os: 'linux', architecture: 's390x' });
    expect(parsePlatform('linux')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(() => parsePlatform('windows98')).toThrow('"windows98": unknown operating system or architecture: invalid argument');
    // os/arch pairs are not checked against known names (containerd does not either)
    expect(parsePlatform('linux/foo')).toEqual({ os: 'linux', architecture: 'foo' });
  });
});
