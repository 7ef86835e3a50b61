// STOPSIGNAL validation, as moby/sys/signal.ParseSignal on Linux: a number (Go's
// strconv.Atoi: optional sign, 64-bit range, not 0), or a name from its Linux SignalMap with
// or without one SIG prefix (case-insensitive), whose real-time entries are RTMIN, RTMIN+1 …
// RTMIN+15, RTMAX-14 … RTMAX-1 and RTMAX.

const LINUX_SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL',
  'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP',
  'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
]);
for (let i = 1; i <= 15; i++) LINUX_SIGNALS.add(`RTMIN+${i}`);
for (let i = 1; i <= 14; i++) LINUX_SIGNALS.add(`RTMAX-${i}`);

const INT64_MAX = 2n ** 63n - 1n;

export function validateSignal(raw: string): void {
  if (/^[+-]?[0-9]+$/.test(raw)) {
    const n = BigInt(raw);
    if (n !== 0n && n <= INT64_MAX && n >= -INT64_MAX - 1n) return;
    if (n === 0n) throw new Error(`invalid signal: ${raw}`);
    // Out of Atoi's range: looked up as a name, which it is not.
  }
  if (LINUX_SIGNALS.has(raw.toUpperCase().replace(/^SIG/, ''))) return;
  throw new Error(`invalid signal: ${raw}`);
}
