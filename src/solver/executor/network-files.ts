// /etc/hosts and /etc/resolv.conf contents for a container, generated as BuildKit does
// (executor/oci/hosts.go, resolvconf.go and its resolvconf package): hosts maps localhost
// and the sandbox hostname; resolv.conf is the host's, parsed and written back without
// comments, with loopback resolvers dropped unless the step is on the host network (they
// would not be reachable from another network namespace).
import { readFileSync } from 'node:fs';

export const DEFAULT_HOSTNAME = 'buildkitsandbox';

export interface ExtraHost { host: string; ip: string }

export function hostsFile(hostname: string = DEFAULT_HOSTNAME, extraHosts: readonly ExtraHost[] = []): string {
  let out = `127.0.0.1\tlocalhost ${hostname || DEFAULT_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  for (const h of extraHosts) out += `${hostsIP(h.ip)}\t${h.host}\n`;
  return out;
}

/** Go's net.IP String(), as BuildKit writes an extra host's address: canonical, an IPv4-mapped one as IPv4. */
function hostsIP(ip: string): string {
  const c = canonicalIP(ip);
  if (c === undefined) return ip;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(c) ? c.slice(7) : c;
}

/** The fallback nameservers when none is left (IPv6 ones included: BuildKit transforms with ipv6 on). */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];

/**
 * How a RUN's resolv.conf is made, by the step's network mode as BuildKit's GetResolvConf
 * sees it: 'host' (RUN --network=host) keeps the host's nameservers; 'sandbox' (the default
 * network) and 'none' drop loopback ones, which only answer in the host's namespace.
 */
export type ResolvMode = 'host' | 'sandbox' | 'none';

const DEFAULT_PATH = '/etc/resolv.conf';
const SYSTEMD_RESOLVED_PATH = '/run/systemd/resolve/resolv.conf';

/** A resolv.conf as BuildKit's resolvconf package parses it. */
interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
  /** Lines that are no directive it knows, kept as they are. */
  other: string[];
}

/** Go's netip.ParseAddr and Addr.String(): the address in its canonical form, or undefined. */
export function canonicalIP(text: string): string | undefined {
  if (isIPv4(text)) return text;
  const pct = text.indexOf('%');
  const addr = pct < 0 ? text : text.slice(0, pct);
  const zone = pct < 0 ? '' : text.slice(pct);
  if (zone === '%' || !isIPv6(addr)) return undefined;
  let hextets: number[];
  try {
    // The URL parser validates and expands the address; its groups are read back from it.
    hextets = expandIPv6(new URL(`http://[${addr}]/`).hostname.slice(1, -1));
  } catch {
    return undefined;
  }
  // An IPv4-mapped address prints with its IPv4 part, as Go prints it.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const v4 = `${hextets[6]! >> 8}.${hextets[6]! & 0xff}.${hextets[7]! >> 8}.${hextets[7]! & 0xff}`;
    return `::ffff:${v4}${zone}`;
  }
  return `${compressIPv6(hextets)}${zone}`;
}

function expandIPv6(addr: string): number[] {
  const [head = '', tail] = addr.split('::');
  const parse = (part: string): number[] => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const a = parse(head);
  const b = tail === undefined ? [] : parse(tail);
  return [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
}

/** RFC 5952: the longest run (two or more) of zero groups becomes '::', the first one on a tie. */
function compressIPv6(h: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (h[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(h) : `${hex(h.slice(0, best))}::${hex(h.slice(best + bestLen))}`;
}

function isIPv4(s: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/.test(s);
}

function isIPv6(s: string): boolean {
  return /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':');
}

function isLoopback(ip: string): boolean {
  const addr = ip.split('%')[0] as string;
  return /^127\./.test(addr) || /^::ffff:127\./.test(addr) || addr === '::1';
}

/** The resolvconf package's Parse: comments and blank lines go, the last search wins, options add up. */
export function parseResolvConf(text: string): ResolvConf {
  const rc: ResolvConf = { nameservers: [], search: [], options: [], other: [] };
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line[0] === '#' || line[0] === ';') continue;
    const fields = line.split(/[ \t\n\v\f\r]+/).filter(Boolean);
    if (fields.length === 0) continue;
    switch (fields[0]) {
      case 'nameserver': {
        const ip = fields[1] !== undefined ? canonicalIP(fields[1]) : undefined;
        if (ip !== undefined) rc.nameservers.push(ip);
        break;
      }
      case 'domain':
      case 'search':
        if (fields.length >= 2) rc.search = fields.slice(1);
        break;
      case 'options':
        rc.options.push(...fields.slice(1));
        break;
      default:
        rc.other.push(line);
    }
  }
  return rc;
}

/** Generate(false): nameservers, then search, options and the other lines; no comments. */
function generate(rc: ResolvConf): string {
  let out = rc.nameservers.map((ns) => `nameserver ${ns}\n`).join('');
  if (rc.search.length) out += `search ${rc.search.join(' ')}\n`;
  if (rc.options.length) out += `options ${rc.options.join(' ')}\n`;
  return out + rc.other.map((l) => `${l}\n`).join('');
}

/**
 * BuildKit's GetResolvConf for the host file `hostText`: parsed and written back in its own
 * form; loopback nameservers dropped unless the step is on the host network (there only
 * when the host file has no nameserver at all), with public ones when none is left.
 */
export function resolvConfFor(hostText: string, mode: ResolvMode): string {
  const rc = parseResolvConf(hostText);
  if (mode !== 'host' || rc.nameservers.length === 0) {
    rc.nameservers = rc.nameservers.filter((ns) => !isLoopback(ns));
    if (rc.nameservers.length === 0) rc.nameservers = [...DEFAULT_NAMESERVERS];
  }
  return generate(rc);
}

/**
 * Which host file BuildKit reads (resolvconfPath): /etc/resolv.conf, or, off the host
 * network, systemd-resolved's upstream file when /etc/resolv.conf names only its stub.
 */
export function hostResolvConfPath(mode: ResolvMode, etcText: () => string | undefined): string {
  if (mode === 'host') return DEFAULT_PATH;
  const text = etcText();
  if (text === undefined) return DEFAULT_PATH;
  const ns = parseResolvConf(text).nameservers;
  return ns.length === 1 && ns[0] === '127.0.0.53' ? SYSTEMD_RESOLVED_PATH : DEFAULT_PATH;
}

/** Synchronous: one or two small files, read once per RUN step while the step waits for it. */
export function readHostResolvConf(mode: ResolvMode = 'host'): string {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  let etc: string | undefined;
  const file = hostResolvConfPath(mode, () => (etc = read(DEFAULT_PATH)));
  return (file === DEFAULT_PATH && etc !== undefined ? etc : read(file)) ?? '';
}
