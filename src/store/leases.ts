// Leases: files under `<root>/store/leases/` listing digests (one per line) that garbage
// collection must keep, e.g. blobs a running build or pull has written but not tagged yet.
// A lease file is named `<pid>-<random>`; leases of processes that no longer exist are ignored.
// A file whose name does not start with `<digits>-` (e.g. `build-cache`, see Lease.named) is a
// standing lease that holds until it is released.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { unlinkIfPresent, writeFileAtomic } from './atomic-file.js';
import { processAlive } from './process-alive.js';

export function leasesDir(root: string): string {
  return path.join(root, 'store', 'leases');
}

export class Lease {
  private readonly digests = new Set<string>();
  /** The file holds `digests` (an empty process lease is not written at all). */
  private written = false;
  /**
   * A lease of this process (named after its pid) is void once the process is gone, crash
   * included, so it needs no fsync; a standing (named) lease must survive one.
   */
  private constructor(readonly file: string, private readonly durable: boolean) {}

  static async acquire(root: string, digests: Iterable<string> = []): Promise<Lease> {
    const lease = new Lease(path.join(leasesDir(root), `${process.pid}-${randomBytes(6).toString('hex')}`), false);
    const list = [...digests];
    if (list.length) await lease.add(list);
    return lease;
  }

  /** A standing lease under a fixed name (not tied to this process), e.g. for the build cache. */
  static named(root: string, name: string): Lease {
    if (!/^[A-Za-z][\w.-]*$/.test(name)) throw new Error(`invalid lease name ${JSON.stringify(name)}: must start with a letter`);
    return new Lease(path.join(leasesDir(root), name), true);
  }

  /** Replaces the lease's digests with exactly these. */
  async set(digests: Iterable<string>): Promise<void> {
    this.digests.clear();
    this.written = false;
    await this.add(digests);
  }

  /** Adds digests (the file is rewritten only when that changes what it holds). */
  async add(digests: Iterable<string>): Promise<void> {
    const before = this.digests.size;
    for (const d of digests) this.digests.add(d);
    if (this.digests.size === before && this.written) return;
    await writeFileAtomic(this.file, [...this.digests].map((d) => `${d}\n`).join(''), { durable: this.durable });
    this.written = true;
  }

  async release(): Promise<void> {
    unlinkIfPresent(this.file);
  }
}

/** Runs `fn` while `digests` (and whatever `fn` adds to the lease) are protected from GC. */
export async function withLease<T>(root: string, digests: Iterable<string>, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = await Lease.acquire(root, digests);
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}

/** Every digest held by a live lease. */
export async function leasedDigests(root: string): Promise<Set<string>> {
  const out = new Set<string>();
  let names: string[];
  try {
    names = await fs.readdir(leasesDir(root));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue; // temp file of an atomic write
    const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) continue;
    const text = await fs.readFile(path.join(leasesDir(root), name), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line.trim()) out.add(line.trim());
  }
  return out;
}
