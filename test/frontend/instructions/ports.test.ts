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
    expect(parsePortSpec('8000:80-81')).toEqual(['80/tcp', '81/tcp']);
  });

  it('rejects bad ports, ranges, protocols and addresses', () => {
    expect(() => parsePortSpec('http')).toThrow('invalid containerPort: http');
    expect(() => parsePortSpec('65536')).toThrow('invalid containerPort: 65536');
    expect(() => parsePortSpec('-1')).toThrow('invalid containerPort: -1');
    expect(() => parsePortSpec('90-80')).toThrow('invalid containerPort: 90-80');
    expect(() => parsePortSpec('80/icmp')).toThrow('invalid proto: icmp');
    expect(() => parsePortSpec('80/ICMP')).toThrow('invalid proto: icmp');
    expect(() => parsePortSpec('')).toThrow('no port specified: <empty>');
    expect(() => parsePortSpec('/tcp')).toThrow('no port specified: /tcp<empty>');
    expect(() => parsePortSpec('x:80')).toThrow('invalid hostPort: x');
    expect(() => parsePortSpec('1.2.3:8080:80')).toThrow('invalid IP address: 1.2.3');
    expect(() => parsePortSpec('8000-8002:80-81')).toThrow('invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
    expect(() => parsePortRange('90-80')).toThrow('invalid range specified for port: 90-80');
    expect(() => parsePortRange('')).toThrow('empty string specified for ports');
  });

  it('parsePortSpecs collects in order without deduplicating (BuildKit writes the list into the history)', () => {
    expect(parsePortSpecs(['80', '80/tcp', '443', '53/udp'])).toEqual(['80/tcp', '80/tcp', '443/tcp', '53/udp']);
  });

  it('splits the protocol at the first slash and checks it before the address (BuildKit\'s order)', () => {
    expect(() => parsePortSpec('80/tcp/x')).toThrow('invalid proto: tcp/x');
    expect(() => parsePortSpec('1.2.3:8080:80/icmp')).toThrow('invalid proto: icmp');
    expect(() => parsePortSpec('1.2.3:8080:/tcp')).toThrow('no port specified: 1.2.3:8080:/tcp<empty>');
  });
});
