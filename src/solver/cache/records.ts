// The persistent cache index under <root>/cache/: one record per cache key mapping it to
// its results (layer chains, by snapshot id), and one "last seen" entry per build step
// identity holding the step's last key and the basis it was computed from, so a later
// miss can be explained (--explain-cache). Every write is atomic (temp, rename): a killed
// process leaves either the old record or the new one, never half of one. No fsync: the
// snapshots a record names are not synced either, and a record lost or left unreadable by a
// power cut (JSON that does not parse) is a cache miss, never a wrong hit.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-file.js';
import type { CacheBasis } from './basis.js';

export interface CacheRecord {
  /** `sha256:…` cache key. */
  key: string;
  /** Snapshot ids per output index, bottom layer first. */
  outputs: string[][];
  /** Progress name of the vertex that produced it (for people reading the store). */
  name: string;
  created: string;
}

export interface StepRecord {
  identity: string;
  key: string;
  basis: CacheBasis;
}

function hexOf(key: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(key);
  if (!m) throw new Error(`invalid cache key ${JSON.stringify(key)}`);
  return m[1]!;
}

async function readJSON<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

export class CacheIndex {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'cache');
  }

  private recordPath(key: string): string {
    return path.join(this.dir, 'records', `${hexOf(key)}.json`);
  }

  private stepPath(identity: string): string {
    return path.join(this.dir, 'steps', `${createHash('sha256').update(identity).digest('hex')}.json`);
  }

  async get(key: string): Promise<CacheRecord | undefined> {
    const rec = await readJSON<CacheRecord>(this.recordPath(key));
    return rec && rec.key === key && Array.isArray(rec.outputs) ? rec : undefined;
  }

  async put(rec: CacheRecord): Promise<void> {
    await writeFileAtomic(this.recordPath(rec.key), JSON.stringify(rec), { durable: false });
  }

  async lastStep(identity: string): Promise<StepRecord | undefined> {
    const rec = await readJSON<StepRecord>(this.stepPath(identity));
    return rec && rec.identity === identity ? rec : undefined;
  }

  async putStep(rec: StepRecord): Promise<void> {
    await writeFileAtomic(this.stepPath(rec.identity), JSON.stringify(rec), { durable: false });
  }

  /** Directory of a persistent cache mount (RUN --mount=type=cache,id=…). */
  mountDir(id: string): string {
    return path.join(this.dir, 'mounts', createHash('sha256').update(id).digest('hex').slice(0, 32));
  }
}
