// Merge: layer several filesystems on top of each other (COPY --link), as BuildKit's llb.Merge.

import { State } from './state.js';
import type { Input } from './types.js';
import { type ConstraintOpts, makeVertex, type Output } from './vertex.js';

/**
 * Scratch inputs are dropped; none left → scratch, one left → that state unchanged.
 * Otherwise a new state with default metadata (use `withOutput` to keep a stage's env/dir).
 */
export function merge(states: State[], opts: ConstraintOpts = {}): State {
  const outs = states.map((s) => s.output()).filter((o): o is Output => o !== null);
  if (outs.length === 0) return State.of(null);
  if (outs.length === 1) return states.find((s) => s.output() !== null)!;
  const inputs: Input[] = outs.map((o) => ({ digest: o.vertex.digest, index: o.index }));
  // Not platform specific, and inputs are not deduplicated (order is the layer order).
  const vertex = makeVertex({ kind: 'merge', inputs, merge: { inputs: inputs.map((_, i) => i) } }, outs, opts, ['mergeop']);
  return State.of({ vertex, index: 0 });
}
