import { describe, expect, it } from 'vitest';
import { decodeDefinition, type ExecOp, image, marshal, scratch, type State } from '../../src/llb/index.js';

/** The exec op a state's root points at. */
function execOf(s: State): ExecOp {
  const def = decodeDefinition(marshal(s));
  const op = def.ops.get(def.root!.digest)!;
  if (op.kind !== 'exec') throw new Error(`root is a ${op.kind} op`);
  return op.exec;
}

describe('State metadata', () => {
  it('defaults: dir "/", no env, no user, sandbox network and security, linux/amd64', () => {
    const s = scratch();
    expect(s.getDir()).toBe('/');
    expect(s.env()).toEqual([]);
    expect(s.getUser()).toBe('');
    expect(s.getNetwork()).toBe('sandbox');
    expect(s.getSecurity()).toBe('sandbox');
    expect(s.getPlatform()).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(s.isScratch()).toBe(true);
  });

  it('dir: relative paths resolve against the current dir, absolute ones replace it', () => {
    const s = scratch().dir('/usr').dir('src').dir('../lib/./x');
    expect(s.getDir()).toBe('/usr/lib/x');
    expect(s.dir('/opt').getDir()).toBe('/opt');
    expect(scratch().dir('app').getDir()).toBe('/app');
    expect(s.dir('..').dir('..').dir('..').dir('..').getDir()).toBe('/');
  });

  it('env: addEnv overrides and moves the key last (BuildKit EnvList order); getEnv/delEnv', () => {
    const s = scratch().addEnv('A', '1').addEnv('B', '2').addEnv('A', '3');
    expect(s.env()).toEqual(['B=2', 'A=3']);
    expect(s.getEnv('A')).toBe('3');
    expect(s.getEnv('C')).toBeUndefined();
    expect(s.delEnv('B').env()).toEqual(['A=3']);
    expect(scratch().addEnv('E', '').getEnv('E')).toBe('');
  });

  it('is immutable: every call returns a new State and leaves the old one alone', () => {
    const a = scratch();
    const b = a.addEnv('X', '1').dir('/w').user('app').hostname('h').network('none').security('insecure');
    expect(b).not.toBe(a);
    expect(a.env()).toEqual([]);
    expect(a.getDir()).toBe('/');
    expect(a.getUser()).toBe('');
    expect(a.getHostname()).toBe('');
    expect(b.getUser()).toBe('app');
    expect(b.getHostname()).toBe('h');
    expect(b.getNetwork()).toBe('none');
    expect(b.getSecurity()).toBe('insecure');
  });

  it('withImageConfig applies Env, WorkingDir and User of a base image', () => {
    const s = image('alpine').withImageConfig({ Env: ['PATH=/bin', 'EMPTY', 'X=a=b'], WorkingDir: '/srv', User: 'nobody' });
    expect(s.env()).toEqual(['PATH=/bin', 'EMPTY=', 'X=a=b']);
    expect(s.getDir()).toBe('/srv');
    expect(s.getUser()).toBe('nobody');
  });

  it('withOutput keeps metadata over another filesystem', () => {
    const s = scratch().addEnv('A', '1').dir('/x');
    const alpine = image('alpine');
    const moved = s.withOutput(alpine.output());
    expect(moved.env()).toEqual(['A=1']);
    expect(moved.getDir()).toBe('/x');
    expect(moved.output()).toBe(alpine.output());
    expect(s.isScratch()).toBe(true);
  });
});

describe('state metadata reaches exec ops', () => {
  it('env, cwd, user, hostname, network, security and extra hosts come from the state', () => {
    const s = image('alpine')
      .addEnv('A', '1').dir('/work').user('1000:1000').hostname('builder')
      .network('host').security('insecure').addExtraHost('db', '10.0.0.2');
    const e = execOf(s.run({ args: ['env'] }).root());
    expect(e.meta).toMatchObject({ args: ['env'], env: ['A=1'], cwd: '/work', user: '1000:1000', hostname: 'builder' });
    expect(e.meta.extraHosts).toEqual([{ host: 'db', ip: '10.0.0.2' }]);
    expect(e.network).toBe('host');
    expect(e.security).toBe('insecure');
    expect(e.meta.removeMountStubsRecursive).toBe(true);
  });

  it('run options override the state for that exec only', () => {
    const s = image('alpine').addEnv('A', '1').addEnv('B', '2');
    const r = s.run({ args: ['true'], env: [['A', 'x']], dir: 'sub', user: 'u', network: 'none' });
    const e = execOf(r.root());
    expect(e.meta.env).toEqual(['B=2', 'A=x']);
    expect(e.meta.cwd).toBe('sub');
    expect(e.meta.user).toBe('u');
    expect(e.network).toBe('none');
    // The returned state keeps the base state's metadata, as BuildKit's ExecState.
    expect(r.root().env()).toEqual(['A=1', 'B=2']);
    expect(r.root().getNetwork()).toBe('sandbox');
  });

  it('changing env changes the exec digest, but not the base', () => {
    const base = image('alpine');
    const a = marshal(base.addEnv('V', '1').run({ args: ['true'] }).root());
    const b = marshal(base.addEnv('V', '2').run({ args: ['true'] }).root());
    expect(a.root!.digest).not.toBe(b.root!.digest);
    expect(a.ops[0]!.digest).toBe(b.ops[0]!.digest);
  });

  it('a chain of runs: each exec takes the previous root as input 0', () => {
    const r1 = image('alpine').run({ args: ['a'] });
    const r2 = r1.run({ args: ['b'] });
    const def = decodeDefinition(marshal(r2));
    const op = def.ops.get(def.root!.digest)!;
    expect(op.inputs).toEqual([{ digest: r1.output()!.vertex.digest, index: 0 }]);
  });
});
