// The build graph as a graphlib DAG: one node per op digest (so each op runs at most once
// per build), edges from an input to the ops that read it.
import { Graph, alg } from '@dagrejs/graphlib';
import type { DecodedDefinition } from '../../llb/definition.js';
import type { Digest, Op } from '../../llb/types.js';

export interface BuildGraph {
  graph: Graph;
  ops: Map<Digest, Op>;
  /** Inputs before the ops that use them. */
  order: Digest[];
}

export function buildGraph(def: DecodedDefinition): BuildGraph {
  const graph = new Graph({ directed: true });
  for (const d of def.ops.keys()) graph.setNode(d);
  for (const [d, op] of def.ops) for (const inp of op.inputs) graph.setEdge(inp.digest, d);
  if (!alg.isAcyclic(graph)) throw new Error('the build graph has a cycle');
  return { graph, ops: def.ops, order: alg.topsort(graph) as Digest[] };
}

/**
 * The vertices that must execute to produce `root`: walking down from it, a vertex whose
 * result the cache already holds cuts the walk (its inputs are not needed).
 */
export function neededVertices(g: BuildGraph, root: Digest | undefined, isHit: (d: Digest) => boolean): Set<Digest> {
  const needed = new Set<Digest>();
  if (!root) return needed;
  const stack = [root];
  while (stack.length) {
    const d = stack.pop()!;
    if (needed.has(d)) continue;
    needed.add(d);
    if (isHit(d)) continue;
    for (const p of (g.graph.predecessors(d) ?? []) as Digest[]) stack.push(p);
  }
  return needed;
}
