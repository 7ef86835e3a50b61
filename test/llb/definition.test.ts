import { describe, expect, it } from 'vitest';
import {
  copy, decodeDefinition, type Definition, digestOf, encodeOp, image, local, marshal, merge, mkdir,
  SourceMap, scratch, type State,
} from '../../src/llb/index.js';

function digests(def: Definition): string[] {
  return def.ops.map((o) => o.digest);
}

/** base image → mkdir → copy from context → run; returns each intermediate state. */
function chain(opts: { imageRef?: string; dir?: string; cmd?: string; name?: string } = {}) {
  const base = image(opts.imageRef ?? 'alpine');
  const ctx = local('context');
  const made = base.file(mkdir(opts.dir ?? '/app', 0o755), { customName: opts.name });
  const copied = made.file(copy(ctx, '.', '/app/'));
  const ran = copied.run({ shlex: opts.cmd ?? 'make', customName: opts.name }).root();
  return { base, ctx, made, copied, ran };
}

function rootDigest(s: State): string {
  return marshal(s).root!.digest;
}

describe('marshal', () => {
  it('orders ops inputs-first, ending with the root', () => {
    const { ran } = chain();
    const def = marshal(ran);
    const seen = new Set<string>();
    for (const { digest, data } of def.ops) {
      const op = JSON.parse(data) as { inputs?: { digest: string }[] };
      for (const i of op.inputs ?? []) expect(seen.has(i.digest)).toBe(true);
      seen.add(digest);
    }
    expect(def.ops.at(-1)!.digest).toBe(def.root!.digest);
    expect(def.ops).toHaveLength(5);
  });

  it('stores each op once even when reached twice or built twice', () => {
    const a = image('alpine').file(mkdir('/x', 0o755));
    const b = image('alpine').file(mkdir('/x', 0o755)); // built separately, same content
    const m = merge([a, b.file(mkdir('/y', 0o755))]);
    const def = marshal(m);
    expect(new Set(digests(def)).size).toBe(def.ops.length);
    expect(def.ops.filter((o) => o.data.includes('docker-image://'))).toHaveLength(1);
    expect(def.ops.filter((o) => o.data.includes('"/x"'))).toHaveLength(1);
  });

  it('merges the metadata of identical ops', () => {
    const a = image('alpine').file(mkdir('/x', 0o755), { customName: 'A' });
    const b = image('alpine').file(mkdir('/x', 0o755), { ignoreCache: true });
    const def = marshal(merge([a, b.file(mkdir('/y', 0o755))]));
    const md = def.metadata[a.output()!.vertex.digest]!;
    expect(md.ignoreCache).toBe(true);
    expect(md.description?.['llb.customname']).toBe('A');
  });

  it('scratch marshals to an empty definition with a null root', () => {
    expect(marshal(scratch())).toEqual({ ops: [], metadata: {}, source: { infos: [], locations: {} }, root: null });
  });

  it('handles deep chains without recursion limits', () => {
    let s = image('alpine');
    for (let i = 0; i < 3000; i++) s = s.file(mkdir(`/d${i}`, 0o755));
    expect(decodeDefinition(marshal(s)).ops.size).toBe(3001);
  });
});

describe('digests', () => {
  it('metadata (names, ignoreCache, locations) does not affect digests', () => {
    const sm = new SourceMap('Dockerfile', 'Dockerfile', 'FROM alpine\n');
    const plain = rootDigest(chain().ran);
    const named = chain({ name: '[stage-0 1/2] RUN make' }).ran;
    expect(rootDigest(named)).toBe(plain);
    const withMeta = chain().copied.run({
      shlex: 'make', ignoreCache: true, description: { 'com.example': 'x' },
      location: sm.location([{ start: { line: 1, character: 0 }, end: { line: 1, character: 11 } }]),
      progressGroup: { id: 'g', name: 'G', weak: false },
    }).root();
    expect(rootDigest(withMeta)).toBe(plain);
  });

  it('Merkle: changing a leaf changes exactly it and its descendants', () => {
    const one = chain();
    const two = chain({ imageRef: 'alpine:3.18' });
    expect(rootDigest(two.ctx)).toBe(rootDigest(one.ctx)); // independent branch unchanged
    for (const k of ['base', 'made', 'copied', 'ran'] as const) {
      expect(rootDigest(two[k])).not.toBe(rootDigest(one[k]));
    }
  });

  it('changing a middle op leaves its ancestors alone', () => {
    const one = chain();
    const two = chain({ dir: '/srv' });
    expect(rootDigest(two.base)).toBe(rootDigest(one.base));
    expect(rootDigest(two.made)).not.toBe(rootDigest(one.made));
    expect(rootDigest(two.ran)).not.toBe(rootDigest(one.ran));
  });

  it('every stored digest is the hash of its data', () => {
    for (const { digest, data } of marshal(chain().ran).ops) expect(digestOf(data)).toBe(digest);
  });
});

