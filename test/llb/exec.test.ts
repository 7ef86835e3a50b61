import { describe, expect, it } from 'vitest';
import {
  decodeDefinition, execOpForCacheKey, type ExecOp, image, LLBError, local, marshal, mkdir, type Op, scratch,
  type State,
} from '../../src/llb/index.js';

function rootOp(s: State): Op {
  const def = decodeDefinition(marshal(s));
  return def.ops.get(def.root!.digest)!;
}

function execOf(s: State): { op: Op; exec: ExecOp } {
  const op = rootOp(s);
  if (op.kind !== 'exec') throw new Error(`root is a ${op.kind} op`);
  return { op, exec: op.exec };
}

describe('run arguments', () => {
  it('shlex splits like a shell', () => {
    const { exec } = execOf(image('alpine').run({ shlex: `sh -c 'echo "a b"' x\\ y` }).root());
    expect(exec.meta.args).toEqual(['sh', '-c', 'echo "a b"', 'x y']);
  });

  it('requires arguments and rejects args with shlex', () => {
    expect(() => image('alpine').run({ args: [] })).toThrow(/arguments are required/);
    expect(() => image('alpine').run({ args: ['a'], shlex: 'b' })).toThrow(LLBError);
  });

  it('records proxy env in the op, and execOpForCacheKey drops it', () => {
    const base = image('alpine');
    const withProxy = execOf(base.run({ args: ['true'], proxyEnv: { httpProxy: 'http://p:3128' } }).root());
    const without = execOf(base.run({ args: ['true'] }).root());
    expect(withProxy.exec.meta.proxyEnv).toEqual({ httpProxy: 'http://p:3128', httpsProxy: '', ftpProxy: '', noProxy: '', allProxy: '' });
    expect(execOpForCacheKey(withProxy.exec)).toEqual(execOpForCacheKey(without.exec));
    expect(execOpForCacheKey(withProxy.exec).meta.proxyEnv).toBeUndefined();
    // The op itself (and so its digest) still differs, as in BuildKit.
    expect(withProxy.op).not.toEqual(without.op);
  });

  it('execOpForCacheKey clears selectors and drops a lone plain root mount, as BuildKit CacheMap', () => {
    const lone = execOf(image('alpine').run({ args: ['true'] }).root()).exec;
    expect(execOpForCacheKey(lone).mounts).toEqual([]);
    const sel = execOf(image('alpine').run({ args: ['true'], mounts: [{ type: 'bind', target: '/s', source: local('c'), selector: 'x', readonly: true }] }).root()).exec;
    expect(execOpForCacheKey(sel).mounts.map((m) => m.selector)).toEqual(['', '']);
    expect(sel.mounts[1]!.selector).toBe('x'); // the input is not modified
  });
});

describe('mounts', () => {
  const ctx = local('context');
  const deps = image('golang').file(mkdir('/deps', 0o755));

  const ran = image('alpine').run({
    args: ['make'],
    mounts: [
      { type: 'tmpfs', target: '/tmp', size: 1 << 20 },
      { type: 'bind', target: '/src', source: ctx, selector: 'app', readonly: true },
      { type: 'cache', target: '/root/.cache', id: 'gocache', sharing: 'locked' },
      { type: 'secret', target: '/run/secrets/tok', id: 'tok', optional: true },
      { type: 'ssh', id: 'default' },
      { type: 'bind', target: '/out', source: deps },
      { type: 'bind', target: '/scratchpad', source: deps, selector: 'deps', noOutput: true },
    ],
  });
  const { op, exec } = execOf(ran.root());

  it('sorts mounts by target, appends secret then ssh mounts', () => {
    expect(exec.mounts.map((m) => m.dest)).toEqual([
      '/', '/out', '/root/.cache', '/scratchpad', '/src', '/tmp', '/run/secrets/tok', '/run/buildkit/ssh_agent.0',
    ]);
  });

  it('deduplicates inputs and numbers outputs over writable mounts only', () => {
    expect(op.inputs).toHaveLength(3); // alpine, deps (twice), context
    const by = Object.fromEntries(exec.mounts.map((m) => [m.dest, m]));
    expect(by['/']).toMatchObject({ input: 0, output: 0, mountType: 'bind' });
    expect(by['/out']).toMatchObject({ input: 1, output: 1 });
    expect(by['/scratchpad']).toMatchObject({ input: 1, output: -1, selector: 'deps' });
    expect(by['/src']).toMatchObject({ input: 2, output: -1, readonly: true, selector: 'app' });
    expect(by['/root/.cache']).toMatchObject({ input: -1, output: -1, mountType: 'cache', cacheOpt: { id: 'gocache', sharing: 'locked' } });
    expect(by['/tmp']).toMatchObject({ input: -1, output: -1, mountType: 'tmpfs', tmpfsOpt: { size: 1048576 } });
    expect(by['/run/secrets/tok']).toMatchObject({ mountType: 'secret', secretOpt: { id: 'tok', uid: 0, gid: 0, mode: 0o400, optional: true } });
    expect(by['/run/buildkit/ssh_agent.0']).toMatchObject({ mountType: 'ssh', sshOpt: { id: 'default', mode: 0o600, optional: false } });
  });

  it('sets SSH_AUTH_SOCK to the first ssh mount unless the env has it', () => {
    expect(exec.meta.env).toContain('SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0');
    const own = execOf(image('alpine').addEnv('SSH_AUTH_SOCK', '/mine').run({ args: ['x'], mounts: [{ type: 'ssh' }] }).root());
    expect(own.exec.meta.env).toEqual(['SSH_AUTH_SOCK=/mine']);
  });

  it('getMount: writable mounts are outputs of the exec, read-only ones their source', () => {
    expect(ran.getMount('/out').output()).toEqual({ vertex: ran.output()!.vertex, index: 1 });
    expect(ran.getMount('/src').output()).toBe(ctx.output());
    expect(() => ran.getMount('/tmp')).toThrow(/no output/);
    expect(() => ran.getMount('/root/.cache')).toThrow(/no output/);
    expect(() => ran.getMount('/nope')).toThrow(/no mount at \/nope/);
    // A fresh state, as BuildKit's GetMount.
    expect(ran.getMount('/out').getDir()).toBe('/');
  });

  it('a read-only rootfs gives no root output', () => {
    const base = image('alpine');
    const r = base.run({ args: ['true'], readonlyRootfs: true, mounts: [{ type: 'bind', target: '/o', source: scratch() }] });
    expect(r.root().output()).toBe(base.output());
    const o = r.getMount('/o').output()!;
    expect(o.vertex.op.kind).toBe('exec');
    expect(o.index).toBe(0);
    if (o.vertex.op.kind !== 'exec') return;
    expect(o.vertex.op.exec.mounts[0]).toMatchObject({ dest: '/', readonly: true, output: -1 });
  });

  it('rejects duplicate targets', () => {
    expect(() => image('alpine').run({ args: ['x'], mounts: [{ type: 'tmpfs', target: '/' }] })).toThrow(/duplicate mount target/);
  });

  it('mount order in the options does not matter', () => {
    const a = image('alpine').run({ args: ['x'], mounts: [{ type: 'tmpfs', target: '/a' }, { type: 'tmpfs', target: '/b' }] });
    const b = image('alpine').run({ args: ['x'], mounts: [{ type: 'tmpfs', target: '/b' }, { type: 'tmpfs', target: '/a' }] });
    expect(a.output()!.vertex.digest).toBe(b.output()!.vertex.digest);
  });
});
