// Reads a canonically encoded op back into its normalized plain-data form, checking every
// field's type and filling the defaults the encoding omits. Unknown fields are errors, so a
// definition cannot carry data the solver would silently ignore.

import { LLBError } from './errors.js';
import type {
  CacheSharing, ChownOpt, ExecMeta, ExecOp, FileAction, FileActionKind, FileOp, Input, MergeOp,
  Mount, MountContentCache, MountType, NetMode, Op, Platform, ProxyEnv, SecurityMode, SourceOp,
  UserOpt, WorkerConstraints,
} from './types.js';

type Obj = Record<string, unknown>;

export function decodeOp(data: string, label = 'op'): Op {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (e) {
    throw new LLBError(`${label}: not valid JSON: ${(e as Error).message}`);
  }
  return readOp(new Reader(parsed, label));
}

class Reader {
  constructor(readonly value: unknown, readonly where: string) {}

  obj(allowed: readonly string[]): Obj {
    const v = this.value;
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail('expected an object');
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) throw new LLBError(`${this.where}: unknown field "${k}"`);
    }
    return v as Obj;
  }

  field(o: Obj, key: string): Reader {
    return new Reader(o[key], `${this.where}.${key}`);
  }

  present(): boolean {
    return this.value !== undefined;
  }

  str(): string {
    if (this.value === undefined) return '';
    if (typeof this.value !== 'string') this.fail('expected a string');
    return this.value;
  }

  bool(): boolean {
    if (this.value === undefined) return false;
    if (typeof this.value !== 'boolean') this.fail('expected a boolean');
    return this.value;
  }

  int(min = -Infinity, max = Infinity): number {
    if (this.value === undefined) return 0;
    if (typeof this.value !== 'number' || !Number.isSafeInteger(this.value)) this.fail('expected an integer');
    if (this.value < min || this.value > max) this.fail(`${this.value} out of range`);
    return this.value;
  }

  bigint(): bigint {
    if (typeof this.value !== 'string' || !/^-?[0-9]+$/.test(this.value)) this.fail('expected a decimal integer string');
    return BigInt(this.value);
  }

  bytes(): Uint8Array {
    if (this.value === undefined) return new Uint8Array(0);
    if (typeof this.value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(this.value)) this.fail('expected base64');
    return new Uint8Array(Buffer.from(this.value, 'base64'));
  }

  list<T>(each: (r: Reader) => T): T[] {
    if (this.value === undefined) return [];
    if (!Array.isArray(this.value)) this.fail('expected an array');
    return this.value.map((v, i) => each(new Reader(v, `${this.where}[${i}]`)));
  }

  strMap(): Record<string, string> {
    const o = this.obj(Object.keys((this.value as Obj | undefined) ?? {}));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) out[k] = this.field(o, k).str();
    return out;
  }

  oneOf<T extends string>(values: readonly T[], dflt: T): T {
    if (this.value === undefined) return dflt;
    if (typeof this.value !== 'string' || !(values as readonly string[]).includes(this.value)) {
      this.fail(`expected one of ${values.join(', ')}`);
    }
    return this.value as T;
  }

  fail(msg: string): never {
    throw new LLBError(`${this.where}: ${msg}`);
  }
}

const UINT32_MAX = 0xffffffff;

function readOp(r: Reader): Op {
  const o = r.obj(['kind', 'inputs', 'platform', 'constraints', 'source', 'exec', 'file', 'merge']);
  const kind = r.field(o, 'kind').oneOf(['source', 'exec', 'file', 'merge'] as const, 'source');
  if (!r.field(o, 'kind').present()) r.fail('missing "kind"');
  for (const k of ['source', 'exec', 'file', 'merge'] as const) {
    if (k !== kind && o[k] !== undefined) r.fail(`"${k}" given on a ${kind} op`);
  }
  const common: { inputs: Input[]; platform?: Platform; constraints?: WorkerConstraints } = {
    inputs: r.field(o, 'inputs').list(readInput),
  };
  if (o.platform !== undefined) common.platform = readPlatform(r.field(o, 'platform'));
  if (o.constraints !== undefined) common.constraints = readConstraints(r.field(o, 'constraints'));
  switch (kind) {
    case 'source':
      return { kind, ...common, source: readSource(r.field(o, 'source')) };
    case 'exec':
      return { kind, ...common, exec: readExec(r.field(o, 'exec')) };
    case 'file':
      return { kind, ...common, file: readFile(r.field(o, 'file')) };
    case 'merge':
      return { kind, ...common, merge: readMerge(r.field(o, 'merge')) };
  }
}

