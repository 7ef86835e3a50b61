// Login and logout: check credentials against the registry's /v2/ endpoint, then save them
// (or erase them) in Docker's client config.
import { STATUS_CODES } from 'node:http';
import { RegistryClient } from './client.js';
import { eraseCredentials, storeCredentials, type Credentials } from './credentials.js';
import { RegistryError } from './errors.js';

/** `https://index.docker.io/v1/`, `http://127.0.0.1:5000/`, `host:5000` → the registry host. */
export function serverHost(server: string | undefined): string {
  if (!server) return 'docker.io';
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

export class LoginError extends Error {
  readonly exitCode = 1;
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'LoginError';
  }
}

/** Verifies `creds` against the registry, then stores them. Returns where they were stored. */
export async function login(host: string, creds: Credentials): Promise<string> {
  const client = new RegistryClient(host, { credentials: async () => creds });
  try {
    await client.ping();
  } catch (err) {
    if (err instanceof RegistryError && (err.status === 401 || err.status === 403)) {
      throw new LoginError(`login attempt to ${client.settings.baseUrl}/v2/ failed with status: ${err.status} ${STATUS_CODES[err.status] ?? ''}`.trim(), err.status);
    }
    throw err;
  }
  return storeCredentials(host, creds);
}

export async function logout(host: string): Promise<boolean> {
  return eraseCredentials(host);
}
