// Go's time.ParseDuration (`30s`, `1m30s`, `500ms`, `1.5h`, `-2us`), returning nanoseconds.
// Computed in bigint so that overflow past int64 is detected exactly as Go does.

import { InstructionSyntaxError } from './syntax-error.js';
import { goQuote } from './syntax-error.js';

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_INT64 = (1n << 63n) - 1n;

function invalid(orig: string): InstructionSyntaxError {
  return new InstructionSyntaxError(`time: invalid duration ${goQuote(orig)}`);
}

/** Parse a Go duration string; the result is in nanoseconds. Throws Go's error messages. */
export function parseGoDuration(orig: string): number {
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid(orig);

  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalid(orig);
    const intDigits = /^[0-9]*/.exec(s)![0];
    s = s.slice(intDigits.length);
    let fracDigits = '';
    if (s[0] === '.') {
      s = s.slice(1);
      fracDigits = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracDigits.length);
    }
    if (intDigits === '' && fracDigits === '') throw invalid(orig);

    const unitText = /^[^0-9.]*/.exec(s)![0];
    s = s.slice(unitText.length);
    if (unitText === '') throw new InstructionSyntaxError(`time: missing unit in duration ${goQuote(orig)}`);
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      throw new InstructionSyntaxError(`time: unknown unit ${goQuote(unitText)} in duration ${goQuote(orig)}`);
    }

    const whole = BigInt(intDigits === '' ? '0' : intDigits);
    if (whole > MAX_INT64 / unit) throw invalid(orig);
    let v = whole * unit;
    if (fracDigits !== '') {
      // Go keeps the fraction as a float and truncates; exact integer math gives the same result.
      v += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    }
    total += v;
    if (total > MAX_INT64 + (neg ? 1n : 0n)) throw invalid(orig);
  }
  return Number(neg ? -total : total);
}

/** BuildKit's (and Docker's) smallest accepted healthcheck interval: 1ms. */
export const MINIMUM_DURATION_NS = 1_000_000;
