import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseInstruction } from '../../../src/frontend/dockerfile/instructions/index.js';
import { FILE, errorOf, makeNode, parse, reasonOf } from './helpers.js';

const S = 1_000_000_000;

describe('Go durations', () => {
  it('parses every unit, fractions and sums', () => {
    expect(parseGoDuration('30s')).toBe(30 * S);
    expect(parseGoDuration('1m30s')).toBe(90 * S);
    expect(parseGoDuration('500ms')).toBe(500_000_000);
    expect(parseGoDuration('1.5h')).toBe(5400 * S);
    expect(parseGoDuration('2us')).toBe(2000);
    expect(parseGoDuration('2µs')).toBe(2000);
    expect(parseGoDuration('2μs')).toBe(2000);
    expect(parseGoDuration('7ns')).toBe(7);
    expect(parseGoDuration('.5s')).toBe(S / 2);
    expect(parseGoDuration('1.s')).toBe(S);
    expect(parseGoDuration('1h2m3s4ms5us6ns')).toBe(3723 * S + 4_005_006);
    expect(parseGoDuration('+5s')).toBe(5 * S);
    expect(parseGoDuration('-5s')).toBe(-5 * S);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-0')).toBe(0);
    expect(parseGoDuration('0s')).toBe(0);
  });

  it('fails with Go\'s messages', () => {
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
    expect(() => parseGoDuration('s')).toThrow('time: invalid duration "s"');
    expect(() => parseGoDuration('.s')).toThrow('time: invalid duration ".s"');
    expect(() => parseGoDuration('-')).toThrow('time: invalid duration "-"');
    expect(() => parseGoDuration('30')).toThrow('time: missing unit in duration "30"');
    expect(() => parseGoDuration('1d')).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseGoDuration('1s 2s')).toThrow('time: unknown unit "s " in duration "1s 2s"');
    expect(() => parseGoDuration('3000000h')).toThrow('time: invalid duration "3000000h"');
    expect(parseGoDuration('2562047h')).toBe(2562047 * 3600 * S);
  });
});

describe('HEALTHCHECK', () => {
  it('NONE disables the check and takes no arguments', () => {
    expect(parse('HEALTHCHECK NONE', 'healthcheck').health).toEqual({
      test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0,
    });
    expect(parse('healthcheck none', 'healthcheck').health.test).toEqual(['NONE']);
    expect(reasonOfNode(['NONE', 'x'])).toBe('HEALTHCHECK NONE takes no arguments');
  });

  it('CMD in shell form becomes CMD-SHELL; exec form stays CMD', () => {
    expect(parse('HEALTHCHECK CMD curl -f http://localhost/ || exit 1', 'healthcheck').health.test).toEqual([
      'CMD-SHELL', 'curl -f http://localhost/ || exit 1',
    ]);
    expect(parse('HEALTHCHECK   CMD   a b', 'healthcheck').health.test).toEqual(['CMD-SHELL', 'a b']);
    expect(parse('HEALTHCHECK --timeout=3s CMD ["foo", "bar"]', 'healthcheck').health.test).toEqual(['CMD', 'foo', 'bar']);
  });

  it('parses every flag, durations in nanoseconds', () => {
    const h = parse(
      'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --start-interval=2s --retries=3 CMD true',
      'healthcheck',
    ).health;
    expect(h).toEqual({ test: ['CMD-SHELL', 'true'], interval: 30 * S, timeout: 90 * S, startPeriod: S / 2, startInterval: 2 * S, retries: 3 });
    // Zero means "default" and passes the minimum check.
    const z = parse('HEALTHCHECK --start-period=0s --start-interval=0s --interval=5s --timeout=0s --retries=0 CMD ["foo"]', 'healthcheck');
    expect(z.health).toMatchObject({ interval: 5 * S, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 });
  });

  it('rejects short, negative and malformed durations as BuildKit does', () => {
    expect(reasonOf('HEALTHCHECK --interval=50ns CMD true')).toBe('Interval "interval" cannot be less than 1ms');
    expect(reasonOf('HEALTHCHECK --timeout=-1s CMD true')).toBe('Interval "timeout" cannot be less than 1ms');
    expect(reasonOf('HEALTHCHECK --start-period=999us CMD true')).toBe('Interval "start-period" cannot be less than 1ms');
    expect(reasonOf('HEALTHCHECK --start-interval=1x CMD true')).toBe('time: unknown unit "x" in duration "1x"');
    expect(reasonOf('HEALTHCHECK --interval=5 CMD true')).toBe('time: missing unit in duration "5"');
    expect(parse('HEALTHCHECK --interval=1ms CMD true', 'healthcheck').health.interval).toBe(1_000_000);
  });

  it('checks --retries as a 32-bit, non-negative integer', () => {
    expect(reasonOf('HEALTHCHECK --retries=-1 CMD true')).toBe('--retries cannot be negative (-1)');
    expect(reasonOf('HEALTHCHECK --retries=x CMD true')).toBe('strconv.ParseInt: parsing "x": invalid syntax');
    expect(reasonOf('HEALTHCHECK --retries=3000000000 CMD true')).toBe('strconv.ParseInt: parsing "3000000000": value out of range');
    expect(parse('HEALTHCHECK --retries=+2 CMD true', 'healthcheck').health.retries).toBe(2);
  });

  it('rejects missing arguments, an empty CMD and unknown types', () => {
    expect(reasonOf('HEALTHCHECK')).toBe('HEALTHCHECK requires at least one argument');
    expect(reasonOf('HEALTHCHECK CMD')).toBe('Missing command after HEALTHCHECK CMD');
    expect(reasonOf('HEALTHCHECK CMD []')).toBe('Missing command after HEALTHCHECK CMD');
    expect(reasonOf('HEALTHCHECK CONNECT TCP 7000')).toBe('Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
  });
});

function reasonOfNode(args: string[]): string {
  const node = makeNode('healthcheck', args);
  return errorOf(() => parseInstruction(node, { file: FILE, source: node.original })).reason;
}