describe('decodeDefinition', () => {
  it('round-trips: decoded ops re-encode to the same bytes, in topological order', () => {
    const def = marshal(chain().ran);
    const decoded = decodeDefinition(def);
    expect([...decoded.ops.keys()]).toEqual(digests(def));
    for (const { digest, data } of def.ops) expect(encodeOp(decoded.ops.get(digest)!)).toBe(data);
    expect(decoded.root).toEqual(def.root);
  });

  it('survives JSON serialization of the definition', () => {
    const def = marshal(chain().ran);
    const back = JSON.parse(JSON.stringify(def)) as Definition;
    expect(decodeDefinition(back).ops.size).toBe(def.ops.length);
  });

  it('accepts ops in any order and returns them inputs-first', () => {
    const def = marshal(chain().ran);
    const shuffled = { ...def, ops: [...def.ops].reverse() };
    const order = [...decodeDefinition(shuffled).ops.keys()];
    expect(order.at(-1)).toBe(def.root!.digest);
    expect(order.indexOf(def.ops[0]!.digest)).toBeLessThan(order.indexOf(def.root!.digest));
  });

  const def = () => marshal(chain().ran);

  it('rejects an unknown input', () => {
    const d = def();
    const withoutBase = { ...d, ops: d.ops.filter((o) => !o.data.includes('docker-image://')) };
    const meta = Object.fromEntries(Object.entries(d.metadata).filter(([k]) => withoutBase.ops.some((o) => o.digest === k)));
    expect(() => decodeDefinition({ ...withoutBase, metadata: meta })).toThrow(/unknown input sha256:/);
  });

  it('rejects an unknown root, a missing output and a digest mismatch', () => {
    const d = def();
    expect(() => decodeDefinition({ ...d, root: { digest: `sha256:${'0'.repeat(64)}`, index: 0 } })).toThrow(/root: unknown input/);
    expect(() => decodeDefinition({ ...d, root: { digest: d.root!.digest, index: 1 } })).toThrow(/has no output 1/);
    const ops = d.ops.map((o, i) => (i === 0 ? { ...o, data: o.data.replace('alpine', 'alpino') } : o));
    expect(() => decodeDefinition({ ...d, ops })).toThrow(/digest mismatch/);
  });

  it('rejects duplicates, non-canonical encodings and stray metadata', () => {
    const d = def();
    expect(() => decodeDefinition({ ...d, ops: [...d.ops, d.ops[0]!] })).toThrow(/duplicate op/);
    const pretty = JSON.stringify(JSON.parse(d.ops[0]!.data), null, 1);
    expect(() => decodeDefinition({ ...d, ops: [{ digest: digestOf(pretty), data: pretty }] })).toThrow(/not canonical/);
    expect(() => decodeDefinition({ ...d, metadata: { ...d.metadata, [`sha256:${'1'.repeat(64)}`]: {} } })).toThrow(/metadata for unknown op/);
  });

  it('rejects structurally invalid ops', () => {
    const bad = (data: string): Definition => ({ ops: [{ digest: digestOf(data), data }], metadata: {}, source: { infos: [], locations: {} }, root: null });
    expect(() => decodeDefinition(bad('{"kind":"merge","merge":{"inputs":[0]}}'))).toThrow(/at least 2 inputs/);
    expect(() => decodeDefinition(bad('{"file":{"actions":[{"action":{"path":"/x","type":"rm"},"input":0,"output":0,"secondaryInput":-1}]},"kind":"file"}'))).toThrow(/input 0 out of range/);
    expect(() => decodeDefinition(bad('{"exec":{"meta":{"args":["true"],"cwd":"/"},"mounts":[{"dest":"/tmp","input":-1,"mountType":"tmpfs","output":-1}]},"kind":"exec"}'))).toThrow(/tmpfs mount without its options/);
  });
});
