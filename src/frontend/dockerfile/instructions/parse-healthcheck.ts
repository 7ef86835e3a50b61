// HEALTHCHECK NONE | [--interval --timeout --start-period --start-interval --retries] CMD ...,
// after BuildKit's parseHealthcheck.

import { MINIMUM_DURATION_NS, parseGoDuration } from './duration.js';
import type { Flag } from './bflags.js';
import type { ParseRequest } from './request.js';
import { errAtLeastOneArgument, handleJSONArgs } from './request.js';
import { InstructionSyntaxError, goQuote } from './syntax-error.js';
import type { HealthcheckCommand } from './types.js';

/** A duration flag: 0 when absent or zero, else at least 1ms (negatives fail the same check). */
function parseOptInterval(flag: Flag): number {
  if (flag.value === '') return 0;
  const d = parseGoDuration(flag.value);
  if (d === 0) return 0;
  if (d < MINIMUM_DURATION_NS) throw new InstructionSyntaxError(`Interval ${goQuote(flag.name)} cannot be less than 1ms`);
  return d;
}

/** Go's strconv.ParseInt(s, 10, 32) with its error texts. */
function parseInt32(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new InstructionSyntaxError(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw new InstructionSyntaxError(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return n;
}

export function parseHealthcheck(req: ParseRequest): HealthcheckCommand {
  if (req.args.length === 0) throw new InstructionSyntaxError(errAtLeastOneArgument('HEALTHCHECK'));
  const typ = req.args[0]!.toUpperCase();
  const args = req.args.slice(1);
  const empty = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };

  if (typ === 'NONE') {
    // BuildKit does not look at the flags at all in this case.
    if (args.length !== 0) throw new InstructionSyntaxError('HEALTHCHECK NONE takes no arguments');
    return { ...req.base, kind: 'healthcheck', health: { test: ['NONE'], ...empty } };
  }

  const flInterval = req.flags.addString('interval');
  const flTimeout = req.flags.addString('timeout');
  const flStartPeriod = req.flags.addString('start-period');
  const flStartInterval = req.flags.addString('start-interval');
  const flRetries = req.flags.addString('retries');
  req.flags.parse();

  if (typ !== 'CMD') throw new InstructionSyntaxError(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmdSlice = handleJSONArgs(args, req.json);
  if (cmdSlice.length === 0) throw new InstructionSyntaxError('Missing command after HEALTHCHECK CMD');
  const test = [req.json ? 'CMD' : 'CMD-SHELL', ...cmdSlice];

  const interval = parseOptInterval(flInterval);
  const timeout = parseOptInterval(flTimeout);
  const startPeriod = parseOptInterval(flStartPeriod);
  const startInterval = parseOptInterval(flStartInterval);
  let retries = 0;
  if (flRetries.value !== '') {
    retries = parseInt32(flRetries.value);
    if (retries < 0) throw new InstructionSyntaxError(`--retries cannot be negative (${retries})`);
  }
  return { ...req.base, kind: 'healthcheck', health: { test, interval, timeout, startPeriod, startInterval, retries } };
}
