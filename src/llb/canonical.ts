// Canonical encoding of ops: deterministic JSON bytes, hashed into the op digest.
//
// Rules (proto3-like, so "not set" and "default" never differ):
// - object keys sorted by UTF-16 code unit order;
// - false, "", empty arrays, empty objects, undefined and null are omitted;
// - numbers must be safe integers and are always written;
// - bigint is written as a decimal string, Uint8Array as standard base64 ("" when empty,
//   hence omitted).
// Decoding (decode-op.ts) fills the omitted defaults back in.

import { createHash } from 'node:crypto';
import type { Digest, Op } from './types.js';

export function encodeCanonical(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** The JSON value that encodeCanonical writes (sorted keys, defaults dropped). */
export function canonicalize(value: unknown): unknown {
  return canonicalValue(value, '$') ?? {};
}

export function encodeOp(op: Op): string {
  return encodeCanonical(op);
}

export function digestOf(data: string): Digest {
  return 'sha256:' + createHash('sha256').update(data, 'utf8').digest('hex');
}

// Returns undefined when the value is to be omitted.
function canonicalValue(value: unknown, where: string): unknown {
  if (value === undefined || value === null || value === false || value === '') return undefined;
  if (value === true) return true;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`llb: ${where}: ${value} is not a safe integer`);
    return value;
  }
  if (typeof value === 'bigint') return value.toString(10);
  if (value instanceof Uint8Array) {
    return value.length === 0 ? undefined : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    // Array elements are never dropped: positions are meaningful (indexes, args).
    return value.map((v, i) => {
      const c = canonicalValue(v, `${where}[${i}]`);
      if (c === undefined) return typeof v === 'string' ? '' : typeof v === 'boolean' ? false : {};
      return c;
    });
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const c = canonicalValue((value as Record<string, unknown>)[key], `${where}.${key}`);
      if (c !== undefined) out[key] = c;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  throw new TypeError(`llb: ${where}: cannot encode a ${typeof value}`);
}
