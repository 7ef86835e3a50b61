// Stages, --target, reachability and stage references (COPY --from, RUN --mount from=).
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { convert, fakeResolver, opsOf } from './fake-resolver.js';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';

const BB = '127.0.0.1:5000/library/busybox:latest';

describe('stages and targets', () => {
  it('an unreachable stage contributes no op and its base is never resolved', async () => {
    const calls: string[] = [];
    const text = `FROM 127.0.0.1:5000/does/not-exist:1 AS unused\nRUN echo unused\nFROM ${BB}\nRUN echo used\n`;
    const res = await convertDockerfile(text, { resolveImageConfig: fakeResolver(calls) });
    const names = opsOf(res.definition).map((o) => o.name);
    expect(names.some((n) => n.includes('unused'))).toBe(false);
    expect(names).toContain('[stage-1 2/2] RUN echo used');
    expect(calls).toEqual([BB]);
    expect(res.stages.map((s) => [s.name, s.reachable])).toEqual([['unused', false], ['stage-1', true]]);
  });

  it('--target builds the named stage (case-insensitively) and prunes the rest', async () => {
    const text = `FROM ${BB} AS Build\nRUN echo build\nFROM ${BB} AS test\nRUN echo test\nFROM ${BB}\nCOPY --from=build / /\n`;
    const res = await convert(text, { target: 'BUILD' });
    const names = opsOf(res.definition).map((o) => o.name);
    expect(names).toEqual([`[build 1/2] FROM ${BB}@${res.stages[0]!.base.split('@')[1]}`, '[build 2/2] RUN echo build']);
    expect(res.target).toBe('build');
    expect(res.stages.map((s) => s.reachable)).toEqual([true, false, false]);
  });

  it('an unknown --target is an error listing the stages', async () => {
    const text = `FROM ${BB} AS build\nFROM ${BB} AS test\nFROM ${BB}\n`;
    await expect(convert(text, { target: 'release' })).rejects.toThrow('target stage "release" could not be found; stages: build, test');
  });

  it('COPY --from=0 and --from=<name of stage 0> give identical digests', async () => {
    const a = await convert(`FROM ${BB} AS first\nRUN echo a > /a\nFROM ${BB}\nCOPY --from=0 /a /a\n`);
    const b = await convert(`FROM ${BB} AS first\nRUN echo a > /a\nFROM ${BB}\nCOPY --from=first /a /a\n`);
    expect(a.definition.root).toEqual(b.definition.root);
    expect(a.definition.ops).toEqual(b.definition.ops);
  });

  it('stage names in --from and FROM are case-insensitive; FROM <stage> continues that stage', async () => {
    const res = await convert(`FROM ${BB} AS base\nENV FROM_BASE=1\nRUN echo base\nFROM base\nRUN echo child\n`);
    const run = opsOf(res.definition).find((o) => o.name === '[stage-1 1/1] RUN echo child')!;
    expect(run.op.exec.meta.env).toContain('FROM_BASE=1');
    expect(res.image.config.Env).toContain('FROM_BASE=1');
  });

  it('COPY --from an image resolves that image', async () => {
    const calls: string[] = [];
    const res = await convertDockerfile(`FROM scratch\nCOPY --from=${BB} /bin/busybox /busybox\n`, { resolveImageConfig: fakeResolver(calls) });
    expect(calls).toEqual([BB]);
    const src = opsOf(res.definition).find((o) => o.op.kind === 'source')!;
    expect(src.op.source.identifier).toMatch(/^docker-image:\/\/127\.0\.0\.1:5000\/library\/busybox:latest@sha256:/);
  });

  it('an undefined stage in --from is looked up as an image and fails at the COPY line', async () => {
    const err = await convert(`FROM ${BB}\nRUN true\nCOPY --from=bulder /out /out\n`).catch((e) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).line).toBe(3);
    expect((err as DockerfileError).message).toMatch(/^Dockerfile:3:1: bulder: pull access denied/);
    expect((err as DockerfileError).format()).toContain('>>> COPY --from=bulder /out /out');
  });

  it('a stage used before it is defined, a bad index, variables in --from and cycles are errors', async () => {
    await expect(convert(`FROM ${BB} AS a\nCOPY --from=b /x /x\nFROM ${BB} AS b\nFROM a\n`)).rejects.toThrow(
      'Dockerfile:2:1: cannot copy from stage "b", it needs to be defined before current stage "a"',
    );
    await expect(convert(`FROM ${BB}\nCOPY --from=3 /x /x\n`)).rejects.toThrow('Dockerfile:2:1: invalid stage index 3');
    await expect(convert(`FROM ${BB} AS a\nFROM ${BB}\nARG S=a\nCOPY --from=$S /x /x\n`)).rejects.toThrow(/variable expansion is not supported for --from/);
    await expect(convert(`FROM ${BB} AS a\nCOPY --from=b /x /x\nFROM a AS b\n`)).rejects.toThrow(/circular dependency detected on stage: a/);
  });

  it('RUN --mount from= a stage makes it reachable and is read-only by default', async () => {
    const res = await convert(`FROM ${BB} AS tools\nRUN echo t\nFROM ${BB}\nRUN --mount=from=tools,target=/t ls /t\n`);
    const ops = opsOf(res.definition);
    expect(ops.map((o) => o.name)).toContain('[tools 2/2] RUN echo t');
    const run = ops.find((o) => o.name.endsWith('ls /t'))!;
    const mount = run.op.exec.mounts.find((m: { dest: string }) => m.dest === '/t');
    expect(mount).toMatchObject({ readonly: true, mountType: 'bind' });
    expect(res.stages.every((s) => s.reachable)).toBe(true);
  });

  it('a single-stage build has no stage name in step names; more stages use stage-N', async () => {
    const one = opsOf((await convert(`FROM ${BB}\nRUN a\nRUN b\n`)).definition).map((o) => o.name);
    expect(one).toContain('[2/3] RUN a');
    const two = opsOf((await convert(`FROM ${BB}\nRUN a\nFROM scratch\nCOPY --from=0 / /\n`)).definition).map((o) => o.name);
    expect(two).toContain('[stage-0 2/2] RUN a');
    expect(two).toContain('[stage-1 1/1] COPY --from=0 / /');
  });
});

describe('suggestions', () => {
  it('a mistyped target or stage name gets a "did you mean"', async () => {
    await expect(convert(`FROM ${BB} AS build\nFROM ${BB}\n`, { target: 'biuld' })).rejects.toThrow(
      'target stage "biuld" could not be found (did you mean build?); stages: build',
    );
    await expect(convert(`FROM ${BB} AS build\nFROM bulid\n`)).rejects.toThrow(/Dockerfile:2:1: bulid: pull access denied.* \(did you mean build\?\)$/);
  });
});
