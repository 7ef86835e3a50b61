// State → Definition: every op reachable from the state, each once, inputs first.

import type { State } from './state.js';
import type { Definition, Digest, EncodedOp, Location, OpMetadata, SourceInfo } from './types.js';
import { mergeMetadata, type SourceMap, type Vertex } from './vertex.js';

export function marshal(state: State): Definition {
  const ops: EncodedOp[] = [];
  const metadata: Record<Digest, OpMetadata> = {};
  const infos: SourceInfo[] = [];
  const infoIndex = new Map<SourceMap, number>();
  const locations: Record<Digest, Location[]> = {};
  const done = new Set<Digest>();
  const seenVertices = new Set<Vertex>();

  // Iterative post-order walk: deep graphs (hundreds of steps) must not hit the stack limit.
  const visit = (start: Vertex) => {
    const stack: Array<{ v: Vertex; next: number }> = [{ v: start, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.v.inputs[top.next];
      if (child) {
        top.next++;
        if (!seenVertices.has(child.vertex)) stack.push({ v: child.vertex, next: 0 });
        continue;
      }
      stack.pop();
      if (seenVertices.has(top.v)) continue;
      seenVertices.add(top.v);
      record(top.v);
    }
  };

  const record = (v: Vertex) => {
    // Identical ops built separately share a digest: keep one, merge their metadata.
    if (!done.has(v.digest)) {
      done.add(v.digest);
      ops.push({ digest: v.digest, data: v.data });
      metadata[v.digest] = v.metadata;
    } else {
      metadata[v.digest] = mergeMetadata(metadata[v.digest] ?? {}, v.metadata);
    }
    for (const loc of v.locations) {
      let idx = infoIndex.get(loc.sourceMap);
      if (idx === undefined) {
        idx = infos.length;
        infoIndex.set(loc.sourceMap, idx);
        const info: SourceInfo = { filename: loc.sourceMap.filename, language: loc.sourceMap.language };
        if (loc.sourceMap.data !== undefined) info.data = loc.sourceMap.data;
        infos.push(info);
      }
      (locations[v.digest] ??= []).push({ sourceIndex: idx, ranges: loc.ranges.map((r) => ({ start: { ...r.start }, end: { ...r.end } })) });
    }
  };

  const root = state.output();
  if (root) visit(root.vertex);
  return {
    ops,
    metadata,
    source: { infos, locations },
    root: root ? { digest: root.vertex.digest, index: root.index } : null,
  };
}
