// Process timing for the benchmarks: wall-clock ms of a whole child process, medians.
import { spawnSync } from 'node:child_process';

export function elapsedMs(start) {
  return Math.round(Number(process.hrtime.bigint() - start) / 1e6);
}

/** Runs a command to completion and returns its wall-clock ms; throws on a non-zero exit. */
export function timed(cmd, argv, env = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  const t = elapsedMs(start);
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr ?? '').slice(-3000)}`);
  return t;
}

/** Runs a command, ignoring its outcome (cleanup). */
export function quiet(cmd, argv, env = {}) {
  return spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
}

export function median(xs) {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
