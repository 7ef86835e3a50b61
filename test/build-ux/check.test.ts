// build --check / --call=check: the build checks printed as buildx prints a lint result, the
// exit status 1 when any fails, and nothing built.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCheckResult, parseCall } from '../../src/cli/commands/build-check.js';
import { formatSourceSnippet } from '../../src/frontend/dockerfile/source-snippet.js';
import { spawnSync } from 'node:child_process';
import { BIN, tempDir } from '../solver/build/slipway.js';
import { testEnv } from '../helpers/testenv.js';

function cliRun(root: string, args: string[]) {
  testEnv();
  return spawnSync(BIN, ['--root', root, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('source snippet (BuildKit errdefs Source.Print)', () => {
  const text = Array.from({ length: 14 }, (_, i) => `LINE ${i + 1}`).join('\n');
  it('marks a one-line range with two lines around it, numbers as %3d', () => {
    expect(formatSourceSnippet('Dockerfile', text, [{ start: 11, end: 11 }])).toBe([
      'Dockerfile:11', '--------------------',
      '   9 |     LINE 9', '  10 |     LINE 10', '  11 | >>> LINE 11', '  12 |     LINE 12', '  13 |     LINE 13',
      '--------------------', '',
    ].join('\n'));
  });
  it('gives a longer range one line around it, and stops at the file\'s ends', () => {
    expect(formatSourceSnippet('D', text, [{ start: 1, end: 2 }])).toBe(
      ['D:1', '--------------------', '   1 | >>> LINE 1', '   2 | >>> LINE 2', '   3 |     LINE 3', '--------------------', ''].join('\n'));
    expect(formatSourceSnippet('D', 'A\nB', [{ start: 2, end: 2 }])).toBe(
      ['D:2', '--------------------', '   1 |     A', '   2 | >>> B', '--------------------', ''].join('\n'));
  });
});

describe('formatCheckResult', () => {
  it('counts, orders by line and prints rule, url, message and snippet', () => {
    const sources = new Map([['Dockerfile', 'FROM a as b\nCMD x\n']]);
    const r = formatCheckResult([
      { rule: 'JSONArgsRecommended', url: 'https://u/json', message: 'JSON please', location: { file: 'Dockerfile', line: 2 } },
      { message: 'not a check' },
      { rule: 'FromAsCasing', url: 'https://u/casing', message: 'casing', location: { file: 'Dockerfile', line: 1 } },
    ], sources);
    expect(r.status).toBe(1);
    expect(r.text).toMatch(/^Check complete, 2 warnings have been found!\n\nWARNING: FromAsCasing - https:\/\/u\/casing\ncasing\nDockerfile:1\n/);
    expect(r.text.indexOf('FromAsCasing')).toBeLessThan(r.text.indexOf('JSONArgsRecommended'));
    expect(r.text).not.toContain('not a check');
    expect(formatCheckResult([], sources)).toEqual({ text: 'Check complete, no warnings found.\n', status: 0 });
  });
  it('marks every line of a multi-line instruction', () => {
    const r = formatCheckResult(
      [{ rule: 'JSONArgsRecommended', url: 'u', message: 'm', location: { file: 'D', line: 2, endLine: 3 } }],
      new Map([['D', 'FROM a\nCMD x \\\n  y\nLABEL z=1\n']]),
    );
    expect(r.text).toContain('D:2\n--------------------\n   1 |     FROM a\n   2 | >>> CMD x \\\n   3 | >>>   y\n   4 |     LABEL z=1\n---');
  });

  it('--call takes build and check only', () => {
    expect(parseCall(undefined, false).name).toBe('build');
    expect(parseCall('check', false).name).toBe('check');
    expect(parseCall(undefined, true).name).toBe('check');
    expect(() => parseCall('outline', false)).toThrow(/only build and check/);
  });
  it('--call reads fields as buildx does: lint is check, ignorestatus, no other format than the default', () => {
    expect(parseCall('lint', false)).toEqual({ name: 'check', ignoreStatus: false });
    expect(parseCall('check,ignorestatus=true', false)).toEqual({ name: 'check', ignoreStatus: true });
    expect(parseCall('ignorestatus=1,check', false)).toEqual({ name: 'check', ignoreStatus: true });
    expect(() => parseCall('check,ignorestatus=yes', false)).toThrow(/invalid ignorestatus print value: yes/);
    expect(() => parseCall('check,format=json', false)).toThrow(/only the default format/);
    expect(() => parseCall('check,color=1', false)).toThrow(/invalid print field: color=1/);
    expect(() => parseCall('check,build', false)).toThrow(/invalid print value: check,build/);
  });
});

describe('slipway build --check', () => {
  const dir = tempDir('check');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  const ctx = path.join(dir, 'ctx');
  mkdirSync(ctx);

  it('prints the failed checks, exits 1 and builds nothing', () => {
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest as base\nRUN touch /x\nCMD echo hi\n');
    const r = cliRun(root, ['build', '--check', '-t', 'check:1', ctx]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe([
      'Check complete, 2 warnings have been found!', '',
      'WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
      "'as' and 'FROM' keywords' casing do not match",
      'Dockerfile:1', '--------------------',
      '   1 | >>> FROM 127.0.0.1:5100/library/busybox:latest as base', '   2 |     RUN touch /x', '   3 |     CMD echo hi',
      '--------------------', '',
      'WARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
      'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
      'Dockerfile:3', '--------------------',
      '   1 |     FROM 127.0.0.1:5100/library/busybox:latest as base', '   2 |     RUN touch /x', '   3 | >>> CMD echo hi', '   4 |     ',
      '--------------------', '',
    ].join('\n'));
    expect(r.stderr).toContain('load metadata for 127.0.0.1:5100/library/busybox:latest');
    expect(r.stderr).not.toContain('RUN touch');
    expect(cliRun(root, ['images', '-q']).stdout).toBe('');
    const ignored = cliRun(root, ['build', '--call=check,ignorestatus=true', ctx]);
    expect(ignored.status, ignored.stderr).toBe(0);
    expect(ignored.stdout).toBe(r.stdout);
  });

  it('with check=error=true lists the warnings, then fails with the error', () => {
    writeFileSync(path.join(ctx, 'Dockerfile'), '# check=error=true\nFROM 127.0.0.1:5100/library/busybox:latest as base\n');
    const r = cliRun(root, ['build', '--check', ctx]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Check complete, 1 warning has been found!\n\nWARNING: FromAsCasing - /);
    expect(r.stdout).toMatch(/   2 \| >>> FROM 127\.0\.0\.1:5100\/library\/busybox:latest as base\n/);
    expect(r.stdout.endsWith('--------------------\n\n')).toBe(true);
    expect(r.stderr).toContain('lint violation found for rules: FromAsCasing');
  });

  it('checks every stage without --target, the target\'s only with one (BuildKit\'s lint AllStages)', () => {
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest AS unused\nENV X=$NOPE\nFROM 127.0.0.1:5100/library/busybox:latest AS final\nCMD ["sh"]\n');
    const all = cliRun(root, ['build', '--check', ctx]);
    expect(all.status).toBe(1);
    expect(all.stdout).toMatch(/^Check complete, 1 warning has been found!\n\nWARNING: UndefinedVar - .*\nUsage of undefined variable '\$NOPE'\nDockerfile:2\n/);
    const targeted = cliRun(root, ['build', '--check', '--target', 'final', ctx]);
    expect(targeted.status, targeted.stderr).toBe(0);
    expect(targeted.stdout).toBe('Check complete, no warnings found.\n');
  });

  it('exits 0 when every check passes (--call=check)', () => {
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:5100/library/busybox:latest AS base\nCMD ["sh"]\n');
    const r = cliRun(root, ['build', '--call=check', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Check complete, no warnings found.\n');
  });
});
