// Resource limits for the container process, clamped to this process's hard limits: without
// CAP_SYS_RESOURCE the runtime cannot raise them, and asking makes it fail
// ("error setting rlimit type 7: operation not permitted").
import { readFileSync } from 'node:fs';

export interface Rlimit { type: string; soft: number; hard: number }

const NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits of this process by OCI rlimit name (Infinity for "unlimited"). */
export function hardLimits(limitsText = readFileSync('/proc/self/limits', 'utf8')): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of limitsText.split('\n')) {
    for (const [label, type] of Object.entries(NAMES)) {
      if (!line.startsWith(label + ' ')) continue;
      const fields = line.slice(label.length).trim().split(/\s+/);
      const hard = fields[1];
      if (hard !== undefined) out.set(type, hard === 'unlimited' ? Infinity : Number(hard));
    }
  }
  return out;
}

/** `requested` with soft and hard values lowered to the current hard limits. */
export function clampRlimits(requested: readonly Rlimit[], limits = hardLimits()): Rlimit[] {
  return requested.map((r) => {
    const max = limits.get(r.type) ?? Infinity;
    const hard = Math.min(r.hard, max);
    return { type: r.type, soft: Math.min(r.soft, hard), hard };
  });
}
