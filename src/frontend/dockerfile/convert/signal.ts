// STOPSIGNAL validation, as moby/sys/signal.ParseSignal on Linux: a number, or a name
// with or without the SIG prefix (case-insensitive), including RTMIN+n / RTMAX-n.

const LINUX_SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL',
  'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP',
  'TTIN', 'TTOU', 'UNUSED', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
]);

export function validateSignal(raw: string): void {
  if (/^[0-9]+$/.test(raw)) {
    if (Number(raw) === 0) throw new Error(`invalid signal: ${raw}`);
    return;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (LINUX_SIGNALS.has(name)) return;
  const rt = /^RTM(IN\+([0-9]+)|AX-([0-9]+))$/.exec(name);
  if (rt && Number(rt[2] ?? rt[3]) <= 30) return;
  throw new Error(`invalid signal: ${raw}`);
}
