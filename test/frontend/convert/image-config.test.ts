// The image config and history each instruction produces, checked against what BuildKit
// (the refenv reference builder) wrote for the same Dockerfiles, and per instruction.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';
import { type Image, imageToJSON } from '../../../src/frontend/dockerfile/image-config.js';
import { convert, digestOfImage, fakeResolver, IMAGES, opsOf, TESTDATA } from './fake-resolver.js';

const REF = `${TESTDATA}reference/`;
const refConfig = (name: string): Image => JSON.parse(readFileSync(`${REF}${name}.config.json`, 'utf8')) as Image;
const dockerfile = (name: string) => readFileSync(`${REF}${name}.Dockerfile`, 'utf8');

/** History without the base image's entries and without timestamps. */
function ownHistory(img: Image, skip: number) {
  return (img.history ?? []).slice(skip).map((h) => ({ created_by: h.created_by, empty_layer: h.empty_layer ?? false }));
}

// Where docker 20.10's BuildKit (v0.8) words history differently from current BuildKit,
// whose dispatchers Slipway follows; everything else must be identical.
const MODERN_WORDING: Record<string, string> = {
  'COPY a.txt /b.txt # buildkit': 'COPY --chown=1:2 a.txt /b.txt # buildkit',
  'EXPOSE map[443/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]': 'EXPOSE [443/udp 80/tcp 8000/tcp 8001/tcp]',
  'HEALTHCHECK &{["CMD-SHELL" "curl -f http://x/ || exit 1"] "5m0s" "3s" "1s" \'\\x03\'}':
    'HEALTHCHECK {Test:[CMD-SHELL curl -f http://x/ || exit 1] Interval:5m0s Timeout:3s StartPeriod:1s StartInterval:0s Retries:3}',
};

