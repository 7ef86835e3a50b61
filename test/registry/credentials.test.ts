import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eraseCredentials, getCredentials, storeCredentials } from '../../src/registry/credentials.js';

let dir: string;
const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, PATH: process.env.PATH };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-creds-'));
  process.env.DOCKER_CONFIG = path.join(dir, 'cfg');
});
afterEach(async () => {
  process.env.DOCKER_CONFIG = saved.DOCKER_CONFIG;
  process.env.PATH = saved.PATH;
  await rm(dir, { recursive: true, force: true });
});

const cfgFile = () => path.join(dir, 'cfg', 'config.json');
const b64 = (s: string) => Buffer.from(s).toString('base64');
async function writeConfig(obj: unknown): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.join(dir, 'cfg'), { recursive: true });
  await writeFile(cfgFile(), JSON.stringify(obj));
}

/** A docker-credential-fake helper keeping secrets as files in <dir>/helper-store. */
async function installFakeHelper(): Promise<string> {
  const bin = path.join(dir, 'bin');
  const store = path.join(dir, 'helper-store');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(bin, { recursive: true });
  await mkdir(store, { recursive: true });
  const script = `#!/usr/bin/env node
const fs = require('fs'); const path = require('path');
const store = ${JSON.stringify(store)};
let input = ''; process.stdin.on('data', d => input += d); process.stdin.on('end', () => {
  const action = process.argv[2];
  const key = (s) => path.join(store, Buffer.from(s.trim()).toString('hex'));
  fs.appendFileSync(path.join(store, 'log'), action + ' ' + (action === 'store' ? JSON.parse(input).ServerURL : input.trim()) + '\\n');
  if (action === 'store') { const j = JSON.parse(input); fs.writeFileSync(key(j.ServerURL), JSON.stringify(j)); return; }
  if (!fs.existsSync(key(input))) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); }
  if (action === 'get') process.stdout.write(fs.readFileSync(key(input)));
  if (action === 'erase') fs.unlinkSync(key(input));
});
`;
  await writeFile(path.join(bin, 'docker-credential-fake'), script);
  await chmod(path.join(bin, 'docker-credential-fake'), 0o755);
  process.env.PATH = `${bin}:${saved.PATH}`;
  return store;
}

describe('docker config credentials', () => {
  it('no config file: no credentials', async () => {
    expect(await getCredentials('127.0.0.1:5000')).toBeUndefined();
  });

  it('reads base64 auth, username/password fields and URL-form keys', async () => {
    await writeConfig({
      auths: {
        'reg.example:5000': { auth: b64('u1:p:with:colons') },
        'https://other.example/v1/': { username: 'u2', password: 'p2' },
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'tok.example': { identitytoken: 'refresh-me' },
      },
    });
    expect(await getCredentials('reg.example:5000')).toEqual({ username: 'u1', password: 'p:with:colons' });
    expect(await getCredentials('other.example')).toEqual({ username: 'u2', password: 'p2' });
    expect(await getCredentials('docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await getCredentials('tok.example')).toEqual({ username: '', password: '', identityToken: 'refresh-me' });
    expect(await getCredentials('nothere.example')).toBeUndefined();
  });

  it('store writes mode 0600 and keeps other keys; erase removes only that host', async () => {
    await writeConfig({ auths: { 'keep.example': { auth: b64('a:b') } }, psFormat: 'table {{.ID}}', HttpHeaders: { 'X-Meta': '1' } });
    await storeCredentials('127.0.0.1:5101', { username: 'testuser', password: 'testpass' });
    expect((await stat(cfgFile())).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(await readFile(cfgFile(), 'utf8')) as Record<string, unknown>;
    expect(cfg).toEqual({
      auths: { 'keep.example': { auth: b64('a:b') }, '127.0.0.1:5101': { auth: b64('testuser:testpass') } },
      psFormat: 'table {{.ID}}',
      HttpHeaders: { 'X-Meta': '1' },
    });
    expect(await eraseCredentials('127.0.0.1:5101')).toBe(true);
    expect(await eraseCredentials('127.0.0.1:5101')).toBe(false);
    const after = JSON.parse(await readFile(cfgFile(), 'utf8')) as { auths: object; psFormat: string };
    expect(after.auths).toEqual({ 'keep.example': { auth: b64('a:b') } });
    expect(after.psFormat).toBe('table {{.ID}}');
  });

  it('credsStore: store, get and erase go through docker-credential-<name>', async () => {
    const store = await installFakeHelper();
    await writeConfig({ credsStore: 'fake' });
    expect(await storeCredentials('reg.example', { username: 'me', password: 'secret' })).toBe('docker-credential-fake');
    const cfg = JSON.parse(await readFile(cfgFile(), 'utf8')) as { auths: Record<string, object> };
    expect(cfg.auths).toEqual({ 'reg.example': {} }); // no secret in the file
    expect(await getCredentials('reg.example')).toEqual({ username: 'me', password: 'secret' });
    expect(await getCredentials('unknown.example')).toBeUndefined();
    expect(await eraseCredentials('reg.example')).toBe(true);
    expect(await getCredentials('reg.example')).toBeUndefined();
    expect((await readFile(path.join(store, 'log'), 'utf8')).trim().split('\n')).toEqual([
      'store reg.example',
      'get reg.example',
      'get unknown.example',
      'erase reg.example',
      'get reg.example',
    ]);
  });

  it('credHelpers take precedence per registry; <token> username means identity token', async () => {
    await installFakeHelper();
    await writeConfig({ credHelpers: { 'helped.example': 'fake' }, auths: { 'plain.example': { auth: b64('x:y') } } });
    await storeCredentials('helped.example', { username: '<token>', password: 'refresh-tok' });
    expect(await getCredentials('helped.example')).toEqual({ username: '', password: '', identityToken: 'refresh-tok' });
    expect(await getCredentials('plain.example')).toEqual({ username: 'x', password: 'y' });
  });

  it('a missing helper program is a clear error', async () => {
    await writeConfig({ credsStore: 'does-not-exist' });
    await expect(getCredentials('reg.example')).rejects.toThrow(/docker-credential-does-not-exist could not be run/);
  });
});
