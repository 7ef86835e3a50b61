import { describe, expect, it } from 'vitest';
import {
  InstructionSyntaxError,
  checkMountSpec,
  expandInstruction,
  isStaticMountSpec,
  parseMount,
  ramInBytes,
} from '../../../src/frontend/dockerfile/instructions/index.js';
import { FILE, errorOf, parse, reasonOf } from './helpers.js';

function mountError(spec: string): string {
  try {
    parseMount(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(InstructionSyntaxError);
    return (err as Error).message;
  }
  throw new Error(`expected ${spec} to be rejected`);
}

describe('bind mounts', () => {
  it('default to type bind, read-only', () => {
    expect(parseMount('target=/src')).toEqual({
      type: 'bind', from: '', source: '', target: '/src', readOnly: true, sizeLimit: 0, id: '', required: false,
    });
  });

  it('accept every spelling of source, target and the read-only switches', () => {
    const m = parseMount('type=bind,src=go.sum,dst=/x,from=deps,rw');
    expect(m).toMatchObject({ type: 'bind', source: 'go.sum', target: '/x', from: 'deps', readOnly: false });
    expect(parseMount('type=bind,source=a,destination=/y,readwrite').readOnly).toBe(false);
    expect(parseMount('type=bind,target=/y,readonly').readOnly).toBe(true);
    expect(parseMount('type=bind,target=/y,ro').readOnly).toBe(true);
    expect(parseMount('type=bind,target=/y,rw=true').readOnly).toBe(false);
    expect(parseMount('type=bind,target=/y,rw=0').readOnly).toBe(true);
    expect(parseMount('type=bind,target=/y,ro=false').readOnly).toBe(false);
    expect(parseMount('type=bind,target=/y,readonly=TRUE').readOnly).toBe(true);
    expect(parseMount('type=bind,target=/y,readwrite=f').readOnly).toBe(true);
    expect(parseMount('TYPE=BIND,Target=/y').type).toBe('bind');
  });

  it('reject file-info options and bad booleans', () => {
    expect(mountError('type=bind,target=/x,mode=0755')).toBe('mode not allowed for "bind" type mounts');
    expect(mountError('type=bind,target=/x,uid=1')).toBe('uid not allowed for "bind" type mounts');
    expect(mountError('type=bind,target=/x,gid=1')).toBe('gid not allowed for "bind" type mounts');
    expect(mountError('type=bind,target=/x,ro=yes')).toBe('invalid value for ro: yes');
    expect(mountError('type=bind,target=/x,readwrite=2')).toBe('invalid value for readwrite: 2');
    expect(mountError('type=bind,target=/x,required')).toBe("unexpected key 'required' for mount type 'bind'");
    expect(mountError('type=bind,target=/x,sharing=locked')).toBe('invalid cache sharing set for bind mount');
    expect(mountError('type=bind,target=/x,size=1m')).toBe("unexpected key 'size' for mount type 'bind'");
  });
});

describe('cache mounts', () => {
  it('default the id to the target, sharing to shared, and are writable', () => {
    expect(parseMount('type=cache,target=/root/.cache')).toEqual({
      type: 'cache', from: '', source: '', target: '/root/.cache', readOnly: false, sizeLimit: 0,
      id: '/root/.cache', sharing: 'shared', required: false,
    });
  });

  it('take id, sharing, mode, uid, gid, from, source and ro', () => {
    const m = parseMount('type=cache,id=go-build,target=/x,sharing=LOCKED,mode=0700,uid=1000,gid=1001,from=base,source=/c,ro');
    expect(m).toEqual({
      type: 'cache', from: 'base', source: '/c', target: '/x', readOnly: true, sizeLimit: 0, id: 'go-build',
      sharing: 'locked', required: false, mode: 0o700, uid: 1000, gid: 1001,
    });
    expect(parseMount('type=cache,target=/x,sharing=private').sharing).toBe('private');
  });

  it('reject bad values with BuildKit\'s messages', () => {
    expect(mountError('type=cache,target=/x,sharing=lock')).toBe('unsupported sharing value "lock" (did you mean locked?)');
    expect(mountError('type=cache,target=/x,sharing=nope-nope')).toBe('unsupported sharing value "nope-nope"');
    expect(mountError('type=cache,target=/x,mode=0789')).toBe('invalid value 0789 for mode');
    expect(mountError('type=cache,target=/x,mode=')).toBe('invalid value  for mode');
    expect(mountError('type=cache,target=/x,uid=-1')).toBe('invalid value -1 for uid');
    expect(mountError('type=cache,target=/x,gid=4294967296')).toBe('invalid value 4294967296 for gid');
    expect(parseMount('type=cache,target=/x,uid=4294967295').uid).toBe(4294967295);
  });
});

describe('tmpfs mounts', () => {
  it('are writable and take a size in RAM units', () => {
    expect(parseMount('type=tmpfs,target=/tmp')).toEqual({
      type: 'tmpfs', from: '', source: '', target: '/tmp', readOnly: false, sizeLimit: 0, id: '', required: false,
    });
    expect(parseMount('type=tmpfs,target=/tmp,size=64m').sizeLimit).toBe(64 * 1024 * 1024);
    expect(parseMount('type=tmpfs,dst=/tmp,size=1.5GiB').sizeLimit).toBe(1.5 * 1024 ** 3);
    expect(mountError('type=tmpfs,target=/tmp,size=big')).toBe('invalid value for size: big');
    expect(mountError('type=tmpfs,target=/tmp,mode=1777')).toBe('mode not allowed for "tmpfs" type mounts');
  });

  it('size is only for tmpfs, and type must come first', () => {
    expect(mountError('size=1m,type=tmpfs,target=/x')).toBe("unexpected key 'size' for mount type 'bind'");
    expect(mountError('type=cache,target=/x,size=1m')).toBe("unexpected key 'size' for mount type 'cache'");
  });

  it('ramInBytes follows docker/go-units', () => {
    expect(ramInBytes('512')).toBe(512);
    expect(ramInBytes('1k')).toBe(1024);
    expect(ramInBytes('1 KB')).toBe(1024);
    expect(ramInBytes('2g')).toBe(2 * 1024 ** 3);
    expect(ramInBytes('1T')).toBe(1024 ** 4);
    expect(ramInBytes('1p')).toBe(1024 ** 5);
    expect(() => ramInBytes('1x')).toThrow("invalid size: '1x'");
    expect(() => ramInBytes('-1')).toThrow("invalid size: '-1'");
    expect(() => ramInBytes('1.2.3m')).toThrow("invalid size: '1.2.3m'");
  });
});

describe('secret mounts', () => {
  it('default the target to /run/secrets/<id> and are read-only', () => {
    expect(parseMount('type=secret,id=npmrc')).toEqual({
      type: 'secret', from: '', source: '', target: '/run/secrets/npmrc', readOnly: true, sizeLimit: 0, id: 'npmrc', required: false,
    });
  });

  it('take the id from source, or from the target\'s base name', () => {
    expect(parseMount('type=secret,source=aws,target=/root/.aws/credentials')).toMatchObject({
      id: 'aws', source: 'aws', target: '/root/.aws/credentials',
    });
    expect(parseMount('type=secret,target=/run/keys/token/')).toMatchObject({ id: 'token', target: '/run/keys/token/' });
    expect(parseMount('type=secret,src=a/b').target).toBe('/run/secrets/b');
  });

  it('env, required, mode, uid and gid', () => {
    const m = parseMount('type=secret,id=API_TOKEN,env=API_TOKEN,required,mode=0440,uid=1,gid=2');
    expect(m).toEqual({
      type: 'secret', from: '', source: '', target: '', readOnly: true, sizeLimit: 0, id: 'API_TOKEN', required: true,
      env: 'API_TOKEN', mode: 0o440, uid: 1, gid: 2,
    });
    // With env and target, both are used.
    expect(parseMount('type=secret,id=t,env=T,target=/t')).toMatchObject({ env: 'T', target: '/t' });
    expect(parseMount('type=secret,id=t,required=false').required).toBe(false);
    expect(parseMount('type=secret,id=t,required=1').required).toBe(true);
  });

  it('reject from, sharing, missing id and id with source', () => {
    expect(mountError('type=secret,id=a,from=x')).toBe('secret mount should not have a from');
    expect(mountError('type=secret,id=a,sharing=shared')).toBe('secret mount should not define sharing');
    expect(mountError('type=secret')).toBe('invalid secret mount. one of source, target required');
    expect(mountError('type=secret,env=X')).toBe('invalid secret mount. one of source, target required');
    expect(mountError('type=secret,id=a,source=b')).toBe("both source and id can't be set");
    expect(mountError('type=secret,id=a,required=maybe')).toBe('invalid value for required: maybe');
  });
});

describe('ssh mounts', () => {
  it('default the id to "default" and are read-only', () => {
    expect(parseMount('type=ssh')).toEqual({
      type: 'ssh', from: '', source: '', target: '', readOnly: true, sizeLimit: 0, id: 'default', required: false,
    });
    expect(parseMount('type=ssh,id=github,target=/agent.sock,required,mode=0600,uid=1000,gid=1000')).toEqual({
      type: 'ssh', from: '', source: '', target: '/agent.sock', readOnly: true, sizeLimit: 0, id: 'github', required: true,
      mode: 0o600, uid: 1000, gid: 1000,
    });
  });

  it('reject source', () => {
    expect(mountError('type=ssh,source=x')).toBe('ssh does not support source');
  });
});

describe('mount syntax', () => {
  it('rejects unknown types and keys with suggestions', () => {
    expect(mountError('type=cahce,target=/x')).toBe('unsupported mount type "cahce" (did you mean cache?)');
    expect(mountError('type=volume,target=/x')).toBe('unsupported mount type "volume"');
    expect(mountError('type=cache,tagret=/x')).toBe("unexpected key 'tagret' in 'tagret=/x' (did you mean target?)");
    expect(mountError('type=cache,target=/x,z')).toBe("invalid field 'z' must be a key=value pair");
  });

  it('reads CSV quoting', () => {
    expect(parseMount('type=bind,"target=/a,b"').target).toBe('/a,b');
    expect(parseMount('type=bind,"target=/a""b"').target).toBe('/a"b');
    expect(mountError('type=bind,target=/a"b')).toBe('failed to parse csv mounts: parse error on line 1, column 20: bare " in non-quoted-field');
    expect(mountError('"type=bind')).toMatch(/^failed to parse csv mounts: parse error on line 1, column \d+: extraneous or missing " in quoted-field$/);
    expect(mountError('')).toBe('failed to parse csv mounts: EOF');
  });

  it('checkMountSpec is BuildKit\'s parse-time pass: CSV shape and from= variables only', () => {
    expect(checkMountSpec('type=nonsense,whatever,z')).toBe('');
    expect(checkMountSpec('type=bind,from=build,target=/x')).toBe('build');
    expect(checkMountSpec('type=cache,target=/x,FROM=a,from=b')).toBe('b');
    expect(() => checkMountSpec('type=bind,from=$STAGE')).toThrow("'from' doesn't support variable expansion, define alias stage instead");
    expect(() => checkMountSpec('type=bind,FROM=a${X}')).toThrow(/doesn't support variable expansion/);
    expect(() => checkMountSpec('type=bind,from=stage$')).not.toThrow();
    expect(() => checkMountSpec('type=bind,"from=x')).toThrow(/failed to parse csv mounts/);
  });

  it('isStaticMountSpec spots values that expansion could change', () => {
    expect(isStaticMountSpec('type=cache,target=/root/.npm')).toBe(true);
    expect(isStaticMountSpec('type=cache,target=$HOME/.npm')).toBe(false);
    expect(isStaticMountSpec('type=cache,target=/a\\ b')).toBe(false);
    expect(isStaticMountSpec("type=cache,target='/a'")).toBe(false);
  });
});

describe('RUN --mount at instruction level', () => {
  it('types static mounts at parse time', () => {
    const c = parse('RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=ssh npm ci', 'run');
    expect(c.mountFroms).toEqual(['', '']);
    expect(c.mounts?.map((m) => [m.type, m.id, m.target])).toEqual([
      ['secret', 'npmrc', '/root/.npmrc'],
      ['ssh', 'default', ''],
    ]);
  });

  it('defers mounts that need expansion, and invalid ones, to expandInstruction (as BuildKit)', () => {
    const text = 'RUN --mount=type=cache,target=$HOME/.cache --mount=type=bind,target=/x,z true';
    const c = parse(text, 'run');
    expect(c.mounts).toBeUndefined();
    expect(c.mountSpecs).toHaveLength(2);
    expect(c.mountFroms).toEqual(['', '']);
    const err = errorOf(() => expandInstruction(c, (w) => w.replace('$HOME', '/root'), { file: FILE, source: text }));
    expect(err.reason).toBe("invalid field 'z' must be a key=value pair");
    expect(err.line).toBe(1);
  });

  it('knows each mount\'s from= before expansion', () => {
    const c = parse('RUN --mount=type=bind,from=build,source=/out,target=$DST --mount=from=deps,target=/d true', 'run');
    expect(c.mountFroms).toEqual(['build', 'deps']);
    expect(c.mounts).toBeUndefined();
  });

  it('rejects a variable in from= at parse time', () => {
    expect(reasonOf('RUN --mount=type=bind,from=$BASE,target=/x true')).toBe(
      "'from' doesn't support variable expansion, define alias stage instead",
    );
  });
});
