// Error output and exit codes through the real CLI (a typo'd instruction, a bad flag, a bad
// -o spec, a missing context, a missing COPY source, a failing RUN, entitlements), and the
// flags that write or publish results (--metadata-file, --iidfile, --label, SOURCE_DATE_EPOCH,
// --push).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/testenv.js';
import { tempDir } from '../solver/build/slipway.js';
import { slipway, stepLines } from './cli.js';

let work: string;
let root: string;
let base: string;

function context(name: string, dockerfile: string, files: Record<string, string> = {}): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  for (const [f, t] of Object.entries(files)) writeFileSync(path.join(dir, f), t);
  return dir;
}

beforeAll(() => {
  base = `${testEnv().registries.plain}/library/busybox:latest`;
  work = tempDir('ux-errors');
  root = path.join(work, 'root');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('usage errors exit 2 before any progress', () => {
  it('an unknown flag', () => {
    const r = slipway(root, ['build', '--bogus', '.']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--bogus'");
  });

  it('a bad -o spec, a bad --allow, a missing context and no context at all', () => {
    const ctx = context('ok', 'FROM scratch\n');
    const out = slipway(root, ['build', '--progress=plain', '-o', 'type=foo', ctx]);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe('slipway: invalid output "type=foo": unknown type "foo" (expected one of image, registry, oci, docker, local, tar)\n');
    const allow = slipway(root, ['build', '--allow', 'device', ctx]);
    expect(allow.status).toBe(2);
    expect(allow.stderr).toContain('invalid --allow "device": expected network.host or security.insecure');
    const missing = slipway(root, ['build', '--progress=plain', path.join(work, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`slipway: unable to prepare context: path "${path.join(work, 'nope')}" not found\n`);
    const none = slipway(root, ['build']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('build requires exactly 1 argument');
  });
});

describe('build failures exit 1 and say where and why', () => {
  it('a typo in an instruction: file:line, neighbouring lines with the failing one marked, a suggestion', () => {
    const ctx = context('typo', `FROM ${base}\nRUNN echo hi\nRUN true\n`);
    const r = slipway(root, ['build', '--progress=plain', ctx]);
    expect(r.status).toBe(1);
    const tail = r.stderr.slice(r.stderr.indexOf('Dockerfile:2'));
    expect(tail.split('\n').slice(0, 5)).toEqual([
      'Dockerfile:2',
      '--------------------',
      `   1 |     FROM ${base}`,
      '   2 | >>> RUNN echo hi',
      '   3 |     RUN true',
    ]);
    expect(r.stderr).toMatch(/ERROR: .*unknown instruction: RUNN \(did you mean RUN\?\)\n$/);
  });

  it('a missing COPY source names the path', () => {
    const ctx = context('nocopy', `FROM ${base}\nCOPY missing.txt /x\n`);
    const r = slipway(root, ['build', '--progress=plain', ctx]);
    expect(r.status).toBe(1);
    expect(stepLines(r.stderr, '[2/2] COPY missing.txt /x')).toContainEqual(expect.stringMatching(/^ERROR: .*"\/missing\.txt": not found$/));
    expect(r.stderr).toContain('------\n > [2/2] COPY missing.txt /x:\n------\n');
    expect(r.stderr).toContain('\nDockerfile:2\n--------------------\n   1 |     FROM');
    expect(r.stderr).toContain('\n   2 | >>> COPY missing.txt /x\n');
    expect(r.stderr).toMatch(/ERROR: failed to solve: .*"\/missing\.txt": not found\n$/);
  });

  it('a failing RUN: the step, its last 10 output lines in a box, the Dockerfile lines, exit code: N', () => {
    const run = 'RUN for i in $(seq 1 12); do echo line $i; done; exit 3';
    const ctx = context('failrun', `FROM ${base}\nRUN true\n${run}\n`);
    const r = slipway(root, ['build', '--progress=plain', ctx]);
    expect(r.status).toBe(1);
    const msg = `process "/bin/sh -c for i in $(seq 1 12); do echo line $i; done; exit 3" did not complete successfully: exit code: 3`;
    expect(stepLines(r.stderr, `[3/3] ${run}`).at(-1)).toBe(`ERROR: ${msg}`);
    const box = r.stderr.slice(r.stderr.indexOf('------\n'));
    const lines = box.split('\n');
    expect(lines[0]).toBe('------');
    expect(lines[1]).toBe(` > [3/3] ${run}:`);
    expect(lines.slice(2, 12).map((l) => l.replace(/^\d+\.\d+ /, ''))).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 3}`));
    expect(lines[12]).toBe('------');
    // BuildKit's snippet: up to 4 lines around a one-line instruction (the file's last, empty line too).
    expect(lines.slice(13, 20)).toEqual([
      'Dockerfile:3', '--------------------', `   1 |     FROM ${base}`, '   2 |     RUN true', `   3 | >>> ${run}`, '   4 |     ',
      '--------------------',
    ]);
    expect(lines[20]).toBe(`ERROR: failed to solve: ${msg}`);
  });

  it('RUN --network=host needs --allow network.host (or --network=host); --security=insecure needs security.insecure', () => {
    const host = context('nethost', `FROM ${base}\nRUN --network=host true\n`);
    const denied = slipway(root, ['build', '--progress=plain', host]);
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(/ERROR: failed to solve: network\.host is not allowed\n$/);
    expect(slipway(root, ['build', '-q', '--allow', 'network.host', host]).status).toBe(0);
    expect(slipway(root, ['build', '-q', '--network', 'host', host]).status).toBe(0);
    const insecure = context('insecure', `FROM ${base}\nRUN --security=insecure true\n`);
    const r = slipway(root, ['build', '--progress=plain', '--allow', 'network.host', insecure]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR: failed to solve: security\.insecure is not allowed\n$/);
  });
});

describe('result flags', () => {
  it('--metadata-file, --iidfile, --label and SOURCE_DATE_EPOCH from the environment', () => {
    const ctx = context('meta', 'FROM scratch\nCOPY a.txt /\n', { 'a.txt': 'a' });
    const meta = path.join(work, 'meta.json');
    const iid = path.join(work, 'iid');
    const r = slipway(root, ['build', '-q', '--label', 'org.example=yes', '--metadata-file', meta, '--iidfile', iid, '-t', 'ux/meta:1', ctx],
      { env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(readFileSync(iid, 'utf8')).toBe(id);
    const m = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>;
    expect(m['containerimage.config.digest']).toBe(id);
    expect(m['containerimage.digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(m['image.name']).toBe('docker.io/ux/meta:1');
    const inspect = slipway(root, ['image', 'inspect', 'ux/meta:1']);
    const img = (JSON.parse(inspect.stdout) as Array<{ Created: string; Config: { Labels: Record<string, string> } }>)[0]!;
    expect(img.Created).toBe('2023-11-14T22:13:20Z');
    expect(img.Config.Labels).toEqual({ 'org.example': 'yes' });
  });

  it('--push sends the -t names to their registry', () => {
    const ctx = context('push', 'FROM scratch\nCOPY a.txt /\n', { 'a.txt': `pushed ${Date.now()}` });
    const reg = testEnv().registries.plain;
    const r = slipway(root, ['build', '-q', '--push', '-t', `${reg}/ux/push:1`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const meta = path.join(work, 'push-meta.json');
    expect(slipway(root, ['build', '-q', '--push', '--metadata-file', meta, '-t', `${reg}/ux/push:1`, ctx]).status).toBe(0);
    const digest = (JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>)['containerimage.digest'];
    const head = spawnSync('curl', ['-sfI', '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', `http://${reg}/v2/ux/push/manifests/1`], { encoding: 'utf8' });
    expect(head.status, head.stderr).toBe(0);
    expect(head.stdout.toLowerCase()).toContain(`docker-content-digest: ${digest}`);
  });
});
