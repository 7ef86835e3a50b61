// EXPOSE port specs, after BuildKit's dockerfile2llb portSpecs (convert_expose.go):
// `80`, `80/udp`, `8000-8002/tcp`, and the legacy `[ip:][hostPort:]containerPort[/proto]`
// forms (of which only the container side is exposed, with an ExposeInvalidFormat warning).
// Ports are 0-65535; protocols are tcp, udp and sctp (any case, written lowercase; another
// case gets an ExposeProtoCasing warning).

import { isIP } from 'node:net';
import { goQuote } from '../parser/go-quote.js';
import { InstructionSyntaxError } from './syntax-error.js';

/** One exposed port, as the image config key writes it: `80/tcp`. */
export type PortKey = string;

/** The two checks BuildKit runs while parsing a port spec. */
export interface PortLint {
  protoCasing(raw: string): void;
  invalidFormat(raw: string): void;
}

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

/** Go's strings.Cut at the first `/`; the protocol keeps its case (`80/tcp/x` has `tcp/x`). */
function splitProtoPort(raw: string, whole: string): { proto: string; port: string } {
  const slash = raw.indexOf('/');
  const port = slash < 0 ? raw : raw.slice(0, slash);
  const proto = slash < 0 ? '' : raw.slice(slash + 1);
  if (port === '') throw new InstructionSyntaxError(`invalid port: ${goQuote(whole)}: no port specified`);
  switch (proto.toLowerCase()) {
    case '':
      return { proto: 'tcp', port };
    case 'tcp':
    case 'udp':
    case 'sctp':
      return { proto, port };
    default:
      throw new InstructionSyntaxError(`invalid port: ${goQuote(whole)}: invalid proto: ${proto}`);
  }
}

/** Go's strconv.ParseInt(s, 10, 0) limited to 0-65535. */
function parsePortNumber(s: string): number {
  if (s === '') throw new InstructionSyntaxError('value is empty');
  if (!/^[+-]?[0-9]+$/.test(s)) throw new InstructionSyntaxError('invalid syntax');
  const n = Number(s);
  if (n < 0 || n > 65535) throw new InstructionSyntaxError('value out of range (0–65535)');
  return n;
}

/** `8000` or `8000-8010` → [start, end] (cut at the first dash; `80-80` is one port). */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new InstructionSyntaxError('empty string specified for ports');
  const dash = ports.indexOf('-');
  const start = dash < 0 ? ports : ports.slice(0, dash);
  const end = dash < 0 ? '' : ports.slice(dash + 1);
  const startPort = parsePortNumber(start);
  if (dash < 0 || start === end) return [startPort, startPort];
  const endPort = parsePortNumber(end);
  if (endPort < startPort) throw new InstructionSyntaxError(`invalid port range: ${ports}`);
  return [startPort, endPort];
}

/** Parse one EXPOSE word into the `port/proto` keys it exposes (a range gives several). */
export function parsePortSpec(raw: string, lint?: PortLint): PortKey[] {
  const { ip: rawIp, hostPort, containerPort: withProto } = splitParts(raw);
  const { proto, port: containerPort } = splitProtoPort(withProto, raw);
  if (lint) {
    if (proto !== proto.toLowerCase()) lint.protoCasing(raw);
    if (rawIp !== '' || hostPort !== '') lint.invalidFormat(raw);
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
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new InstructionSyntaxError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }

  const lowerProto = proto.toLowerCase();
  const keys: PortKey[] = [];
  for (let p = start; p <= end; p++) keys.push(`${p}/${lowerProto}`);
  return keys;
}

/**
 * All keys for a list of EXPOSE words, in order and not deduplicated: BuildKit writes this
 * list into the history (`EXPOSE [80/tcp 80/tcp]`); the config's ExposedPorts map dedupes.
 */
export function parsePortSpecs(words: readonly string[], lint?: PortLint): PortKey[] {
  return words.flatMap((w) => parsePortSpec(w, lint));
}
