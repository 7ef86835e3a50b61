// BuildKit's readUser for --chown (solver/llbsolver/file/user_linux.go): numeric ids as given
// (a user id alone also sets the group), names looked up in /etc/passwd and /etc/group of the
// named input's rootfs (inside it, never the host's). A user name alone takes the user's
// primary group. Names match the name field only (runc's ParsePasswdFilter / ParseGroupFilter
// with a name filter): a name that looks numeric, such as an id beyond int32 that WithUser
// could not parse, is never taken as an id. As in BuildKit, a name missing from the files (or
// missing files) leaves id 0 rather than failing; a name with no input to read it from (input
// -1: `COPY --link --chown=<name>`) fails with BuildKit's "invalid user index: -1".
import { readFileSync } from 'node:fs';
import type { ChownOpt, UserOpt } from '../../llb/types.js';
import { fsPath } from '../layer/byte-names.js';
import { resolveInRootSync } from '../layer/root-path.js';
import { FileOpError } from './errors.js';
import type { Owner } from './fs-meta.js';

export type RootfsFor = (inputIndex: number) => string | undefined;

function rootfsOf(u: Extract<UserOpt, { name: string }>, rootfsFor: RootfsFor, what: string): string {
  // A name read from no input: the copy of `COPY --link --chown=<name>` runs on scratch, so
  // BuildKit's FileOpSolver (loadUser) fails it rather than leaving id 0.
  if (u.input < 0) throw new FileOpError(`invalid user index: ${u.input}`);
  const rootfs = rootfsFor(u.input);
  if (rootfs === undefined) throw new FileOpError(`invalid missing ${what} mount`);
  return rootfs;
}

/** Go's strconv.Atoi with its error ignored, as runc's parseLine does: 0 when not a number. */
export function atoi(s: string | undefined): number {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return 0;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : 0;
}

/** The fields of the first line of `/etc/<file>` whose name field is `name`. */
function findEntry(rootfs: string, file: 'passwd' | 'group', name: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(fsPath(resolveInRootSync(rootfs, `/etc/${file}`)), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    // BuildKit opens it and fails reading: `read <path>: is a directory`.
    if (code === 'EISDIR') throw new FileOpError(`read /etc/${file}: is a directory`);
    throw err;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // ParseGroupFilter skips comment lines; ParsePasswdFilter has no comments.
    if (line === '' || (file === 'group' && line.startsWith('#'))) continue;
    const fields = line.split(':');
    if (fields[0] === name) return fields;
  }
  return undefined;
}

export async function resolveChown(chown: ChownOpt | undefined, rootfsFor: RootfsFor): Promise<Owner | undefined> {
  if (!chown) return undefined;
  const owner: Owner = { uid: 0, gid: 0 };
  const u = chown.user;
  if (u) {
    if ('id' in u) {
      owner.uid = u.id;
      owner.gid = u.id;
    } else {
      const entry = findEntry(rootfsOf(u, rootfsFor, 'user'), 'passwd', u.name);
      if (entry) {
        owner.uid = atoi(entry[2]);
        owner.gid = atoi(entry[3]);
      }
    }
  }
  const g = chown.group;
  if (g) {
    if ('id' in g) {
      owner.gid = g.id;
    } else {
      const entry = findEntry(rootfsOf(g, rootfsFor, 'group'), 'group', g.name);
      if (entry) owner.gid = atoi(entry[2]);
    }
  }
  return owner;
}
