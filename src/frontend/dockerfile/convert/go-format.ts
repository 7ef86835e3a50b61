// Go's fmt verbs as BuildKit's history strings use them (`CMD %q`, `VOLUME %v`,
// `HEALTHCHECK %+v`), so that `created_by` matches BuildKit byte for byte.
import { goQuote } from '../shell/go-quote.js';

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** Go's time.Duration.String(): `0s`, `1.5s`, `5m0s`, `1h0m0s`, `100ms`, `2µs`. */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const neg = nanoseconds < 0;
  let u = BigInt(Math.abs(Math.trunc(nanoseconds)));
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fraction(u, 3)}µs`;
    else out = `${fraction(u, 6)}ms`;
  } else {
    const secs = fraction(u, 9);
    u /= 1_000_000_000n;
    // fraction() printed whole seconds too; keep only seconds within the minute.
    const frac = secs.includes('.') ? secs.slice(secs.indexOf('.')) : '';
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** `v / 10^prec` printed with the fraction's trailing zeros (and a bare dot) removed. */
function fraction(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const whole = v / scale;
  const frac = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}
