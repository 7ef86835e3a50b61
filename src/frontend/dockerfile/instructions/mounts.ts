// `RUN --mount=...` values, after BuildKit's commands_runmount.go (plus the per-type
// defaults its dockerfile2llb applies). A value is a CSV list of `key=value` fields and
// bare `ro`/`rw`/`required` words. BuildKit reads each value twice: once at parse time
// without an expander (only the CSV shape and `from=` are checked), and again with the
// word expander at conversion time, when every field is interpreted.

import { posix } from 'node:path';
import { parseCsvFields } from './csv-fields.js';
import { InstructionSyntaxError, goQuote } from './syntax-error.js';
import { withSuggestion } from './suggest.js';
import type { Mount, MountType, ShareMode } from './types.js';

/** BuildKit's SingleWordExpander: one word in, one word out (may throw). */
export type SingleWordExpander = (word: string) => string;

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARE_MODES: readonly ShareMode[] = ['shared', 'private', 'locked'];
const ALL_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode',
  'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

function fail(message: string): never {
  throw new InstructionSyntaxError(message);
}

function fields(spec: string): string[] {
  try {
    return parseCsvFields(spec);
  } catch (err) {
    return fail(`failed to parse csv mounts: ${(err as Error).message}`);
  }
}

/** True when expanding `spec` cannot change it (no variables, quotes or escapes). */
export function isStaticMountSpec(spec: string): boolean {
  return !/[$'"\\`]/.test(spec);
}

/**
 * BuildKit's parse-time pass over one --mount value (no expander): the CSV must be
 * well-formed and `from=` must not use a variable (a `$` that is not the last character).
 * Returns the `from=` value ('' when absent): the only field known before expansion, which
 * the converter needs to find the stages a RUN depends on.
 */
export function checkMountSpec(spec: string): string {
  let from = '';
  for (const field of fields(spec)) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    if (field.slice(0, eq).toLowerCase() !== 'from') continue;
    const value = field.slice(eq + 1);
    const dollar = value.indexOf('$');
    if (dollar !== -1 && dollar !== value.length - 1) {
      fail("'from' doesn't support variable expansion, define alias stage instead");
    }
    from = value;
  }
  return from;
}

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return fail(`invalid value for ${key}: ${value}`);
}

/** Go's strconv.ParseUint(value, base, 32), undefined when invalid. */
function parseUint32(value: string, base: 8 | 10): number | undefined {
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(value)) return undefined;
  const n = parseInt(value, base);
  return n <= 0xffffffff ? n : undefined;
}

/** docker/go-units RAMInBytes: `64m`, `1.5GiB`, `512` (binary multipliers). */
export function ramInBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(size);
  if (!m || !/^\d+(\.\d+)?$/.test(m[1]!)) throw new InstructionSyntaxError(`invalid size: '${size}'`);
  const mul = m[2] ? 1024 ** ('kmgtp'.indexOf(m[2].toLowerCase()) + 1) : 1;
  return Math.trunc(parseFloat(m[1]!) * mul);
}

/** Go's path.Base. */
function baseName(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return posix.basename(trimmed);
}

/**
 * Interpret one --mount value, expanding each `key=value` value with `expand`
 * (identity by default), with BuildKit's validation and messages.
 */
export function parseMount(spec: string, expand: SingleWordExpander = (w) => w): Mount {
  let type: MountType = 'bind';
  let from = '';
  let source = '';
  let target = '';
  let readOnly = false;
  let roAuto = true;
  let sizeLimit = 0;
  let cacheId = '';
  let sharing: ShareMode | undefined;
  let required = false;
  let env: string | undefined;
  let mode: number | undefined;
  let uid: number | undefined;
  let gid: number | undefined;

  for (const field of fields(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      switch (key) {
        case 'readonly':
        case 'ro':
          readOnly = true;
          roAuto = false;
          continue;
        case 'readwrite':
        case 'rw':
          readOnly = false;
          roAuto = false;
          continue;
        case 'required':
          // Checked against the type seen so far, as BuildKit does (order matters).
          if (type !== 'secret' && type !== 'ssh') fail(`unexpected key '${key}' for mount type '${type}'`);
          required = true;
          continue;
        default:
          fail(`invalid field '${field}' must be a key=value pair`);
      }
    }

    const value = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const t = value.toLowerCase() as MountType;
        if (!MOUNT_TYPES.includes(t)) fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        type = t;
        break;
      }
      case 'from':
        from = value;
        break;
      case 'source':
      case 'src':
        source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = value;
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(key, value);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        readOnly = !parseBool(key, value);
        roAuto = false;
        break;
      case 'required':
        if (type !== 'secret' && type !== 'ssh') fail(`unexpected key '${key}' for mount type '${type}'`);
        required = parseBool(key, value);
        break;
      case 'size':
        if (type !== 'tmpfs') fail(`unexpected key '${key}' for mount type '${type}'`);
        try {
          sizeLimit = ramInBytes(value);
        } catch {
          fail(`invalid value for ${key}: ${value}`);
        }
        break;
      case 'id':
        cacheId = value;
        break;
      case 'sharing': {
        const s = value.toLowerCase() as ShareMode;
        if (!SHARE_MODES.includes(s)) fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARE_MODES, true));
        sharing = s;
        break;
      }
      case 'mode':
        mode = parseUint32(value, 8) ?? fail(`invalid value ${value} for mode`);
        break;
      case 'uid':
        uid = parseUint32(value, 10) ?? fail(`invalid value ${value} for uid`);
        break;
      case 'gid':
        gid = parseUint32(value, 10) ?? fail(`invalid value ${value} for gid`);
        break;
      case 'env':
        env = value;
        break;
      default:
        fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS, true));
    }
  }

  const fileInfoAllowed = type === 'secret' || type === 'ssh' || type === 'cache';
  if (!fileInfoAllowed) {
    if (mode !== undefined) fail(`mode not allowed for ${goQuote(type)} type mounts`);
    if (uid !== undefined) fail(`uid not allowed for ${goQuote(type)} type mounts`);
    if (gid !== undefined) fail(`gid not allowed for ${goQuote(type)} type mounts`);
  }
  // Only cache and tmpfs mounts are writable unless told otherwise.
  if (roAuto) readOnly = !(type === 'cache' || type === 'tmpfs');

  if (type === 'secret') {
    if (from !== '') fail('secret mount should not have a from');
    if (sharing !== undefined) fail('secret mount should not define sharing');
    if (source === '' && target === '' && cacheId === '') fail('invalid secret mount. one of source, target required');
    if (source !== '' && cacheId !== '') fail("both source and id can't be set");
  }
  if (sharing !== undefined && type !== 'cache') fail(`invalid cache sharing set for ${type} mount`);
  // dockerfile2llb's dispatchSSH check, done here so it is reported with the line.
  if (type === 'ssh' && source !== '') fail('ssh does not support source');

  const mount: Mount = { type, from, source, target, readOnly, sizeLimit, id: cacheId, required };
  switch (type) {
    case 'cache':
      mount.id = cacheId || target;
      mount.sharing = sharing ?? 'shared';
      break;
    case 'secret': {
      const id = source || cacheId || baseName(target);
      mount.id = id;
      if (target === '' && env === undefined) mount.target = `/run/secrets/${baseName(id)}`;
      break;
    }
    case 'ssh':
      mount.id = cacheId || 'default';
      break;
  }
  if (env !== undefined) mount.env = env;
  if (mode !== undefined) mount.mode = mode;
  if (uid !== undefined) mount.uid = uid;
  if (gid !== undefined) mount.gid = gid;
  return mount;
}
