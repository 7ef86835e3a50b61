// Go's string helpers where JavaScript's differ: path.Clean (Node's normalize keeps a
// trailing slash and maps "" to "."), strings.TrimSpace (JS trim also strips U+FEFF) and
// byte-wise string order.
import path from 'node:path';
import { nameBytes } from '../solver/layer/byte-names.js';

export function goClean(p: string): string {
  if (p === '') return '.';
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * Go's string order (sort.Strings): UTF-8 bytes, not JavaScript's UTF-16 code units; a name
 * that is not valid UTF-8 by its own bytes (solver/layer/byte-names.ts).
 */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(nameBytes(a), nameBytes(b));
}

export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}
