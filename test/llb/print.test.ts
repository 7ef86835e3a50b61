import { describe, expect, it } from 'vitest';
import { copy, definitionToDot, definitionToJSON, image, local, marshal, merge, mkdir, SourceMap } from '../../src/llb/index.js';

function build() {
  const sm = new SourceMap('Dockerfile', 'Dockerfile', 'FROM alpine\nRUN echo "hi"\n');
  const base = image('alpine', { customName: '[internal] load metadata for docker.io/library/alpine:latest' });
  const ctx = local('context', { followPaths: ['app'] });
  const copied = base.file(copy(ctx, 'app', '/app'), { customName: '[stage-0 1/2] COPY app /app' });
  const ran = copied.run({
    shlex: 'echo "hi"', customName: '[stage-0 2/2] RUN echo "hi"',
    location: sm.location([{ start: { line: 2, character: 0 }, end: { line: 2, character: 13 } }]),
  });
  return merge([ran.root(), base.file(mkdir('/x', 0o755))]);
}

describe('definitionToJSON', () => {
  it('is byte-identical for the same input, even when the graph is rebuilt', () => {
    const a = definitionToJSON(marshal(build()));
    expect(definitionToJSON(marshal(build()))).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
  });

  it('lists each op with digest, inputs, description, op body, metadata and locations', () => {
    const def = marshal(build());
    const printed = JSON.parse(definitionToJSON(def)) as {
      root: { digest: string; index: number };
      ops: Array<{ digest: string; kind: string; description: string; inputs: { digest: string }[]; op: Record<string, unknown>; metadata?: unknown; locations?: unknown }>;
    };
    expect(printed.root).toEqual(def.root);
    expect(printed.ops.map((o) => o.digest)).toEqual(def.ops.map((o) => o.digest));
    const run = printed.ops.find((o) => o.kind === 'exec')!;
    expect(run.description).toBe('[stage-0 2/2] RUN echo "hi"');
    expect(run.inputs).toHaveLength(1);
    expect(run.op).toHaveProperty('exec');
    expect(run.op).not.toHaveProperty('inputs');
    expect(run.locations).toEqual([{ file: 'Dockerfile', ranges: [{ start: { line: 2, character: 0 }, end: { line: 2, character: 13 } }] }]);
    const mk = printed.ops.find((o) => o.description === 'mkdir /x')!;
    expect(mk.kind).toBe('file');
  });
});

describe('definitionToDot', () => {
  it('is byte-identical for the same input', () => {
    expect(definitionToDot(marshal(build()))).toBe(definitionToDot(marshal(build())));
  });

  it('has one node per op, one edge per input, escaped labels and a marked root', () => {
    const def = marshal(build());
    const dot = definitionToDot(def);
    const lines = dot.split('\n');
    expect(lines[0]).toBe('digraph llb {');
    expect(lines.filter((l) => / \[label=".*shape=/.test(l))).toHaveLength(def.ops.length);
    const edges = def.ops.reduce((n, o) => n + ((JSON.parse(o.data) as { inputs?: unknown[] }).inputs?.length ?? 0), 0);
    expect(lines.filter((l) => l.includes(' -> '))).toHaveLength(edges);
    expect(dot).toContain('RUN echo \\"hi\\"\\nsha256:');
    expect(lines.filter((l) => l.includes('peripheries=2'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('peripheries=2'))).toContain(def.root!.digest);
  });
});
