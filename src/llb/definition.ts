// Reading a Definition back for the solver: digests verified, encodings canonical, every
// input known, the graph acyclic and ordered inputs-first.

import { digestOf, encodeOp } from './canonical.js';
import { decodeOp } from './decode-op.js';
import { LLBError } from './errors.js';
import type { Definition, Digest, Input, Op, OpMetadata, SourceMapping } from './types.js';
import { outputCount, validateOp } from './validate-op.js';

export interface DecodedDefinition {
  /** Iteration order is topological (inputs before the ops that use them). */
  ops: Map<Digest, Op>;
  metadata: Record<Digest, OpMetadata>;
  source: SourceMapping;
  root: Input | null;
}

export function decodeDefinition(def: Definition): DecodedDefinition {
  const byDigest = new Map<Digest, Op>();
  for (const [i, entry] of def.ops.entries()) {
    const label = `op ${i} (${entry.digest})`;
    if (!/^sha256:[0-9a-f]{64}$/.test(entry.digest)) throw new LLBError(`op ${i}: invalid digest "${entry.digest}"`);
    if (byDigest.has(entry.digest)) throw new LLBError(`${label}: duplicate op`);
    const actual = digestOf(entry.data);
    if (actual !== entry.digest) throw new LLBError(`${label}: digest mismatch, data hashes to ${actual}`);
    const op = decodeOp(entry.data, label);
    validateOp(op, label);
    if (encodeOp(op) !== entry.data) throw new LLBError(`${label}: encoding is not canonical`);
    byDigest.set(entry.digest, op);
  }

  const checkRef = (inp: Input, what: string) => {
    const target = byDigest.get(inp.digest);
    if (!target) throw new LLBError(`${what}: unknown input ${inp.digest}`);
    if (inp.index >= outputCount(target)) throw new LLBError(`${what}: ${inp.digest} has no output ${inp.index}`);
  };
  for (const [digest, op] of byDigest) op.inputs.forEach((inp, i) => checkRef(inp, `op ${digest} input ${i}`));
  if (def.root) checkRef(def.root, 'root');

  for (const key of Object.keys(def.metadata)) {
    if (!byDigest.has(key)) throw new LLBError(`metadata for unknown op ${key}`);
  }
  for (const [key, locs] of Object.entries(def.source.locations)) {
    if (!byDigest.has(key)) throw new LLBError(`source location for unknown op ${key}`);
    for (const l of locs) {
      if (!def.source.infos[l.sourceIndex]) throw new LLBError(`source location for ${key}: no source ${l.sourceIndex}`);
    }
  }

  return { ops: topological(byDigest), metadata: def.metadata, source: def.source, root: def.root };
}

function topological(byDigest: Map<Digest, Op>): Map<Digest, Op> {
  const out = new Map<Digest, Op>();
  const state = new Map<Digest, 'visiting' | 'done'>();
  for (const start of byDigest.keys()) {
    if (state.has(start)) continue;
    const stack: Array<{ d: Digest; next: number }> = [{ d: start, next: 0 }];
    state.set(start, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const op = byDigest.get(top.d)!;
      const inp = op.inputs[top.next];
      if (inp) {
        top.next++;
        const s = state.get(inp.digest);
        if (s === 'visiting') throw new LLBError(`cycle through ${inp.digest}`);
        if (s === undefined) {
          state.set(inp.digest, 'visiting');
          stack.push({ d: inp.digest, next: 0 });
        }
        continue;
      }
      stack.pop();
      state.set(top.d, 'done');
      out.set(top.d, op);
    }
  }
  return out;
}
