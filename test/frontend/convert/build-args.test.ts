// ARG scoping, --build-arg, proxy and platform args, and how a build arg change ripples
// through the graph.
import { describe, expect, it } from 'vitest';
import type { Definition } from '../../../src/llb/types.js';
import { convert, opsOf } from './fake-resolver.js';

const BB = '127.0.0.1:5000/library/busybox:latest';

/** Digests of ops in `a` that are not in `b`. */
function changed(a: Definition, b: Definition): Set<string> {
  const other = new Set(b.ops.map((o) => o.digest));
  return new Set(a.ops.filter((o) => !other.has(o.digest)).map((o) => o.digest));
}

describe('build args', () => {
  it('changing a build arg changes only the ops that see it and their descendants', async () => {
    const text =
      `FROM ${BB} AS a\nRUN echo before\nARG V\nRUN echo uses-arg\nRUN echo after\n` +
      `FROM ${BB} AS b\nRUN echo independent\n` +
      `FROM ${BB}\nCOPY --from=b / /b\nCOPY --from=a / /a\n`;
    const one = await convert(text, { buildArgs: { V: '1' } });
    const two = await convert(text, { buildArgs: { V: '2' } });
    const diff = changed(one.definition, two.definition);
    const names = new Map(opsOf(one.definition).map((o) => [o.digest, o.name]));
    expect([...diff].map((d) => names.get(d)).sort()).toEqual([
      '[a 4/4] RUN echo after',
      '[a 3/4] RUN echo uses-arg',
      '[stage-2 3/3] COPY --from=a / /a',
    ].sort());
    // Every changed op sees the arg or has a changed input.
    for (const o of opsOf(one.definition)) {
      if (!diff.has(o.digest)) continue;
      const seesArg = (o.op.exec?.meta.env ?? []).includes('V=1');
      const changedInput = (o.op.inputs ?? []).some((i: { digest: string }) => diff.has(i.digest));
      expect(seesArg || changedInput).toBe(true);
    }
  });

  it('global ARGs feed FROM; stage ARGs take build args, then defaults (expanded), then globals', async () => {
    const text =
      'ARG REG=127.0.0.1:5000\nARG TAG=latest\nARG G=global\nFROM ${REG}/library/busybox:${TAG}\n' +
      'ENV E=env\nARG G\nARG D=${E}-default\nARG B=default\nRUN echo\n';
    const res = await convert(text, { buildArgs: { B: 'given', TAG: 'latest' } });
    const run = opsOf(res.definition).find((o) => o.op.exec)!;
    expect(run.op.exec.meta.env).toEqual(expect.arrayContaining(['G=global', 'D=env-default', 'B=given', 'E=env']));
    // ARG values reach RUN but never the image's Env.
    expect(res.image.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'E=env']);
    expect(res.image.history!.at(-1)!.created_by).toBe('RUN |3 G=global D=env-default B=given /bin/sh -c echo # buildkit');
    expect(res.warnings).toEqual([]);
  });

  it('a global ARG is not visible in a stage until redeclared there', async () => {
    const res = await convert(`ARG V=1\nFROM ${BB}\nRUN echo $V\nARG V\nRUN echo $V\n`);
    const runs = opsOf(res.definition).filter((o) => o.op.exec);
    expect(runs[0]!.op.exec.meta.env.some((e: string) => e.startsWith('V='))).toBe(false);
    expect(runs[1]!.op.exec.meta.env).toContain('V=1');
    expect(runs.map((r) => r.name)).toEqual(['[2/3] RUN echo $V', '[3/3] RUN echo 1']);
  });

  it('an ENV of the same name wins over the ARG in expansion and in the history', async () => {
    const res = await convert(`FROM ${BB}\nARG X=arg\nENV X=env\nRUN echo $X\n`);
    expect(res.image.history!.at(-1)!.created_by).toBe('RUN |1 X=env /bin/sh -c echo $X # buildkit');
  });

  it('build args nothing declares are reported; predefined ones are not', async () => {
    const res = await convert(`FROM ${BB}\nARG USED\n`, {
      buildArgs: { USED: '1', NOPE: '2', ALSO: '3', HTTP_PROXY: 'x', no_proxy: 'y', TARGETARCH: 'amd64' },
    });
    expect(res.warnings).toEqual([{ message: 'One or more build-args [ALSO NOPE] were not consumed' }]);
  });

  it('proxy args work undeclared, through the exec proxy env only (out of env and history)', async () => {
    const res = await convert(`FROM ${BB}\nRUN wget http://example.com\n`, {
      buildArgs: { HTTP_PROXY: 'http://proxy:3128', https_proxy: 'http://s:1', NO_PROXY: 'localhost', all_proxy: 'socks://a', FTP_PROXY: 'f' },
    });
    const run = opsOf(res.definition).find((o) => o.op.exec)!;
    expect(run.op.exec.meta.proxyEnv).toEqual({ httpProxy: 'http://proxy:3128', httpsProxy: 'http://s:1', noProxy: 'localhost', allProxy: 'socks://a', ftpProxy: 'f' });
    expect(run.op.exec.meta.env.join(' ')).not.toMatch(/proxy/i);
    expect(res.image.history!.at(-1)!.created_by).toBe('RUN /bin/sh -c wget http://example.com # buildkit');
    expect(res.warnings).toEqual([]);
  });

  it('platform args: usable in FROM without ARG, inside a stage after ARG', async () => {
    const text = `FROM --platform=$BUILDPLATFORM ${BB}\nRUN echo $TARGETARCH\nARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDPLATFORM BUILDARCH\nRUN echo x\n`;
    const res = await convert(text);
    const runs = opsOf(res.definition).filter((o) => o.op.exec);
    expect(runs[0]!.op.exec.meta.env.some((e: string) => e.startsWith('TARGET'))).toBe(false);
    expect(runs[1]!.op.exec.meta.env).toEqual(expect.arrayContaining([
      'TARGETPLATFORM=linux/amd64', 'TARGETOS=linux', 'TARGETARCH=amd64', 'TARGETVARIANT=', 'BUILDPLATFORM=linux/amd64', 'BUILDARCH=amd64',
    ]));
  });

  it('only linux/amd64 can be built: --platform and FROM --platform say so', async () => {
    await expect(convert(`FROM ${BB}\n`, { platform: 'linux/arm64' })).rejects.toThrow(
      'platform linux/arm64 is not supported: slipway builds only linux/amd64',
    );
    await expect(convert(`FROM ${BB}\n`, { platform: 'linux/amd64' })).resolves.toBeDefined();
    await expect(convert(`FROM ${BB}\n`, { platform: 'x86_64' })).resolves.toBeDefined();
    await expect(convert(`FROM ${BB} AS a\nFROM --platform=linux/arm/v7 ${BB}\n`)).rejects.toThrow(
      /^Dockerfile:2:1: FROM --platform linux\/arm\/v7 is not supported/,
    );
    // An arm64 stage nobody needs is not an error.
    await expect(convert(`FROM --platform=linux/arm64 ${BB} AS other\nFROM ${BB}\n`)).resolves.toBeDefined();
  });

  it('a blank base name after expansion is an error at the FROM line', async () => {
    await expect(convert('ARG IMG\nFROM $IMG\n')).rejects.toThrow('Dockerfile:2:1: base name ($IMG) should not be blank');
  });
});

