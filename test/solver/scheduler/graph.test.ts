import { describe, expect, it } from 'vitest';
import { marshal } from '../../../src/llb/marshal.js';
import { decodeDefinition } from '../../../src/llb/definition.js';
import { image, local } from '../../../src/llb/sources.js';
import { copy } from '../../../src/llb/fileop.js';
import { buildGraph, neededVertices } from '../../../src/solver/scheduler/graph.js';

describe('build graph', () => {
  const base = image('busybox@sha256:' + 'a'.repeat(64));
  const ctx = local('context');
  const withFile = base.file(copy(ctx, '/f', '/f'));
  const run = withFile.run({ shlex: 'echo hi' }).root();
  const def = decodeDefinition(marshal(run));
  const g = buildGraph(def);

  it('orders inputs before their users, one node per op', () => {
    expect(g.order).toHaveLength(def.ops.size);
    const pos = new Map(g.order.map((d, i) => [d, i]));
    for (const [d, op] of def.ops) for (const inp of op.inputs) expect(pos.get(inp.digest)!).toBeLessThan(pos.get(d)!);
  });

  it('stops at cache hits: a cached root needs nothing else', () => {
    const root = def.root!.digest;
    expect([...neededVertices(g, root, (d) => d === root)]).toEqual([root]);
    expect(neededVertices(g, root, () => false).size).toBe(def.ops.size);
    const fileOp = g.graph.predecessors(root)![0]!;
    const needed = neededVertices(g, root, (d) => d === fileOp);
    expect([...needed].sort()).toEqual([root, fileOp].sort());
  });
});
