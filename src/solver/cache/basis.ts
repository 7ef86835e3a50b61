// What a cache key was computed from, kept with the step's record so that a later miss
// can say which input changed. Build-arg values are stored as hashes: the record needs
// to see that a value changed, not what it was.
import { createHash } from 'node:crypto';

export interface CacheBasis {
  /** Digest of the op as it enters the key (exec: without proxy env or selectors). */
  opDigest: string;
  /** Cache keys of the inputs, in input order ('' for inputs that enter by content). */
  inputKeys: string[];
  /** Progress names of the inputs, to name the step whose change made this one miss. */
  inputNames: string[];
  /** Context files read through selectors: path → content checksum. */
  contextFiles: Record<string, string>;
  /** Build args the step saw: name → sha256 of the value. */
  buildArgs: Record<string, string>;
  /** Base image manifest digest (image sources only). */
  baseImage?: string;
}

export function hashValue(v: string): string {
  return createHash('sha256').update(v).digest('hex').slice(0, 16);
}

export function hashBuildArgs(args: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args)) out[k] = hashValue(v);
  return out;
}
