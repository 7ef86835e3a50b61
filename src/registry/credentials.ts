// Registry credentials in Docker's client config (`$DOCKER_CONFIG/config.json`, default
// ~/.docker/config.json): `auths` entries with base64 `auth`, or a credential helper program
// (`credsStore`, `credHelpers`) speaking docker-credential-helpers' get/store/erase protocol.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Credentials {
  username: string;
  password: string;
  /** An OAuth refresh token (Docker's `identitytoken`), used instead of the password. */
  identityToken?: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Docker Hub's credentials are stored under its legacy index URL. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export function configDir(): string {
  return process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
}

export function configPath(): string {
  return path.join(configDir(), 'config.json');
}

/** The key used in `auths` and sent to helpers for a registry host. */
export function authKey(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB_AUTH_KEY : host;
}

async function loadConfig(): Promise<DockerConfig> {
  try {
    const text = await fs.readFile(configPath(), 'utf8');
    if (text.trim() === '') return {};
    return JSON.parse(text) as DockerConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${configPath()}: ${(err as Error).message}`);
  }
}

/** Writes the config atomically with mode 0600, keeping every key we did not touch. */
async function saveConfig(config: DockerConfig): Promise<void> {
  const file = configPath();
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(JSON.stringify(config, null, '\t') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

/** Finds the `auths` key for a host, accepting the URL forms Docker writes (`https://host/v1/`). */
function findAuthKey(auths: Record<string, AuthEntry>, host: string): string | undefined {
  const want = authKey(host);
  if (want in auths) return want;
  for (const key of Object.keys(auths)) {
    const bare = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (bare === host || (want === DOCKER_HUB_AUTH_KEY && bare === 'index.docker.io')) return key;
  }
  return undefined;
}

function helperFor(config: DockerConfig, host: string): string | undefined {
  return config.credHelpers?.[authKey(host)] ?? config.credHelpers?.[host] ?? config.credsStore;
}

/** Runs `docker-credential-<name> <action>` with `input` on stdin. */
function runHelper(name: string, action: 'get' | 'store' | 'erase', input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${name}`, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      reject(new Error(`credential helper docker-credential-${name} could not be run: ${(err as Error).message}`)),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export async function getCredentials(host: string): Promise<Credentials | undefined> {
  const config = await loadConfig();
  const helper = helperFor(config, host);
  if (helper) {
    const res = await runHelper(helper, 'get', authKey(host));
    if (res.code !== 0) {
      if (/credentials not found/i.test(res.stdout + res.stderr)) return undefined;
      throw new Error(`credential helper docker-credential-${helper} get failed: ${(res.stdout + res.stderr).trim()}`);
    }
    const out = JSON.parse(res.stdout) as { Username?: string; Secret?: string };
    if (!out.Secret) return undefined;
    // Docker's convention: Username "<token>" means Secret is an identity (refresh) token.
    if (out.Username === '<token>') return { username: '', password: '', identityToken: out.Secret };
    return { username: out.Username ?? '', password: out.Secret };
  }
  const key = config.auths ? findAuthKey(config.auths, host) : undefined;
  const entry = key ? config.auths?.[key] : undefined;
  if (!entry) return undefined;
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw new Error(`invalid auth entry for ${key} in ${configPath()}: expected base64 "user:password"`);
    username = decoded.slice(0, i);
    password = decoded.slice(i + 1);
  }
  if (!username && !password && !entry.identitytoken) return undefined;
  return { username, password, ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}) };
}

/** Saves credentials (through the helper if one is configured). Returns where they went. */
export async function storeCredentials(host: string, creds: Credentials): Promise<string> {
  const config = await loadConfig();
  const key = authKey(host);
  const helper = helperFor(config, host);
  config.auths ??= {};
  if (helper) {
    const res = await runHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: creds.username, Secret: creds.password }));
    if (res.code !== 0) throw new Error(`credential helper docker-credential-${helper} store failed: ${(res.stdout + res.stderr).trim()}`);
    // Docker keeps an empty entry so `auths` still lists the registry.
    config.auths[key] = {};
    await saveConfig(config);
    return `docker-credential-${helper}`;
  }
  config.auths[key] = {
    ...config.auths[key],
    auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64'),
  };
  delete config.auths[key].username;
  delete config.auths[key].password;
  await saveConfig(config);
  return configPath();
}

/** Removes credentials; returns false when there were none. */
export async function eraseCredentials(host: string): Promise<boolean> {
  const config = await loadConfig();
  const key = (config.auths && findAuthKey(config.auths, host)) ?? authKey(host);
  const helper = helperFor(config, host);
  let found = false;
  if (helper) {
    const res = await runHelper(helper, 'erase', authKey(host));
    if (res.code === 0) found = true;
    else if (!/credentials not found/i.test(res.stdout + res.stderr)) {
      throw new Error(`credential helper docker-credential-${helper} erase failed: ${(res.stdout + res.stderr).trim()}`);
    }
  }
  if (config.auths && key in config.auths) {
    delete config.auths[key];
    found = true;
    await saveConfig(config);
  }
  return found;
}
