// Builds and `builder prune` exclude each other on a root's build cache: a prune must not remove
// a snapshot a running build mounts, nor a record it is about to use. Builds are many and
// concurrent (readers), a prune is one (writer), with two kinds of files:
//  - <root>/cache/users/<pid>-<random>: one per running build (a killed build's is ignored: its
//    pid is gone);
//  - <root>/cache/prune.lock: the prune's lock (store/lock.ts: O_EXCL, the owner's pid inside).
// A build creates its user file, then looks for the lock; a prune takes the lock, then waits until
// no user file of a live process is left. Each creates its own file before it looks for the
// other's, so they cannot both miss each other: when both start at once, the build backs off
// (removes its file, waits for the lock to go) or the prune waits for the build.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { unlinkIfPresent } from '../../store/atomic-file.js';
import { lockIsStale, withFileLock } from '../../store/lock.js';
import { processAlive } from '../../store/process-alive.js';

const usersDir = (root: string): string => path.join(root, 'cache', 'users');
const lockFile = (root: string): string => path.join(root, 'cache', 'prune.lock');
/** A running prune touches its lock this often; one untouched for LOCK_STALE_MS was left by a
 *  killed prune whose pid another process has since taken (builds would wait for it for good). */
const LOCK_HEARTBEAT_MS = 15_000;
const LOCK_STALE_MS = 120_000;

export class CacheBusyError extends Error {}

/** Whether a live prune holds (or is taking) the lock. */
function pruneRunning(root: string): boolean {
  try {
    return !lockIsStale(readFileSync(lockFile(root), 'utf8'), statSync(lockFile(root)).mtimeMs, LOCK_STALE_MS);
  } catch {
    return false; // no lock
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
const sleepUnless = (ms: number, signal: AbortSignal | undefined): Promise<void> => new Promise((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const onAbort = (): void => {
    clearTimeout(timer);
    reject(signal!.reason);
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resolve();
  }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

/** The directory is made only when missing (a build's usual path: one open and one close). */
function createUserFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(file), { recursive: true });
    fd = openSync(file, 'wx', 0o644);
  }
  closeSync(fd);
}

/**
 * Registers a build as a user of the root's build cache, waiting while a prune runs. Returns
 * what ends the registration (synchronous: a finally block or an exit handler can call it).
 * `onWait` is told once when the build has to wait; an abort of `signal` (Ctrl-C) ends the wait
 * with its reason.
 */
export async function enterCache(root: string, onWait?: () => void, signal?: AbortSignal): Promise<() => void> {
  const dir = usersDir(root);
  for (let delay = 10, told = false; ; delay = Math.min(delay * 2, 200)) {
    const file = path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    createUserFile(file);
    if (!pruneRunning(root)) return () => unlinkIfPresent(file);
    unlinkIfPresent(file);
    if (!told) onWait?.();
    told = true;
    await sleepUnless(delay, signal);
  }
}

/** The live builds using the cache (their user files). */
function liveUsers(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(usersDir(root));
  } catch {
    return [];
  }
  return names.filter((name) => {
    const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return true;
    unlinkIfPresent(path.join(usersDir(root), name)); // left by a killed build
    return false;
  });
}

/**
 * Runs `fn` with the build cache to itself: no build runs meanwhile, none starts until it ends.
 * Waits up to `timeoutMs` for running builds to finish (then throws CacheBusyError).
 */
export async function withCacheExclusive<T>(root: string, fn: () => Promise<T>,
  opts: { timeoutMs?: number; onWait?: () => void } = {}): Promise<T> {
  mkdirSync(path.join(root, 'cache'), { recursive: true });
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  return withFileLock(lockFile(root), async () => {
    const heartbeat = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(lockFile(root), now, now);
      } catch {
        // gone: released meanwhile
      }
    }, LOCK_HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await exclusive();
    } finally {
      clearInterval(heartbeat);
    }
  }, { timeoutMs, staleMs: LOCK_STALE_MS });

  async function exclusive(): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 10, told = false; liveUsers(root).length > 0; delay = Math.min(delay * 2, 200)) {
      if (Date.now() > deadline) throw new CacheBusyError(`builds are still running in ${root}; try again when they have finished`);
      if (!told) opts.onWait?.();
      told = true;
      await sleep(delay);
    }
    return fn();
  }
}
