// The pull/push/login/logout commands through the real ./bin/slipway against the test registries.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../helpers/testenv.js';

const bin = fileURLToPath(new URL('../../bin/slipway', import.meta.url));
let env: TestEnv;
let tmp: string;
let root: string;
let dockerConfig: string;

function slipway(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(bin, ['--root', root, ...args], {
    encoding: 'utf8',
    input: input ?? '',
    env: { ...process.env, DOCKER_CONFIG: dockerConfig, SLIPWAY_REGISTRY_RETRY_DELAY_MS: '5' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  env = testEnv();
  tmp = await mkdtemp(path.join(tmpdir(), 'slipway-cli-registry-'));
  root = path.join(tmp, 'root');
  dockerConfig = path.join(tmp, 'docker');
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('slipway pull / push / login / logout', () => {
  it('pull prints docker-like plain progress; -q prints only the reference', () => {
    const ref = `${env.registries.plain}/library/busybox`;
    const r = slipway(['pull', ref]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('Using default tag: latest');
    expect(lines[1]).toBe('latest: Pulling from library/busybox');
    expect(lines).toContain(`Digest: ${env.images.busybox.manifestDigest}`);
    expect(lines.at(-2)).toMatch(new RegExp(`^Status: (Downloaded newer image|Image is up to date) for ${ref.replace(/\./g, '\\.')}:latest$`));
    expect(lines.at(-1)).toBe(`${ref}:latest`);
    expect(lines.filter((l) => /^[0-9a-f]{12}: (Pull complete|Already exists)$/.test(l))).toHaveLength(1);
    const q = slipway(['pull', '-q', `${ref}:v2s2`]);
    expect(q.stdout).toBe(`${ref}:v2s2\n`);
  });

  it('pull of an unknown image exits 1 naming the reference and the answer', () => {
    const r = slipway(['pull', `${env.registries.plain}/library/busybox:missing`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: 127\.0\.0\.1:5100\/library\/busybox:missing: not found: 404 Not Found \(MANIFEST_UNKNOWN/);
  });

  it('an invalid reference names the bad part', () => {
    const r = slipway(['pull', 'Busybox:la test']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid reference format "Busybox:la test": invalid tag "la test"');
  });

  it('login/logout with Basic auth; push needs login; config file stays 0600', async () => {
    const auth = env.registries.auth;
    const bad = slipway(['login', '-u', env.auth.username, '--password-stdin', auth], 'nope\n');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`login attempt to http://${auth}/v2/ failed with status: 401 Unauthorized`);

    const push401 = slipway(['push', `${env.registries.plain}/library/busybox:latest`.replace(env.registries.plain, auth)]);
    expect(push401.status).toBe(1); // not local under that name
    expect(push401.stderr).toContain('An image does not exist locally with the tag');

    const pull401 = slipway(['pull', `${auth}/library/busybox`]);
    expect(pull401.status).toBe(1);
    expect(pull401.stderr).toContain(`run "slipway login ${auth}"`);

    const ok = slipway(['login', '-u', env.auth.username, '--password-stdin', auth], `${env.auth.password}\n`);
    expect(ok.stderr).toContain('WARNING! Your password will be stored unencrypted');
    expect(ok.stdout).toBe('Login Succeeded\n');
    const cfgFile = path.join(dockerConfig, 'config.json');
    expect((await stat(cfgFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(cfgFile, 'utf8'))).toHaveProperty(['auths', auth, 'auth']);

    const pulled = slipway(['pull', '-q', `${auth}/library/busybox`]);
    expect(pulled.status).toBe(0);
    const pushed = slipway(['push', `${auth}/library/busybox:latest`]);
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toContain(`The push refers to repository [${auth}/library/busybox]`);
    expect(pushed.stdout).toContain(`latest: digest: ${env.images.busybox.manifestDigest} size: `);

    expect(slipway(['logout', auth]).stdout).toBe(`Removing login credentials for ${auth}\n`);
    expect(slipway(['logout', auth]).stdout).toBe(`Not logged in to ${auth}\n`);
    expect(JSON.parse(await readFile(cfgFile, 'utf8')).auths).toEqual({});
  });

  it('login refuses conflicting or missing password sources', () => {
    const both = slipway(['login', '-u', 'a', '-p', 'b', '--password-stdin', env.registries.auth], 'x');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--password and --password-stdin are mutually exclusive');
    const noUser = slipway(['login', '--password-stdin', env.registries.auth], 'x');
    expect(noUser.status).toBe(2);
    expect(noUser.stderr).toContain('Must provide --username with --password-stdin');
    const noTty = slipway(['login', env.registries.auth]);
    expect(noTty.status).toBe(2);
    expect(noTty.stderr).toContain('Cannot perform an interactive login from a non TTY device');
  });
});