function readInput(r: Reader): Input {
  const o = r.obj(['digest', 'index']);
  const digest = r.field(o, 'digest').str();
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) r.fail(`invalid digest "${digest}"`);
  return { digest, index: r.field(o, 'index').int(0) };
}

function readPlatform(r: Reader): Platform {
  const o = r.obj(['os', 'architecture', 'variant', 'osVersion']);
  const p: Platform = { os: r.field(o, 'os').str(), architecture: r.field(o, 'architecture').str() };
  const variant = r.field(o, 'variant').str();
  if (variant) p.variant = variant;
  const osVersion = r.field(o, 'osVersion').str();
  if (osVersion) p.osVersion = osVersion;
  return p;
}

function readConstraints(r: Reader): WorkerConstraints {
  const o = r.obj(['filter']);
  return { filter: r.field(o, 'filter').list((f) => f.str()) };
}

function readSource(r: Reader): SourceOp {
  const o = r.obj(['identifier', 'attrs']);
  const identifier = r.field(o, 'identifier').str();
  if (!identifier) r.fail('source identifier can\'t be empty');
  return { identifier, attrs: r.field(o, 'attrs').strMap() };
}

function readExec(r: Reader): ExecOp {
  const o = r.obj(['meta', 'mounts', 'network', 'security', 'secretEnv']);
  return {
    meta: readMeta(r.field(o, 'meta')),
    mounts: r.field(o, 'mounts').list(readMount),
    network: r.field(o, 'network').oneOf<NetMode>(['sandbox', 'host', 'none'], 'sandbox'),
    security: r.field(o, 'security').oneOf<SecurityMode>(['sandbox', 'insecure'], 'sandbox'),
    secretEnv: r.field(o, 'secretEnv').list((s) => {
      const so = s.obj(['id', 'name', 'optional']);
      return { id: s.field(so, 'id').str(), name: s.field(so, 'name').str(), optional: s.field(so, 'optional').bool() };
    }),
  };
}

function readMeta(r: Reader): ExecMeta {
  const o = r.obj(['args', 'env', 'cwd', 'user', 'proxyEnv', 'extraHosts', 'hostname', 'ulimit',
    'cgroupParent', 'removeMountStubsRecursive', 'validExitCodes']);
  const meta: ExecMeta = {
    args: r.field(o, 'args').list((a) => a.str()),
    env: r.field(o, 'env').list((e) => e.str()),
    cwd: r.field(o, 'cwd').str(),
    user: r.field(o, 'user').str(),
    extraHosts: r.field(o, 'extraHosts').list((h) => {
      const ho = h.obj(['host', 'ip']);
      return { host: h.field(ho, 'host').str(), ip: h.field(ho, 'ip').str() };
    }),
    hostname: r.field(o, 'hostname').str(),
    ulimit: r.field(o, 'ulimit').list((u) => {
      const uo = u.obj(['name', 'soft', 'hard']);
      return { name: u.field(uo, 'name').str(), soft: u.field(uo, 'soft').int(), hard: u.field(uo, 'hard').int() };
    }),
    cgroupParent: r.field(o, 'cgroupParent').str(),
    removeMountStubsRecursive: r.field(o, 'removeMountStubsRecursive').bool(),
    validExitCodes: r.field(o, 'validExitCodes').list((c) => c.int()),
  };
  if (meta.args.length === 0) r.fail('arguments are required');
  if (!meta.cwd) r.fail('working directory is required');
  if (o.proxyEnv !== undefined) meta.proxyEnv = readProxyEnv(r.field(o, 'proxyEnv'));
  return meta;
}

