// Per-host transport settings: HTTP or HTTPS (Docker's insecure-registry rules) and extra CAs
// from /etc/docker/certs.d/<host>/ca.crt.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export interface HostSettings {
  host: string;
  /** Registry API base URL, e.g. `http://127.0.0.1:5000` or `https://registry-1.docker.io`. */
  baseUrl: string;
  insecure: boolean;
  ca?: string[];
}

let globalInsecure: string[] = [];

/** Registers hosts named with `--insecure-registry` (the env var is read on every call). */
export function addInsecureRegistries(hosts: readonly string[]): void {
  globalInsecure = [...globalInsecure, ...hosts.map((h) => h.trim()).filter(Boolean)];
}

function insecureList(): string[] {
  const env = (process.env.SLIPWAY_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...globalInsecure, ...env];
}

/** Strips a port (keeping IPv6 brackets off): `127.0.0.1:5000` → `127.0.0.1`, `[::1]:5000` → `::1`. */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i >= 0 ? host.slice(0, i) : host;
}

/** Docker treats loopback as insecure; others must be listed. */
export function isInsecureHost(host: string): boolean {
  const name = hostnameOf(host);
  if (name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return insecureList().some((h) => h === host || h === name);
}

/** Docker's per-registry CA directory (SLIPWAY_CERTS_D overrides it, for tests). */
function certsDir(): string {
  return process.env.SLIPWAY_CERTS_D ?? '/etc/docker/certs.d';
}

function extraCAs(host: string): string[] | undefined {
  const dir = path.join(certsDir(), host);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  const cas = names.filter((n) => n.endsWith('.crt')).sort().map((n) => readFileSync(path.join(dir, n), 'utf8'));
  return cas.length > 0 ? cas : undefined;
}

export function hostSettings(host: string): HostSettings {
  // Docker Hub's API lives on a different host than its name.
  const apiHost = host === 'docker.io' ? 'registry-1.docker.io' : host;
  const insecure = isInsecureHost(host);
  const ca = insecure ? undefined : extraCAs(host);
  return { host, baseUrl: `${insecure ? 'http' : 'https'}://${apiHost}`, insecure, ...(ca ? { ca } : {}) };
}

/** commander collector for the repeatable `--insecure-registry HOST` option. */
export function collectHost(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}
