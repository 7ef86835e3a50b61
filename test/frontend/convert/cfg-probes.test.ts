// Image config and history details found by the differential probes (testdata/diff/cfg-*),
// each checked against what current BuildKit's dockerfile2llb writes.
import { describe, expect, it } from 'vitest';
import { convert } from './fake-resolver.js';

const historyOf = async (text: string) => ((await convert(text)).image.history ?? []).map((h) => h.created_by);

describe('EXPOSE history', () => {
  it('lists every port in order, duplicates included (convert_expose.go parsePortSpecs); the config map dedupes', async () => {
    const res = await convert('FROM scratch\nENV P=80\nEXPOSE 80 $P/tcp 53/udp 80\n');
    // instructions.parseExpose sorts the words as written: "$P/tcp" < "53/udp" < "80" = "80".
    expect(res.image.history!.at(-1)!.created_by).toBe('EXPOSE [80/tcp 53/udp 80/tcp 80/tcp]');
    expect(res.image.config.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
  });
});

describe('STOPSIGNAL validation (moby/sys/signal.ParseSignal, Linux map)', () => {
  it('accepts what Atoi accepts and the names of the Linux map only', async () => {
    const { validateSignal } = await import('../../../src/frontend/dockerfile/convert/signal.js');
    for (const s of ['+9', '-9', '007', 'sigrtmin+15', 'RTMAX-14', 'SIGCLD', 'iot']) expect(() => validateSignal(s), s).not.toThrow();
    for (const s of ['RTMIN+16', 'RTMAX-15', 'RTMIN+0', 'RTMIN+01', 'SIGUNUSED', 'SIGSIGTERM', '-0', '99999999999999999999', ' 9'])
      expect(() => validateSignal(s), s).toThrow(`invalid signal: ${s}`);
  });

  it('stores the value as written (after expansion)', async () => {
    const res = await convert('FROM scratch\nARG S=sigrtmin+3\nSTOPSIGNAL $S\n');
    expect(res.image.config.StopSignal).toBe('sigrtmin+3');
    expect(res.image.history!.at(-1)!.created_by).toBe('STOPSIGNAL sigrtmin+3');
  });
});

describe('checks current BuildKit runs that Slipway lacked', () => {
  const BB = '127.0.0.1:5000/library/busybox:latest';
  const rulesOf = async (text: string) =>
    (await convert(text)).warnings.filter((w) => w.rule).map((w) => [w.rule, w.message, w.location?.line]);

  it('ExposeProtoCasing and ExposeInvalidFormat (convert_expose.go portSpecs.parsePort)', async () => {
    expect(await rulesOf(`FROM ${BB}\nEXPOSE 80/TCP 53/udp\nEXPOSE 127.0.0.1:8080:80 9000:90/Udp\n`)).toEqual([
      ['ExposeProtoCasing', "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase", 2],
      ['ExposeInvalidFormat', "EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:8080:80'", 3],
      ['ExposeProtoCasing', "Defined protocol '9000:90/Udp' in EXPOSE instruction should be lowercase", 3],
      ['ExposeInvalidFormat', "EXPOSE instruction should not define an IP address or host-port mapping, found '9000:90/Udp'", 3],
    ]);
    await expect(convert(`# check=error=true\nFROM ${BB}\nEXPOSE 80/TCP\n`)).rejects.toThrow(/lint violation found for rules: ExposeProtoCasing/);
  });

  it('FromPlatformFlagConstDisallowed unless a variable is used or the stage name has the os/arch', async () => {
    expect(await rulesOf(`FROM --platform=linux/amd64 ${BB}\n`)).toEqual([
      ['FromPlatformFlagConstDisallowed', 'FROM --platform flag should not use constant value "linux/amd64"', 1],
    ]);
    expect(await rulesOf(`FROM --platform=linux/amd64 ${BB} AS build-amd64\nFROM --platform=$BUILDPLATFORM ${BB}\n`)).toEqual([]);
  });
});

describe('ARG of the SBOM scan switches (nonEnvArgs)', () => {
  it('is recorded but not put into the environment of later steps', async () => {
    const res = await convert('FROM scratch\nARG BUILDKIT_SBOM_SCAN_STAGE=true\nARG OTHER=1\nENV X=${BUILDKIT_SBOM_SCAN_STAGE:-unset}\n');
    expect(res.image.config.Env).toContain('X=unset');
    expect(res.image.history!.map((h) => h.created_by)).toContain('ARG BUILDKIT_SBOM_SCAN_STAGE=true');
  });
});

describe('UndefinedVar', () => {
  it('is not reported for the SBOM scan switches (reportUnmatchedVariables skips nonEnvArgs)', async () => {
    const res = await convert('FROM scratch\nENV X=${BUILDKIT_SBOM_SCAN_CONTEXT:-no} Y=${NOPE:-no}\n');
    expect(res.warnings.filter((w) => w.rule === 'UndefinedVar').map((w) => w.message)).toEqual(["Usage of undefined variable '$NOPE'"]);
  });
});

describe('config document', () => {
  it('keeps only dockerspec.DockerOCIImage fields of a base image (classic-builder keys are dropped)', async () => {
    const { imageToJSON } = await import('../../../src/frontend/dockerfile/image-config.js');
    const base = {
      architecture: 'amd64', os: 'linux', docker_version: '20.10.7', container: 'abc',
      container_config: { Hostname: 'abc', Cmd: ['/bin/sh'] },
      config: { Hostname: '', Tty: false, Env: ['PATH=/bin'], Cmd: ['sh'], Image: 'sha256:x' },
      rootfs: { type: 'layers', diff_ids: [] },
      history: [{ created: '2020-01-01T00:00:00Z', created_by: 'x', extra: 1 }],
    };
    const doc = JSON.parse(imageToJSON(base as never)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['architecture', 'config', 'history', 'os', 'rootfs']);
    expect(doc.config).toEqual({ Env: ['PATH=/bin'], Cmd: ['sh'] });
    expect(doc.history).toEqual([{ created: '2020-01-01T00:00:00Z', created_by: 'x' }]);
  });
});
