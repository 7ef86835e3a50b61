// `--print-llb=dot`: the definition as a Graphviz digraph (edges point from an input to the
// op that uses it), for `dot -Tsvg`. Deterministic: ops in definition order.

import { decodeDefinition } from './definition.js';
import { describeOp } from './describe.js';
import type { Definition, OpKind } from './types.js';

const SHAPES: Record<OpKind, string> = { source: 'ellipse', exec: 'box', file: 'note', merge: 'invtrapezium' };
const MAX_LABEL = 80;

export function definitionToDot(def: Definition): string {
  const decoded = decodeDefinition(def);
  const lines = ['digraph llb {', '  rankdir="TB";', '  node [fontname="monospace"];'];
  for (const { digest } of def.ops) {
    const op = decoded.ops.get(digest)!;
    let desc = describeOp(op, def.metadata[digest]);
    if (desc.length > MAX_LABEL) desc = desc.slice(0, MAX_LABEL - 1) + '…';
    const label = `${desc}\n${digest.slice(0, 19)}`;
    const attrs = [`label=${quote(label)}`, `shape=${SHAPES[op.kind]}`];
    if (def.root?.digest === digest) attrs.push('peripheries=2');
    lines.push(`  ${quote(digest)} [${attrs.join(', ')}];`);
  }
  for (const { digest } of def.ops) {
    const op = decoded.ops.get(digest)!;
    for (const inp of op.inputs) {
      const label = inp.index === 0 ? '' : ` [label=${quote(String(inp.index))}]`;
      lines.push(`  ${quote(inp.digest)} -> ${quote(digest)}${label};`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n') + '"';
}
