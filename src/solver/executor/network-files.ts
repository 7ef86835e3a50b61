// /etc/hosts and /etc/resolv.conf contents for a container, generated as BuildKit does
// (executor/oci/hosts.go, resolvconf.go): hosts maps localhost and the sandbox hostname;
// resolv.conf is the host's, with localhost resolvers dropped unless the container shares
// the host network (they would not be reachable from another network namespace).
import { readFileSync } from 'node:fs';

export const DEFAULT_HOSTNAME = 'buildkitsandbox';

export interface ExtraHost { host: string; ip: string }

export function hostsFile(hostname: string = DEFAULT_HOSTNAME, extraHosts: readonly ExtraHost[] = []): string {
  let out = `127.0.0.1\tlocalhost ${hostname || DEFAULT_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  for (const h of extraHosts) out += `${h.ip}\t${h.host}\n`;
  return out;
}

const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];
const NAMESERVER = /^\s*nameserver\s+(\S+)/;

function isLocalhostResolver(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1';
}

function nameservers(text: string): string[] {
  return text.split('\n').map((l) => NAMESERVER.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}

/** libnetwork's FilterResolvDNS: drop localhost resolvers, fall back to public DNS if none remain. */
export function filterResolvConf(text: string): string {
  let out = text.split('\n').filter((l) => {
    const m = NAMESERVER.exec(l);
    return !(m && isLocalhostResolver(m[1] as string));
  }).join('\n');
  out = out.replace(/\n{3,}/g, '\n\n');
  if (nameservers(out).length === 0) {
    if (out !== '' && !out.endsWith('\n')) out += '\n';
    out += DEFAULT_NAMESERVERS.map((ns) => `nameserver ${ns}\n`).join('');
  }
  return out;
}

export function resolvConfFor(hostText: string, network: 'host' | 'none'): string {
  if (network === 'host' && nameservers(hostText).length > 0) return hostText;
  return filterResolvConf(hostText);
}

/** Synchronous: one small file, read once per RUN step while the step waits for it. */
export function readHostResolvConf(file = '/etc/resolv.conf'): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
