// Extended attributes (Node has no xattr API): through the syscall helper, one request
// per tree dump or restore batch, no child process; where it cannot run, through the attr
// tools (getfattr/setfattr), one process per tree or batch.
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SysCallError, withSysHelper } from '../sys/sys-helper.js';
import { decodeName, nameBytes } from './byte-names.js';
import { runTool } from './run-tool.js';

const HINT = 'extended attributes need the attr package: apt-get install attr';

export type Xattrs = Map<string, Buffer>;

export class XattrToolError extends Error {}

/** Undoes getfattr's quoting: "\ooo" octal escapes (backslash itself is "\134"). */
function unquote(raw: Buffer): string {
  return decodeName(unquoteBytes(raw));
}

function unquoteBytes(raw: Buffer): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.toString('latin1', i + 1, i + 4))) {
      bytes.push(parseInt(raw.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

/** Quotes a name for setfattr --restore: everything but plain printable ASCII as \ooo. */
function quote(s: string): string {
  let out = '';
  for (const b of nameBytes(s)) {
    out += b > 0x20 && b < 0x7f && b !== 0x5c && b !== 0x3d ? String.fromCharCode(b)
      : '\\' + b.toString(8).padStart(3, '0');
  }
  return out;
}

function parseDump(dump: Buffer): Map<string, Xattrs> {
  const result = new Map<string, Xattrs>();
  let current: Xattrs | undefined;
  let start = 0;
  while (start < dump.length) {
    let end = dump.indexOf(0x0a, start);
    if (end === -1) end = dump.length;
    const line = dump.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    const text = line.toString('latin1');
    if (text.startsWith('# file: ')) {
      current = new Map();
      result.set(unquote(line.subarray(8)), current);
      continue;
    }
    if (!current || text.startsWith('#')) continue;
    const eq = line.indexOf(0x3d);
    const name = unquote(eq === -1 ? line : line.subarray(0, eq));
    const value = eq === -1 ? '' : text.slice(eq + 1);
    if (value !== '' && !value.startsWith('0x')) throw new XattrToolError(`unexpected getfattr value for ${name}: ${value}`);
    current.set(name, Buffer.from(value.slice(2), 'hex'));
  }
  return result;
}

const DUMP_ARGS = ['-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--'];

/** All xattrs below `dir` (symlinks not followed), keyed by absolute host path. */
export function readTreeXattrs(dir: string): Promise<Map<string, Xattrs>> {
  return readTree(dir, '');
}

/** A failed syscall in the helper as the error the attr tools' failure gives. */
function toolError(what: string): (err: unknown) => never {
  return (err) => {
    throw err instanceof SysCallError ? new XattrToolError(`${what} failed: ${err.message}`) : err;
  };
}

/** `pattern`: '' for all names, else a regex that getfattr (POSIX ERE) and Perl read alike. */
function readTree(dir: string, pattern: string): Promise<Map<string, Xattrs>> {
  const abs = path.resolve(dir);
  return withSysHelper(
    (h) => h.dumpXattrs(abs, pattern, true).catch(toolError(`reading the xattrs below ${dir}`)),
    async () => {
      const args = pattern === '' ? DUMP_ARGS : DUMP_ARGS.map((a, i) => (DUMP_ARGS[i - 1] === '-m' ? pattern : a));
      const res = await runTool('getfattr', ['-R', ...args, abs], { hint: HINT });
      if (res.code !== 0) throw new XattrToolError(`getfattr -R ${dir} failed: ${res.stderr.trim()}`);
      return parseDump(res.stdout);
    });
}

/** A tree's xattr dump as JSON-able data: paths relative to `dir`, values in hex. */
export type XattrRecord = Record<string, Record<string, string>>;

export function xattrRecord(dir: string, dump: Map<string, Xattrs>): XattrRecord {
  const base = path.resolve(dir);
  const out: XattrRecord = {};
  for (const [file, attrs] of dump) {
    const names: Record<string, string> = {};
    for (const [name, value] of attrs) names[name] = value.toString('hex');
    out[path.relative(base, file)] = names;
  }
  return out;
}

/** The dump `readTreeXattrs(dir)` gave when `record` was made, keyed by absolute path again. */
export function xattrsFromRecord(dir: string, record: XattrRecord): Map<string, Xattrs> {
  const base = path.resolve(dir);
  const out = new Map<string, Xattrs>();
  for (const [rel, names] of Object.entries(record)) {
    out.set(rel === '' ? base : path.join(base, rel), new Map(Object.entries(names).map(([n, hex]) => [n, Buffer.from(hex, 'hex')])));
  }
  return out;
}

/** Only the xattrs whose names match `pattern` (a getfattr -m regex) below `dir`. */
export function readTreeXattrsMatching(dir: string, pattern: string): Promise<Map<string, Xattrs>> {
  return readTree(dir, pattern);
}

/** Xattrs of one path (not following a final symlink). */
export async function readXattrs(file: string): Promise<Xattrs> {
  const abs = path.resolve(file);
  const dump = await withSysHelper(
    (h) => h.dumpXattrs(abs, '', false).catch(toolError(`reading the xattrs of ${file}`)),
    async () => {
      const res = await runTool('getfattr', [...DUMP_ARGS, abs], { hint: HINT });
      if (res.code !== 0) throw new XattrToolError(`getfattr ${file} failed: ${res.stderr.trim()}`);
      return parseDump(res.stdout);
    });
  return dump.get(abs) ?? new Map();
}

/**
 * Sets xattrs on many paths (not following a final symlink) in one helper request or
 * setfattr run; a failure is reported after all were tried. Callers must have checked
 * that the paths' parents are real directories inside their root (parent links are followed).
 */
export async function writeXattrs(entries: Map<string, Xattrs>): Promise<void> {
  if (entries.size === 0) return;
  const abs = new Map([...entries].map(([file, attrs]) => [path.resolve(file), attrs]));
  await withSysHelper((h) => h.setXattrs(abs).catch(toolError('setting xattrs')), () => restoreWithSetfattr(abs));
}

async function restoreWithSetfattr(entries: Map<string, Xattrs>): Promise<void> {
  let dump = '';
  for (const [file, attrs] of entries) {
    if (attrs.size === 0) continue;
    dump += `# file: ${quote(file)}\n`;
    for (const [name, value] of attrs) dump += `${quote(name)}=0x${value.toString('hex')}\n`;
    dump += '\n';
  }
  if (dump === '') return;
  const dir = await mkdtemp(path.join(tmpdir(), 'slipway-xattr-'));
  try {
    const file = path.join(dir, 'dump');
    await writeFile(file, dump);
    const res = await runTool('setfattr', ['-h', `--restore=${file}`], { hint: HINT });
    if (res.code !== 0) throw new XattrToolError(`setfattr --restore failed: ${res.stderr.trim()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
