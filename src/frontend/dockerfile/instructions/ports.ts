// EXPOSE port specs, after BuildKit's dockerfile2llb parsePortSpec (itself go-connections/nat):
// `80`, `80/udp`, `8000-8002/tcp`, and the legacy `[ip:][hostPort:]containerPort[/proto]`
// forms (of which only the container side is exposed). Ports are 16-bit; protocols are
// tcp, udp and sctp (case-insensitive, written lowercase).

import { isIP } from 'node:net';
import { InstructionSyntaxError } from './syntax-error.js';

/** One exposed port, as the image config key writes it: `80/tcp`. */
export type PortKey = string;

function splitParts(raw: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = raw.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  switch (n) {
    case 1:
      return { ip: '', hostPort: '', containerPort };
    case 2:
      return { ip: '', hostPort: parts[0]!, containerPort };
    case 3:
      return { ip: parts[0]!, hostPort: parts[1]!, containerPort };
    default:
      return { ip: parts.slice(0, n - 2).join(':'), hostPort: parts[n - 2]!, containerPort };
  }
}

/** Go's strings.Cut at the first `/`: `80/tcp/x` has the protocol `tcp/x` (invalid). */
function splitProtoPort(raw: string): { proto: string; port: string } {
  const slash = raw.indexOf('/');
  const port = slash < 0 ? raw : raw.slice(0, slash);
  if (port === '') return { proto: '', port: '' };
  const proto = slash < 0 ? '' : raw.slice(slash + 1);
  return { proto: proto === '' ? 'tcp' : proto, port };
}

/** Go's strconv.ParseUint(s, 10, 16). */
function parsePort(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffff ? n : undefined;
}

/** `8000` or `8000-8010` → [start, end]. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new InstructionSyntaxError('empty string specified for ports');
  const dash = ports.indexOf('-');
  if (dash < 0) {
    const p = parsePort(ports);
    if (p === undefined) throw new InstructionSyntaxError(`invalid port: ${ports}`);
    return [p, p];
  }
  const start = parsePort(ports.slice(0, dash));
  const end = parsePort(ports.slice(dash + 1));
  if (start === undefined || end === undefined) throw new InstructionSyntaxError(`invalid port range: ${ports}`);
  if (end < start) throw new InstructionSyntaxError(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** Parse one EXPOSE word into the `port/proto` keys it exposes (a range gives several). */
export function parsePortSpec(raw: string): PortKey[] {
  const { ip: rawIp, hostPort, containerPort: withProto } = splitParts(raw);
  const { proto, port: containerPort } = splitProtoPort(withProto);
  // BuildKit's order: the port/protocol split is checked before the address.
  if (containerPort === '') throw new InstructionSyntaxError(`no port specified: ${raw}<empty>`);
  const lowerProto = proto.toLowerCase();
  if (lowerProto !== 'tcp' && lowerProto !== 'udp' && lowerProto !== 'sctp') {
    throw new InstructionSyntaxError(`invalid proto: ${lowerProto}`);
  }

  let ip = rawIp;
  if (ip.length >= 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) throw new InstructionSyntaxError(`invalid IP address: ${ip}`);

  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new InstructionSyntaxError(`invalid containerPort: ${containerPort}`);
  }
  if (hostPort !== '') {
    let hostStart: number;
    let hostEnd: number;
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new InstructionSyntaxError(`invalid hostPort: ${hostPort}`);
    }
    if (end - start !== hostEnd - hostStart && hostEnd !== hostStart) {
      throw new InstructionSyntaxError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }

  const keys: PortKey[] = [];
  for (let p = start; p <= end; p++) keys.push(`${p}/${lowerProto}`);
  return keys;
}

/**
 * All keys for a list of EXPOSE words, in order and not deduplicated: BuildKit writes this
 * list into the history (`EXPOSE [80/tcp 80/tcp]`); the config's ExposedPorts map dedupes.
 */
export function parsePortSpecs(words: readonly string[]): PortKey[] {
  return words.flatMap(parsePortSpec);
}
