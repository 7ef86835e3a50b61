// Digest strings (`sha256:<64 hex>`): the one place that says what a valid digest is.
import { createHash } from 'node:crypto';

export interface ParsedDigest {
  algorithm: 'sha256';
  hex: string;
}

const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** Parses and validates a digest; only sha256 is supported (as the store only holds sha256 blobs). */
export function parseDigest(digest: string): ParsedDigest {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new Error(`invalid digest ${JSON.stringify(digest)}: expected "sha256:<64 hex digits>"`);
  const [, algorithm, hex] = m as unknown as [string, string, string];
  if (algorithm !== 'sha256') throw new Error(`unsupported digest algorithm "${algorithm}" in ${JSON.stringify(digest)}`);
  if (!/^[a-f0-9]{64}$/.test(hex)) throw new Error(`invalid sha256 digest ${JSON.stringify(digest)}: expected 64 lowercase hex digits`);
  return { algorithm: 'sha256', hex };
}

export function isDigest(s: string): boolean {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** sha256 digest string of some bytes. */
export function digestOf(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
