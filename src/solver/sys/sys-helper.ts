// A long-lived helper co-process (Perl, helper-source.ts) that mounts, unmounts, reads and
// writes xattrs with raw syscalls, and starts the OCI runtime for RUN steps. A child process per operation costs Node's main
// thread a fork of a big process (~3.5 ms) plus the tool's own start-up, on the critical
// path of every RUN and COPY step; the helper costs one spawn per slipway process, and its
// own forks copy a small process (RUN's runtime: ~0.3 ms instead of Node's 2-3 ms, which
// also blocked the main thread).
// Started on first use or early by warmSysHelper(). It exits when its stdin closes, that
// is with slipway however slipway ends, and it never keeps Node's event loop alive while
// idle. Without perl, on an architecture whose syscall numbers are not listed here, or with
// SLIPWAY_SYSHELPER=0, callers use the tools instead (withSysHelper).
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { childProcess } from '../../lazy-builtins.js';
import { decodeName, nameBytes } from '../layer/byte-names.js';
import { HELPER_SOURCE } from './helper-source.js';

/** mount, umount2, lsetxattr, lgetxattr, llistxattr, mknodat (the helper's argv order). */
const SYSCALLS: Partial<Record<string, readonly number[]>> = {
  x64: [165, 166, 189, 192, 195, 259],
  arm64: [40, 39, 6, 9, 12, 33],
};

const OP_MOUNT = 1;
const OP_UMOUNT = 2;
const OP_DUMP_XATTRS = 3;
const OP_SET_XATTRS = 4;
const OP_MKNOD = 5;
const OP_SPAWN = 6;
const OP_TOPDIR = 7;
/** The errno field of an event frame (output of a spawned process), not a reply. */
const EVENT = 0xffffffff;

export const MNT_DETACH = 2;

/** The helper cannot run here (no perl): do the work the old way. */
export class SysHelperUnavailable extends Error {}

/** A syscall in the helper failed; the message is strerror's, after a path when it names one. */
export class SysCallError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

export type XattrDump = Map<string, Map<string, Buffer>>;

interface Pending {
  resolve(payload: Buffer): void;
  reject(err: Error): void;
  event?(payload: Buffer): void;
}

export interface SpawnOptions {
  cwd: string;
  /** Environment entries (NAME=value). */
  env: readonly string[];
  umask: number;
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface SpawnExit { code: number | null; signal: number | null }

/** Only perl's absence is permanent; a helper that died is replaced on the next request. */
let perlMissing = false;
let current: SysHelper | undefined;

export class SysHelper {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderrTail = '';
  private failure: Error | undefined;