function readProxyEnv(r: Reader): ProxyEnv {
  const o = r.obj(['httpProxy', 'httpsProxy', 'ftpProxy', 'noProxy', 'allProxy']);
  return {
    httpProxy: r.field(o, 'httpProxy').str(),
    httpsProxy: r.field(o, 'httpsProxy').str(),
    ftpProxy: r.field(o, 'ftpProxy').str(),
    noProxy: r.field(o, 'noProxy').str(),
    allProxy: r.field(o, 'allProxy').str(),
  };
}

function readIdOpt(r: Reader) {
  const o = r.obj(['id', 'uid', 'gid', 'mode', 'optional']);
  return {
    id: r.field(o, 'id').str(),
    uid: r.field(o, 'uid').int(0, UINT32_MAX),
    gid: r.field(o, 'gid').int(0, UINT32_MAX),
    mode: r.field(o, 'mode').int(0, UINT32_MAX),
    optional: r.field(o, 'optional').bool(),
  };
}

function readMount(r: Reader): Mount {
  const o = r.obj(['input', 'selector', 'dest', 'output', 'readonly', 'mountType', 'tmpfsOpt',
    'cacheOpt', 'secretOpt', 'sshOpt', 'contentCache']);
  const m: Mount = {
    input: r.field(o, 'input').int(-1),
    selector: r.field(o, 'selector').str(),
    dest: r.field(o, 'dest').str(),
    output: r.field(o, 'output').int(-1),
    readonly: r.field(o, 'readonly').bool(),
    mountType: r.field(o, 'mountType').oneOf<MountType>(['bind', 'secret', 'ssh', 'cache', 'tmpfs'], 'bind'),
    contentCache: r.field(o, 'contentCache').oneOf<MountContentCache>(['default', 'on', 'off'], 'default'),
  };
  if (!m.dest) r.fail('mount dest is required');
  if (o.tmpfsOpt !== undefined) {
    const t = r.field(o, 'tmpfsOpt');
    m.tmpfsOpt = { size: t.field(t.obj(['size']), 'size').int(0) };
  }
  if (o.cacheOpt !== undefined) {
    const c = r.field(o, 'cacheOpt');
    const co = c.obj(['id', 'sharing']);
    m.cacheOpt = {
      id: c.field(co, 'id').str(),
      sharing: c.field(co, 'sharing').oneOf<CacheSharing>(['shared', 'private', 'locked'], 'shared'),
    };
  }
  if (o.secretOpt !== undefined) m.secretOpt = readIdOpt(r.field(o, 'secretOpt'));
  if (o.sshOpt !== undefined) m.sshOpt = readIdOpt(r.field(o, 'sshOpt'));
  return m;
}

function readFile(r: Reader): FileOp {
  const o = r.obj(['actions']);
  const actions = r.field(o, 'actions').list(readFileAction);
  if (actions.length === 0) r.fail('file op needs at least one action');
  return { actions };
}

function readFileAction(r: Reader): FileAction {
  const o = r.obj(['input', 'secondaryInput', 'output', 'action']);
  return {
    input: r.field(o, 'input').int(-1),
    secondaryInput: r.field(o, 'secondaryInput').int(-1),
    output: r.field(o, 'output').int(-1),
    action: readActionKind(r.field(o, 'action')),
  };
}