describe('steps and BuildKit control args', () => {
  it('records which op each instruction made and the build args it saw', async () => {
    const res = await convert(`FROM ${BB}\nARG V=1\nRUN echo $V\nWORKDIR /w\nCOPY a /a\n`);
    expect(res.steps.map((s) => [s.stage, s.line, s.instruction, s.buildArgs])).toEqual([
      ['stage-0', 3, 'RUN echo $V', { V: '1' }],
      ['stage-0', 4, 'WORKDIR /w', { V: '1' }],
      ['stage-0', 5, 'COPY a /a', { V: '1' }],
    ]);
    const digests = new Set(res.definition.ops.map((o) => o.digest));
    expect(res.steps.every((s) => digests.has(s.digest))).toBe(true);
  });

  it('BUILDKIT_CACHE_MOUNT_NS prefixes cache ids; BUILDKIT_SANDBOX_HOSTNAME sets the hostname', async () => {
    const res = await convert(`FROM ${BB}\nRUN --mount=type=cache,target=/c hostname\n`, {
      buildArgs: { BUILDKIT_CACHE_MOUNT_NS: 'proj', BUILDKIT_SANDBOX_HOSTNAME: 'builder' },
    });
    const run = opsOf(res.definition).find((o) => o.op.exec)!.op.exec;
    expect(run.mounts.find((m: { dest: string }) => m.dest === '/c').cacheOpt.id).toBe('proj//c');
    expect(run.meta.hostname).toBe('builder');
    expect(res.warnings).toEqual([]);
  });

  it('--pull is recorded in the image sources and passed to the resolver', async () => {
    const modes: string[] = [];
    const { fakeResolver } = await import('./fake-resolver.js');
    const inner = fakeResolver();
    const { convertDockerfile } = await import('../../../src/frontend/dockerfile/convert/index.js');
    const res = await convertDockerfile(`FROM ${BB}\n`, {
      imageResolveMode: 'pull',
      resolveImageConfig: (ref, o) => {
        modes.push(o.resolveMode);
        return inner(ref, o);
      },
    });
    expect(modes).toEqual(['pull']);
    expect(opsOf(res.definition)[0]!.op.source.attrs['image.resolvemode']).toBe('pull');
  });
});
