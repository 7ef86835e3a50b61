// `--add-host`, `--ulimit` and `--shm-size`: what every RUN of the build gets, parsed as
// docker build / buildx parse them (toBuildkitExtraHosts, units.ParseUlimit, units.RAMInBytes).
import type { HostIP, Ulimit } from '../../llb/types.js';
import { net } from '../../lazy-builtins.js';
import { UsageError } from '../errors.js';

/** `host:ip` or `host=ip` (an IPv6 address may be in brackets); the frontend lower-cases both. */
export function parseAddHost(v: string): HostIP {
  const eq = v.indexOf('=');
  const sep = eq >= 0 ? eq : v.indexOf(':');
  let host = sep >= 0 ? v.slice(0, sep) : '';
  let ip = sep >= 0 ? v.slice(sep + 1) : '';
  if (host === '' || ip === '') throw new UsageError(`invalid --add-host ${JSON.stringify(v)}: expected host:ip`);
  if (ip === 'host-gateway') {
    throw new UsageError(`invalid --add-host ${JSON.stringify(v)}: host-gateway is not supported (RUN steps use the host's network; name 127.0.0.1)`);
  }
  if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (net().isIP(ip) === 0) throw new UsageError(`invalid --add-host ${JSON.stringify(v)}: ${JSON.stringify(ip)} is not an IP address`);
  host = host.toLowerCase();
  return { host, ip: ip.toLowerCase() };
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

function limitValue(s: string, flag: string): number {
  if (!/^[-+]?\d+$/.test(s)) throw new UsageError(`invalid --ulimit ${JSON.stringify(flag)}: ${JSON.stringify(s)} is not a number`);
  const n = Number(s);
  if (n < -1) throw new UsageError(`invalid --ulimit ${JSON.stringify(flag)}: ${s} (-1 is unlimited)`);
  return n;
}

/** `name=soft[:hard]` (hard defaults to soft; -1 is unlimited). */
export function parseUlimit(v: string): Ulimit {
  const eq = v.indexOf('=');
  if (eq < 0) throw new UsageError(`invalid ulimit argument: ${v}`);
  const name = v.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new UsageError(`invalid ulimit type: ${name}`);
  const vals = v.slice(eq + 1).split(':');
  if (vals.length > 2) throw new UsageError(`too many limit value arguments - ${v.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const soft = limitValue(vals[0]!, v);
  const hard = vals.length === 2 ? limitValue(vals[1]!, v) : soft;
  if (hard !== -1 && (soft === -1 || soft > hard)) {
    throw new UsageError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  }
  return { name, soft, hard };
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A size in bytes as docker's units.RAMInBytes reads one (--shm-size, builder prune
 * --keep-storage): binary units, case-insensitive, `b` optional: `64m`, `1GiB`, `512`.
 */
export function parseRamBytes(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i.exec(v);
  if (!m) throw new UsageError(`invalid ${flag} ${JSON.stringify(v)}: expected a size such as 64m or 1g`);
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]!);
  if (!Number.isFinite(bytes)) throw new UsageError(`invalid ${flag} ${JSON.stringify(v)}`);
  return bytes;
}

export function parseShmSize(v: string): number {
  return parseRamBytes(v, '--shm-size');
}