function readActionKind(r: Reader): FileActionKind {
  const type = (r.value as Obj | undefined)?.type;
  switch (type) {
    case 'copy': {
      const o = r.obj(['type', 'src', 'dest', 'owner', 'mode', 'modeStr', 'followSymlink',
        'dirCopyContents', 'attemptUnpackDockerCompatibility', 'createDestPath', 'allowWildcard',
        'allowEmptyWildcard', 'timestamp', 'includePatterns', 'excludePatterns', 'requiredPaths',
        'alwaysReplaceExistingDestPaths']);
      const a: FileActionCopy = {
        type,
        src: r.field(o, 'src').str(),
        dest: r.field(o, 'dest').str(),
        followSymlink: r.field(o, 'followSymlink').bool(),
        dirCopyContents: r.field(o, 'dirCopyContents').bool(),
        attemptUnpackDockerCompatibility: r.field(o, 'attemptUnpackDockerCompatibility').bool(),
        createDestPath: r.field(o, 'createDestPath').bool(),
        allowWildcard: r.field(o, 'allowWildcard').bool(),
        allowEmptyWildcard: r.field(o, 'allowEmptyWildcard').bool(),
        includePatterns: r.field(o, 'includePatterns').list((p) => p.str()),
        excludePatterns: r.field(o, 'excludePatterns').list((p) => p.str()),
        requiredPaths: r.field(o, 'requiredPaths').list((p) => p.str()),
        alwaysReplaceExistingDestPaths: r.field(o, 'alwaysReplaceExistingDestPaths').bool(),
      };
      if (o.owner !== undefined) a.owner = readChown(r.field(o, 'owner'));
      if (o.mode !== undefined) a.mode = r.field(o, 'mode').int(0);
      if (o.modeStr !== undefined) a.modeStr = r.field(o, 'modeStr').str();
      if (o.timestamp !== undefined) a.timestamp = r.field(o, 'timestamp').bigint();
      return a;
    }
    case 'mkfile': {
      const o = r.obj(['type', 'path', 'mode', 'data', 'owner', 'timestamp']);
      const a: FileActionMkfile = {
        type,
        path: r.field(o, 'path').str(),
        mode: r.field(o, 'mode').int(0),
        data: r.field(o, 'data').bytes(),
      };
      return withOwnerAndTime(r, o, a);
    }
    case 'mkdir': {
      const o = r.obj(['type', 'path', 'mode', 'makeParents', 'owner', 'timestamp']);
      const a: FileActionMkdir = {
        type,
        path: r.field(o, 'path').str(),
        mode: r.field(o, 'mode').int(0),
        makeParents: r.field(o, 'makeParents').bool(),
      };
      return withOwnerAndTime(r, o, a);
    }
    case 'rm': {
      const o = r.obj(['type', 'path', 'allowNotFound', 'allowWildcard']);
      return {
        type,
        path: r.field(o, 'path').str(),
        allowNotFound: r.field(o, 'allowNotFound').bool(),
        allowWildcard: r.field(o, 'allowWildcard').bool(),
      };
    }
    case 'symlink': {
      const o = r.obj(['type', 'oldpath', 'newpath', 'owner', 'timestamp']);
      const a: FileActionSymlink = {
        type,
        oldpath: r.field(o, 'oldpath').str(),
        newpath: r.field(o, 'newpath').str(),
      };
      return withOwnerAndTime(r, o, a);
    }
    default:
      return r.fail(`unknown file action type ${JSON.stringify(type)}`);
  }
}

type FileActionCopy = Extract<FileActionKind, { type: 'copy' }>;
type FileActionMkfile = Extract<FileActionKind, { type: 'mkfile' }>;
type FileActionMkdir = Extract<FileActionKind, { type: 'mkdir' }>;
type FileActionSymlink = Extract<FileActionKind, { type: 'symlink' }>;

function withOwnerAndTime<T extends { owner?: ChownOpt; timestamp?: bigint }>(r: Reader, o: Obj, a: T): T {
  if (o.owner !== undefined) a.owner = readChown(r.field(o, 'owner'));
  if (o.timestamp !== undefined) a.timestamp = r.field(o, 'timestamp').bigint();
  return a;
}

function readChown(r: Reader): ChownOpt {
  const o = r.obj(['user', 'group']);
  const c: ChownOpt = {};
  if (o.user !== undefined) c.user = readUser(r.field(o, 'user'));
  if (o.group !== undefined) c.group = readUser(r.field(o, 'group'));
  return c;
}

function readUser(r: Reader): UserOpt {
  const o = r.obj(['id', 'name', 'input']);
  if (o.name !== undefined) {
    if (o.id !== undefined) r.fail('both id and name given');
    return { name: r.field(o, 'name').str(), input: r.field(o, 'input').int(-1) };
  }
  if (o.input !== undefined) r.fail('input given without name');
  return { id: r.field(o, 'id').int(0, UINT32_MAX) };
}

function readMerge(r: Reader): MergeOp {
  const o = r.obj(['inputs']);
  return { inputs: r.field(o, 'inputs').list((i) => i.int(0)) };
}