describe('image config against the reference builder', () => {
  it('every config field of a Dockerfile using each instruction matches BuildKit', async () => {
    const ref = refConfig('basic');
    const res = await convert(dockerfile('basic'));
    expect(res.image.config).toEqual(ref.config);
    expect(res.image.author).toBe('Jane <j@x>');
    expect(res.image.architecture).toBe('amd64');
    expect(res.image.os).toBe('linux');
    const expected = ownHistory(ref, 1).map((h) => ({ ...h, created_by: MODERN_WORDING[h.created_by!] ?? h.created_by }));
    expect(ownHistory(res.image, 1)).toEqual(expected);
  });

  it('a child of an image with ONBUILD runs the triggers first and drops them; ENTRYPOINT clears the inherited CMD', async () => {
    const base = refConfig('basic');
    const ref = refConfig('child');
    IMAGES['docker.io/library/conv-ref:1'] = base;
    try {
      const res = await convert(dockerfile('child'));
      expect(res.image.config).toEqual(ref.config);
      expect(res.image.config.OnBuild).toBeNull();
      expect(res.image.config.Cmd).toBeUndefined();
      expect(ownHistory(res.image, base.history!.length)).toEqual(ownHistory(ref, base.history!.length));
    } finally {
      delete IMAGES['docker.io/library/conv-ref:1'];
    }
  });

  it('FROM scratch: WORKDIR keeps absolute paths as written and joins relative ones', async () => {
    const ref = refConfig('scratch');
    const res = await convert(dockerfile('scratch'));
    expect(res.image.config).toEqual(ref.config);
    expect(ownHistory(res.image, 0)).toEqual(ownHistory(ref, 0));
  });

  it('serializes as the BuildKit exporter writes: sorted top level, struct order and omitempty in config, Go HTML escaping', async () => {
    const res = await convert(dockerfile('basic'));
    const json = imageToJSON(res.image);
    const cfg = json.slice(json.indexOf('"config":'));
    const order = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped', 'Healthcheck', 'OnBuild', 'Shell'];
    const positions = order.map((k) => cfg.indexOf(`"${k}":`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(json).toContain('"author":"Jane \\u003cj@x\\u003e"');
    expect(JSON.parse(json).config.Healthcheck).not.toHaveProperty('StartInterval');
    expect(Object.keys(JSON.parse(json))).toEqual(['architecture', 'author', 'config', 'history', 'os', 'rootfs']);
    const scratch = await convert('FROM scratch\nENV A=1\nONBUILD RUN x\n');
    expect(imageToJSON(scratch.image)).toContain('"OnBuild":["RUN x"]');
    const child = await convert('FROM scratch AS a\nONBUILD RUN x\nFROM a\n');
    expect(child.image.config.OnBuild).toBeNull();
    expect(imageToJSON(child.image)).not.toContain('OnBuild');
  });
});

/** History text with the three wordings that changed since docker 20.10's BuildKit made comparable. */
function comparable(createdBy: string): string {
  if (/^(EXPOSE|HEALTHCHECK) /.test(createdBy)) return createdBy.split(' ')[0]!;
  return createdBy.replace(/^((?:COPY|ADD)(?: --parents)?) --chown=\S+/, '$1');
}

describe('every reference Dockerfile', () => {
  const names = readdirSync(REF).filter((f) => f.endsWith('.Dockerfile')).map((f) => f.replace(/\.Dockerfile$/, '')).sort();
  it('has reference cases', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });
  for (const name of names) {
    it(`${name}: same config, author and history as BuildKit`, async () => {
      const ref = refConfig(name);
      IMAGES['docker.io/library/conv-ref:1'] = refConfig('basic');
      try {
        const res = await convert(dockerfile(name));
        expect(res.image.config).toEqual(ref.config);
        expect(res.image.author).toEqual(ref.author);
        const ours = (res.image.history ?? []).map((h) => [comparable(h.created_by ?? ''), h.empty_layer ?? false]);
        const theirs = (ref.history ?? []).map((h) => [comparable(h.created_by ?? ''), h.empty_layer ?? false]);
        expect(ours).toEqual(theirs);
        // Step names as BuildKit's plain progress printed them (ONBUILD numbering changed since).
        if (existsSync(`${REF}${name}.steps.txt`) && name !== 'onbuild-stage') {
          const steps = [...new Set(readFileSync(`${REF}${name}.steps.txt`, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean))].sort();
          const names = opsOf(res.definition).map((o) => o.name).filter((n) => n.startsWith('[') && !n.startsWith('[internal]'));
          expect([...new Set(names)].sort()).toEqual(steps);
        }
      } finally {
        delete IMAGES['docker.io/library/conv-ref:1'];
      }
    });
  }
});

describe('image config per instruction', () => {
  const cfgOf = async (text: string) => (await convert(text)).image;

  it('inherits everything from the base config and overrides per instruction', async () => {
    const img = await cfgOf(readFileSync(`${TESTDATA}cases/workdir-user/Dockerfile`, 'utf8'));
    const base = IMAGES['127.0.0.1:5000/test/app:1']!.config;
    expect(img.config.Env).toEqual(base.Env);
    expect(img.config.Healthcheck).toEqual(base.Healthcheck);
    expect(img.config.Shell).toEqual(base.Shell);
    expect(img.config.StopSignal).toBe('SIGINT');
    expect(img.config.Volumes).toEqual({ '/data': {} });
    expect(img.config.WorkingDir).toBe('/kept/rel');
    expect(img.config.User).toBe('1000:1000');
    expect(img.config.Entrypoint).toEqual(['/new-entry']);
    expect(img.config.Cmd).toBeUndefined();
    expect(img.config.ArgsEscaped).toBe(true);
    expect(img.config.Labels).toEqual({ base: 'overridden', extra: 'with space' });
    expect(img.config.ExposedPorts).toEqual({ '8080/tcp': {}, '9090/udp': {} });
    expect(img.author).toBe('base author');
    expect(img.history?.[0]).toEqual({ created_by: 'base layer' });
  });

  it('CMD and ENTRYPOINT shell form use the current SHELL; CMD sets ArgsEscaped', async () => {
    const img = await cfgOf('FROM scratch\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nENTRYPOINT exec app "$@"\nCMD run a\n');
    expect(img.config.Entrypoint).toEqual(['/bin/bash', '-o', 'pipefail', '-c', 'exec app "$@"']);
    expect(img.config.Cmd).toEqual(['/bin/bash', '-o', 'pipefail', '-c', 'run a']);
    expect(img.config.ArgsEscaped).toBe(true);
    const noCmd = await cfgOf('FROM scratch\nENTRYPOINT ["/e"]\n');
    expect(noCmd.config.ArgsEscaped).toBeUndefined();
    expect(noCmd.history!.map((h) => h.created_by)).toEqual(['ENTRYPOINT ["/e"]']);
  });

  it('EXPOSE expands variables and ranges into port/proto keys', async () => {
    const img = await cfgOf('FROM scratch\nENV P=53\nEXPOSE $P/udp 80 7000-7002/tcp\n');
    expect(img.config.ExposedPorts).toEqual({ '53/udp': {}, '80/tcp': {}, '7000/tcp': {}, '7001/tcp': {}, '7002/tcp': {} });
  });

  it('HEALTHCHECK durations are nanoseconds; NONE disables', async () => {
    const img = await cfgOf('FROM scratch\nHEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --start-interval=2s --retries=5 CMD ["/check"]\n');
    expect(img.config.Healthcheck).toEqual({ Test: ['CMD', '/check'], Interval: 30e9, Timeout: 90e9, StartPeriod: 5e8, StartInterval: 2e9, Retries: 5 });
    expect(img.history!.at(-1)!.created_by).toBe('HEALTHCHECK {Test:[CMD /check] Interval:30s Timeout:1m30s StartPeriod:500ms StartInterval:2s Retries:5}');
    const none = await cfgOf('FROM scratch\nHEALTHCHECK NONE\n');
    expect(none.config.Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('ENV, LABEL, USER, VOLUME, STOPSIGNAL, SHELL, MAINTAINER, ONBUILD', async () => {
    const img = await cfgOf(
      'FROM scratch\nENV A=1 B="x y"\nENV A=2\nLABEL "k 1"=v1 k2=$B\nUSER ${A}:grp\nVOLUME ["/a", "/b"]\nVOLUME /c\n' +
        'STOPSIGNAL SIGKILL\nSHELL ["/bin/ash", "-c"]\nMAINTAINER me\nONBUILD RUN make\nONBUILD COPY . /src\n',
    );
    expect(img.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=2', 'B=x y']);
    expect(img.config.Labels).toEqual({ 'k 1': 'v1', k2: 'x y' });
    expect(img.config.User).toBe('2:grp');
    expect(img.config.Volumes).toEqual({ '/a': {}, '/b': {}, '/c': {} });
    expect(img.config.StopSignal).toBe('SIGKILL');
    expect(img.config.Shell).toEqual(['/bin/ash', '-c']);
    expect(img.author).toBe('me');
    expect(img.config.OnBuild).toEqual(['RUN make', 'COPY . /src']);
    expect(img.history!.map((h) => [h.created_by, h.empty_layer])).toEqual([
      ['ENV A=1 B=x y', true],
      ['ENV A=2', true],
      ['LABEL k 1=v1 k2=x y', true],
      ['USER 2:grp', true],
      ['VOLUME [/a /b]', true],
      ['VOLUME [/c]', true],
      ['STOPSIGNAL SIGKILL', true],
      ['SHELL [/bin/ash -c]', true],
      ['MAINTAINER me', true],
    ]);
  });

  it('rejects an invalid STOPSIGNAL and an empty VOLUME with the line', async () => {
    await expect(cfgOf('FROM scratch\nSTOPSIGNAL SIGNOPE\n')).rejects.toThrow(/Dockerfile:2:1: invalid signal: SIGNOPE/);
    await expect(cfgOf('FROM scratch\nENV E=\nVOLUME $E\n')).rejects.toThrow(/Dockerfile:3:1: VOLUME specified can not be an empty string/);
  });

  it('WORKDIR adds a layer unless it is /', async () => {
    const img = await cfgOf('FROM scratch\nWORKDIR /\nWORKDIR a\n');
    expect(img.history!.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ['WORKDIR /', true],
      ['WORKDIR /a', false],
    ]);
  });

  it('SOURCE_DATE_EPOCH stamps history entries', async () => {
    const res = await convertDockerfile('FROM scratch\nENV A=1\n', { resolveImageConfig: fakeResolver(), buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(res.image.history![0]!.created).toBe('2023-11-14T22:13:20Z');
  });

  it('keeps the untouched base image config for the exporter', async () => {
    const res = await convert('FROM 127.0.0.1:5000/test/app:1\nENV X=1\n');
    expect(res.baseImage).toEqual(IMAGES['127.0.0.1:5000/test/app:1']);
    expect(digestOfImage(res.baseImage!)).toBe(digestOfImage(IMAGES['127.0.0.1:5000/test/app:1']!));
    expect((await convert('FROM scratch\n')).baseImage).toBeNull();
  });
});

describe('SOURCE_DATE_EPOCH from a global ARG', () => {
  it('stamps history like the build arg does', async () => {
    const res = await convert('ARG SOURCE_DATE_EPOCH=0\nFROM scratch\nENV A=1\n');
    expect(res.image.history![0]!.created).toBe('1970-01-01T00:00:00Z');
  });
});