  constructor(syscalls: readonly number[]) {
    // Only PATH (to find perl) from the environment: PERL5OPT or PERL5LIB must not load
    // anything into the helper, and strerror texts stay the C locale's.
    const env = process.env.PATH === undefined ? {} : { PATH: process.env.PATH };
    // child_process (and net) load only when a helper starts: a fully cached build starts none.
    const { spawn } = childProcess();
    this.child = spawn('perl', ['-e', HELPER_SOURCE, '--', ...syscalls.map(String)], { stdio: 'pipe', cwd: '/', env });
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as Socket | null)?.unref();
    this.child.stdout?.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr?.on('data', (d: Buffer) => { this.stderrTail = (this.stderrTail + d.toString()).slice(-2000); });
    // EPIPE when the helper is gone: reported through 'close' below.
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') perlMissing = true;
      this.fail(new SysHelperUnavailable(`cannot start perl for the syscall helper: ${err.message}`));
    });
    // 'close', not 'exit': replies it wrote before dying are still read first.
    this.child.on('close', (code, signal) => {
      const tail = this.stderrTail.trim();
      this.fail(new Error(`slipway's syscall helper (perl, pid ${this.child.pid}) exited with ${signal ?? `code ${code}`}` +
        (tail ? `: ${tail}` : '')));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    if (current === this) current = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    (this.child.stdout as Socket | null)?.unref();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      if ((this.chunks[0] as Buffer).length < 4) this.flatten();
      const end = 4 + (this.chunks[0] as Buffer).readUInt32LE(0);
      if (this.buffered < end) return;
      const all = this.flatten();
      const frame = all.subarray(4, end);
      this.chunks = end < all.length ? [all.subarray(end)] : [];
      this.buffered = all.length - end;
      this.settle(frame);
    }
  }

  private flatten(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private settle(frame: Buffer): void {
    const id = frame.readUInt32LE(0);
    const errno = frame.readUInt32LE(4);
    const p = this.pending.get(id);
    if (!p) return;
    if (errno === EVENT) {
      p.event?.(frame.subarray(8));
      return;
    }
    this.pending.delete(id);
    // Idle again: the helper must not keep Node's event loop alive.
    if (this.pending.size === 0) (this.child.stdout as Socket | null)?.unref();
    const payload = frame.subarray(8);
    if (errno === 0) p.resolve(payload);
    else p.reject(new SysCallError(errno, payload.toString('utf8')));
  }

  private request(op: number, args: readonly (string | Buffer)[], event?: (payload: Buffer) => void): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const head = Buffer.alloc(9);
    head.writeUInt32LE(id, 4);
    head[8] = op;
    const parts: Buffer[] = [head];
    for (const a of args) {
      // Paths as their exact bytes (a name that is not valid UTF-8: layer/byte-names.ts).
      const bytes = typeof a === 'string' ? nameBytes(a) : a;
      const len = Buffer.alloc(4);
      len.writeUInt32LE(bytes.length);
      parts.push(len, bytes);
    }
    const frame = Buffer.concat(parts);
    frame.writeUInt32LE(frame.length - 4, 0);
    return new Promise<Buffer>((resolve, reject) => {
      // A request in flight keeps the process alive until its reply comes.
      if (this.pending.size === 0) (this.child.stdout as Socket | null)?.ref();
      this.pending.set(id, { resolve, reject, ...(event ? { event } : {}) });
      this.child.stdin?.write(frame);
    });
  }

  /** mount(2) with `cwd` as the working directory, so that `data` can name relative paths. */
  async mount(cwd: string, source: string, target: string, fstype: string, flags: number, data: string): Promise<void> {
    await this.request(OP_MOUNT, [cwd, source, target, fstype, String(flags), data]);
  }

  async umount(target: string, flags = 0): Promise<void> {
    await this.request(OP_UMOUNT, [target, String(flags)]);
  }

  /**
   * The xattrs of `file` (and with `recursive`, of everything below it; symlinks are not
   * followed), keyed by path; only entries with xattrs whose names match `pattern` (a Perl
   * regex, '' for all). `file` should be absolute: the keys are built from it.
   */
  async dumpXattrs(file: string, pattern: string, recursive: boolean): Promise<XattrDump> {
    return parseXattrDump(await this.request(OP_DUMP_XATTRS, [file, pattern, recursive ? '1' : '0']));
  }

  /** lsetxattr(2) of every name on every path; all are tried, the first failure is thrown. */
  async setXattrs(entries: ReadonlyMap<string, ReadonlyMap<string, Buffer>>): Promise<void> {
    const args: (string | Buffer)[] = [];
    for (const [file, attrs] of entries) for (const [name, value] of attrs) args.push(file, name, value);
    if (args.length > 0) await this.request(OP_SET_XATTRS, args);
  }

  /** mknod(2) with `mode` (file type and permission bits) exactly: the helper's umask is 0. */
  async mknod(file: string, mode: number, major: number, minor: number): Promise<void> {
    await this.request(OP_MKNOD, [file, String(mode), String(major), String(minor)]);
  }


  /** Sets ext4's FS_TOPDIR_FL on directory `dir` (see layer/spread-inodes.ts). */
  async markTopDir(dir: string): Promise<void> {
    await this.request(OP_TOPDIR, [dir]);
  }

  /**
   * Runs `file` (an absolute path) with `args` (argv[0] first) in the helper's fork: stdin
   * /dev/null, output passed to the callbacks as it comes. Resolves when the process has
   * exited and closed its output (as Node's 'close'); a failed exec rejects with its errno.
   */
  async spawn(file: string, args: readonly string[], opts: SpawnOptions): Promise<SpawnExit> {
    const head = [opts.cwd, opts.umask.toString(8), String(opts.env.length), ...opts.env, file, ...args];
    const reply = await this.request(OP_SPAWN, head, (payload) => {
      const data = Buffer.from(payload.subarray(1));
      if (payload[0] === 1) opts.stdout(data);
      else opts.stderr(data);
    });
    const code = reply.readUInt32LE(0);
    const signal = reply.readUInt32LE(4);
    return signal ? { code: null, signal } : { code, signal: null };
  }
}

export function parseXattrDump(payload: Buffer): XattrDump {
  const out: XattrDump = new Map();
  let off = 0;
  const bytes = (): Buffer => {
    const len = payload.readUInt32LE(off);
    const b = payload.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    return b;
  };
  while (off < payload.length) {
    const file = decodeName(bytes());
    const count = payload.readUInt32LE(off);
    off += 4;
    const attrs = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) {
      const name = decodeName(bytes());
      attrs.set(name, Buffer.from(bytes()));
    }
    out.set(file, attrs);
  }
  return out;
}

/** The syscall numbers the helper needs here, or undefined when it is not to be used. */
function helperSyscalls(): readonly number[] | undefined {
  if (process.env.SLIPWAY_SYSHELPER === '0' || perlMissing || process.platform !== 'linux') return undefined;
  return SYSCALLS[process.arch];
}

/** The running helper, started if need be; undefined where the tools are to be used. */
export function sysHelper(): SysHelper | undefined {
  const syscalls = helperSyscalls();
  if (!syscalls) return undefined;
  if (!current) current = new SysHelper(syscalls);
  return current;
}

/** Starts the helper ahead of its first use (perl's start-up then overlaps other work). */
export function warmSysHelper(): void {
  sysHelper();
}

/** `viaHelper` with the helper, or `viaTools` when there is none (disabled, or no perl). */
export async function withSysHelper<T>(viaHelper: (h: SysHelper) => Promise<T>, viaTools: () => Promise<T>): Promise<T> {
  const h = sysHelper();
  if (h) {
    try {
      return await viaHelper(h);
    } catch (err) {
      if (!(err instanceof SysHelperUnavailable)) throw err;
    }
  }
  return viaTools();
}
