// A cross-process mutex on a lock file created with O_EXCL. The file holds the owner's pid so
// a lock left by a crashed process (pid gone, or older than `staleMs`) is broken, not waited on.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { unlinkIfPresent } from './atomic-file.js';
import { processAlive } from './process-alive.js';

export interface LockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /**
   * A lock whose owner pid is alive is only broken after this long (guards against pid
   * reuse); one whose pid is gone is broken at once, one with no pid yet after 10 s.
   */
  staleMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string) {
    super(`timed out waiting for lock ${lockPath}`);
    this.name = 'LockTimeoutError';
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const token = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  await acquire(lockPath, token, opts.timeoutMs ?? 120_000, opts.staleMs ?? 600_000);
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, token: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      // Synchronous calls: a free lock is taken without thread-pool round trips.
      const fd = openSync(lockPath, 'wx', 0o644);
      try {
        writeSync(fd, token);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await breakIfStale(lockPath, staleMs);
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath);
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Whether a lock file with this content and mtime was left behind: its owner pid is gone, or it
 * has not been touched for `staleMs`. An empty file is a lock being written right now: only its
 * age (10 s) can make it stale.
 */
export function lockIsStale(content: string, mtimeMs: number, staleMs: number): boolean {
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const age = Date.now() - mtimeMs;
  return Number.isInteger(pid) && pid > 0 ? !processAlive(pid) || age >= staleMs : age >= 10_000;
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch {
    return; // released meanwhile
  }
  if (!lockIsStale(content, mtimeMs, staleMs)) return;
  // Move it aside first and check it is still the same lock, so two breakers cannot both
  // delete (one of them a fresh lock taken in between).
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved !== content) {
    // Someone re-took the lock between our read and rename: give it back if the slot is free.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.rm(aside, { force: true });
}

async function release(lockPath: string, token: string): Promise<void> {
  let content: string | undefined;
  try {
    content = readFileSync(lockPath, 'utf8');
  } catch {
    content = undefined;
  }
  if (content === token) unlinkIfPresent(lockPath);
}
