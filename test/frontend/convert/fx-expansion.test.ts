// Fields of COPY/ADD and RUN --mount that current BuildKit expands (fx-* diff probes).
import { describe, expect, it } from 'vitest';
import { convert, opsOf } from './fake-resolver.js';

const BB = '127.0.0.1:5000/library/busybox:latest';
type Op = ReturnType<typeof opsOf>[number];
const named = (ops: Op[], prefix: string): Op => {
  const found = ops.find((o) => o.name.startsWith(prefix) && !o.op.source);
  if (!found) throw new Error(`no op named ${prefix}: ${ops.map((o) => o.name).join(' | ')}`);
  return found;
};

describe('variable expansion (fx probes)', () => {
  it('expands COPY/ADD --chmod with the stage environment (buildkit#5151, testCopyChmod)', async () => {
    const df = `FROM ${BB}\nARG MODE=640\nENV XMODE=0751\nARG EMPTY\nCOPY --chmod=$MODE a /m1\nADD --chmod=\${XMODE} a /m2\nCOPY --chmod=\${EMPTY} a /m3\n`;
    const ops = opsOf((await convert(df)).definition);
    expect(named(ops, '[2/4] COPY').op.file.actions[0].action.mode).toBe(0o640);
    expect(named(ops, '[3/4] ADD').op.file.actions[0].action.mode).toBe(0o751);
    expect(named(ops, '[4/4] COPY').op.file.actions[0].action.mode).toBeUndefined();
    const res = await convert(df);
    const history = (res.image.history ?? []).map((h: { created_by?: string }) => h.created_by);
    expect(history).toContain('COPY --chmod=640 a /m1 # buildkit');
    expect(history).toContain('ADD --chmod=0751 a /m2 # buildkit');
  });

  it('a cache mount whose mode/id are variables still mounts the empty image (detectRunMount)', async () => {
    const df = `FROM ${BB}\nARG M=0751\nARG T=/mnt\nRUN --mount=type=cache,target=\${T}/c,id=$M,mode=$M ls $T/c\n`;
    const ops = opsOf((await convert(df)).definition);
    // The empty image joins the stage list (as in BuildKit), so the one stage keeps its name.
    const run = named(ops, '[stage-0 2/2] RUN');
    const m = run.op.exec.mounts.find((x: { dest: string }) => x.dest === '/mnt/c');
    expect(m).toMatchObject({ mountType: 'cache', selector: '/cache', cacheOpt: { id: '/0751' } });
    const perms = ops.find((o) => o.name === '[internal] setting cache mount permissions')!.op.file.actions[0].action;
    expect(perms).toMatchObject({ type: 'mkdir', path: '/cache', mode: 0o751 });
  });
});
