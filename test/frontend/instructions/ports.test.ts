import { describe, expect, it } from 'vitest';
import { parsePortRange, parsePortSpec, parsePortSpecs } from '../../../src/frontend/dockerfile/instructions/index.js';

describe('parsePortSpec', () => {
  it('defaults to tcp and lowercases the protocol', () => {
    expect(parsePortSpec('80')).toEqual(['80/tcp']);
    expect(parsePortSpec('80/')).toEqual(['80/tcp']);
    expect(parsePortSpec('53/udp')).toEqual(['53/udp']);
    expect(parsePortSpec('53/UDP')).toEqual(['53/udp']);
    expect(parsePortSpec('9000/sctp')).toEqual(['9000/sctp']);
    expect(parsePortSpec('0')).toEqual(['0/tcp']);
    expect(parsePortSpec('65535')).toEqual(['65535/tcp']);
  });

  it('expands ranges', () => {
    expect(parsePortSpec('8000-8002/udp')).toEqual(['8000/udp', '8001/udp', '8002/udp']);
    expect(parsePortSpec('7-7')).toEqual(['7/tcp']);
    expect(parsePortRange('10-12')).toEqual([10, 12]);
  });

  it('accepts the legacy ip:host:container forms and exposes the container side', () => {
    expect(parsePortSpec('8080:80')).toEqual(['80/tcp']);
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual(['80/udp']);
    expect(parsePortSpec('[::1]:8080:80')).toEqual(['80/tcp']);
    expect(parsePortSpec('::1:8080:80')).toEqual(['80/tcp']);
    expect(parsePortSpec('8000-8001:80-81')).toEqual(['80/tcp', '81/tcp']);
    // A host range with one container port is allowed; a container range needs an equal host range.
    expect(parsePortSpec('8000-8001:80')).toEqual(['80/tcp']);
    expect(() => parsePortSpec('8000:80-81')).toThrow('invalid ranges specified for container and host Ports: 80-81 and 8000');
  });

  it('rejects bad ports, ranges, protocols and addresses', () => {
    expect(() => parsePortSpec('http')).toThrow('invalid containerPort: http');
    expect(() => parsePortSpec('65536')).toThrow('invalid containerPort: 65536');
    expect(() => parsePortSpec('-1')).toThrow('invalid containerPort: -1');
    expect(() => parsePortSpec('90-80')).toThrow('invalid containerPort: 90-80');
    expect(() => parsePortSpec('80/icmp')).toThrow('invalid port: "80/icmp": invalid proto: icmp');
    expect(() => parsePortSpec('80/ICMP')).toThrow('invalid port: "80/ICMP": invalid proto: ICMP');
    expect(() => parsePortSpec('')).toThrow('invalid port: "": no port specified');
    expect(() => parsePortSpec('/tcp')).toThrow('invalid port: "/tcp": no port specified');
    expect(() => parsePortSpec('x:80')).toThrow('invalid hostPort: x');
    expect(() => parsePortSpec('1.2.3:8080:80')).toThrow('invalid IP address: 1.2.3');
    expect(() => parsePortSpec('8000-8002:80-81')).toThrow('invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
    expect(() => parsePortRange('90-80')).toThrow('invalid port range: 90-80');
    expect(() => parsePortRange('80-')).toThrow('value is empty');
    expect(() => parsePortRange('')).toThrow('empty string specified for ports');
  });

  it('parsePortSpecs collects in order without deduplicating (BuildKit writes the list into the history)', () => {
    expect(parsePortSpecs(['80', '80/tcp', '443', '53/udp'])).toEqual(['80/tcp', '80/tcp', '443/tcp', '53/udp']);
  });

  it('splits the protocol at the first slash and checks it before the address (BuildKit\'s order)', () => {
    expect(() => parsePortSpec('80/tcp/x')).toThrow('invalid proto: tcp/x');
    expect(() => parsePortSpec('1.2.3:8080:80/icmp')).toThrow('invalid proto: icmp');
    expect(() => parsePortSpec('1.2.3:8080:/tcp')).toThrow('invalid port: "1.2.3:8080:/tcp": no port specified');
  });

  it('parses port numbers as strconv.ParseInt and cuts a range at the first dash (convert_expose.go)', () => {
    expect(parsePortSpec('+80')).toEqual(['80/tcp']);
    expect(parsePortSpec('80-80/udp')).toEqual(['80/udp']);
    expect(() => parsePortSpec('1-2-3')).toThrow('invalid containerPort: 1-2-3');
  });

  it('reports an upper-case protocol and an address or host port to the lint hooks', () => {
    const seen: string[] = [];
    const lint = { protoCasing: (r: string) => seen.push(`case ${r}`), invalidFormat: (r: string) => seen.push(`format ${r}`) };
    expect(parsePortSpecs(['80/TCP', '8080:80', '127.0.0.1:1:2/Udp', '53/udp'], lint)).toEqual(['80/tcp', '80/tcp', '2/udp', '53/udp']);
    expect(seen).toEqual(['case 80/TCP', 'format 8080:80', 'case 127.0.0.1:1:2/Udp', 'format 127.0.0.1:1:2/Udp']);
  });
});
