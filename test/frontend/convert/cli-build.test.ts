// `slipway build --print-llb`: the real CLI, byte-identical output, flags and errors.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerignore } from '../../../src/cli/commands/build-dockerignore.js';
import { parseBuildArgs, parseBuildFlags } from '../../../src/cli/commands/build-options.js';

const BIN = fileURLToPath(new URL('../../../bin/slipway', import.meta.url));
let dir: string;
let root: string;

function slipway(...args: string[]) {
  return spawnSync(BIN, ['--root', root, ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-print-llb-'));
  root = join(dir, 'root');
  const ctx = join(dir, 'ctx');
  mkdirSync(join(ctx, 'src'), { recursive: true });
  writeFileSync(join(ctx, 'src', 'a.txt'), 'a\n');
  writeFileSync(join(ctx, '.dockerignore'), '# comment\n*.log\n!keep.log\n/abs/\n');
  // Only scratch bases: printing the graph needs no registry.
  writeFileSync(
    join(ctx, 'Dockerfile'),
    'ARG MSG=hello\nFROM scratch AS build\nARG MSG\nCOPY src/ /src/\nWORKDIR /src\n\nFROM scratch\nCOPY --from=build /src /out\nENV MSG=${MSG}\n',
  );
  writeFileSync(join(ctx, 'Other.Dockerfile'), 'FROM scratch AS a\nFROM scratch AS b\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slipway build --print-llb', () => {
  it('prints the same JSON bytes on every run', () => {
    const a = slipway('build', '--print-llb', join(dir, 'ctx'));
    const b = slipway('build', '--print-llb=json', join(dir, 'ctx'));
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const printed = JSON.parse(a.stdout);
    expect(printed.root.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const ctxOp = printed.ops.find((o: { op: { source?: { identifier: string } } }) => o.op.source?.identifier === 'local://context');
    expect(JSON.parse(ctxOp.op.source.attrs['local.followpaths'])).toEqual(['src']);
    expect(JSON.parse(ctxOp.op.source.attrs['local.excludepatterns'])).toEqual(['*.log', '!keep.log', 'abs']);
  });

  it('prints DOT, honours --build-arg, -f and --target', () => {
    const dot = slipway('build', '--print-llb=dot', join(dir, 'ctx'));
    expect(dot.status).toBe(0);
    expect(dot.stdout.startsWith('digraph')).toBe(true);
    const base = slipway('build', '--print-llb', join(dir, 'ctx')).stdout;
    const changed = slipway('build', '--print-llb', '--build-arg', 'MSG=bye', join(dir, 'ctx')).stdout;
    expect(changed).toBe(base); // MSG only reaches the image config, never an op
    const target = slipway('build', '--print-llb', '--target', 'build', join(dir, 'ctx'));
    expect(target.status).toBe(0);
    expect(target.stdout).not.toContain('/out');
    const other = slipway('build', '--print-llb', '-f', join(dir, 'ctx', 'Other.Dockerfile'), '--target', 'release', join(dir, 'ctx'));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('target stage "release" could not be found; stages: a, b');
  });

  it('refuses platforms other than linux/amd64 and reports Dockerfile errors with file:line', () => {
    const arm = slipway('build', '--print-llb', '--platform', 'linux/arm64', join(dir, 'ctx'));
    expect(arm.status).toBe(1);
    expect(arm.stderr).toContain('platform linux/arm64 is not supported: slipway builds only linux/amd64');
    writeFileSync(join(dir, 'bad.Dockerfile'), 'FROM scratch\nCOPY --from=nowhere:1 /x /x\n');
    const bad = slipway('build', '--print-llb', '-f', join(dir, 'bad.Dockerfile'), join(dir, 'ctx'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/bad\.Dockerfile:2/);
    expect(bad.stderr).toContain('>>> COPY --from=nowhere:1 /x /x');
  });

  it('without --print-llb it builds instead of printing the graph', () => {
    const r = slipway('build', '-q', join(dir, 'ctx'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it('lists its flags in --help', () => {
    const help = execFileSync(BIN, ['build', '--help'], { encoding: 'utf8' });
    for (const flag of ['--file', '--target', '--build-arg', '--platform', '--print-llb']) expect(help).toContain(flag);
  });
});

describe('build flag parsing', () => {
  it('--build-arg K=V and K from the environment', () => {
    expect([...parseBuildArgs(['A=1', 'B=', 'C=x=y', 'FROM_ENV', 'MISSING'], { FROM_ENV: 'e' })]).toEqual([
      ['A', '1'], ['B', ''], ['C', 'x=y'], ['FROM_ENV', 'e'],
    ]);
    expect(() => parseBuildArgs(['=v'], {})).toThrow(/invalid --build-arg/);
  });
  it('--print-llb followed by the context, and bad formats', () => {
    expect(parseBuildFlags(undefined, { printLlb: '/ctx' }, {})).toMatchObject({ contextDir: '/ctx', printLLB: 'json' });
    expect(parseBuildFlags('/ctx', { printLlb: 'dot', file: '/ctx/sub/D' }, {})).toMatchObject({ printLLB: 'dot', dockerfileName: 'sub/D' });
    expect(() => parseBuildFlags('/ctx', { printLlb: 'yaml' }, {})).toThrow(/invalid --print-llb format/);
  });
  it('.dockerignore lines as moby/patternmatcher reads them', () => {
    expect(parseDockerignore('\ufeff# c\n  a/b/  \n!/x/../y\n\n/z\n./w\n')).toEqual(['a/b', '!y', 'z', 'w']);
  });
});

describe('build warnings', () => {
  it('prints checks like buildx and other warnings as WARNING lines', async () => {
    const { formatWarnings } = await import('../../../src/cli/commands/build-warnings.js');
    expect(formatWarnings([
      { message: 'One or more build-args [X] were not consumed' },
      { rule: 'JSONArgsRecommended', message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', location: { file: 'Dockerfile', line: 3 } },
    ])).toBe(
      'WARNING: One or more build-args [X] were not consumed\n' +
        ' 1 warning found:\n - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 3)\n',
    );
    expect(formatWarnings([])).toBe('');
  });
});

describe('Dockerfile from standard input', () => {
  it('-f - reads the Dockerfile from stdin', () => {
    const r = spawnSync(BIN, ['--root', root, 'build', '--print-llb', '-f', '-', join(dir, 'ctx')], {
      input: 'FROM scratch\nCOPY src/a.txt /\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ops.some((o: { description: string }) => o.description === '[1/1] COPY src/a.txt /')).toBe(true);
  });
});
