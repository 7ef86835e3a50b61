// `--print-llb=json`: every op with its digest, its inputs' digests, a description and the op
// itself in canonical form. Keys are sorted and ops keep the definition's order, so the same
// definition always prints the same bytes.

import { canonicalize } from './canonical.js';
import { decodeDefinition } from './definition.js';
import { describeOp } from './describe.js';
import type { Definition } from './types.js';

export function definitionToJSON(def: Definition): string {
  const decoded = decodeDefinition(def);
  const ops = def.ops.map(({ digest, data }) => {
    const op = decoded.ops.get(digest)!;
    const metadata = def.metadata[digest];
    const { inputs: _inputs, kind: _kind, ...body } = JSON.parse(data) as Record<string, unknown>;
    const entry: Record<string, unknown> = {
      digest,
      kind: op.kind,
      description: describeOp(op, metadata),
      inputs: op.inputs.map((i) => ({ digest: i.digest, index: i.index })),
      op: body,
    };
    if (metadata) entry.metadata = canonicalize(metadata);
    const locations = def.source.locations[digest];
    if (locations) {
      entry.locations = locations.map((l) => ({ file: def.source.infos[l.sourceIndex]!.filename, ranges: l.ranges }));
    }
    return entry;
  });
  return JSON.stringify({ root: def.root, ops }, null, 2) + '\n';
}
