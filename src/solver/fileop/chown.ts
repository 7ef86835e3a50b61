// BuildKit's readUser for --chown: numeric ids as given (a user id alone also sets the
// group), names looked up in /etc/passwd and /etc/group of the named input's rootfs
// (inside it, never the host's). A user name alone takes the user's primary group.
// As in BuildKit, a name missing from the files leaves id 0 rather than failing.
import type { ChownOpt, UserOpt } from '../../llb/types.js';
import { resolveUser, UserLookupError } from '../executor/user.js';
import { FileOpError } from './errors.js';
import type { Owner } from './fs-meta.js';

export type RootfsFor = (inputIndex: number) => string | undefined;

function rootfsOf(u: Extract<UserOpt, { name: string }>, rootfsFor: RootfsFor, what: string): string {
  const rootfs = rootfsFor(u.input);
  if (rootfs === undefined) throw new FileOpError(`invalid missing ${what} mount`);
  return rootfs;
}

async function lookup(rootfs: string, spec: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    return await resolveUser(rootfs, spec);
  } catch (err) {
    if (err instanceof UserLookupError) return undefined;
    throw err;
  }
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
      const found = await lookup(rootfsOf(u, rootfsFor, 'user'), u.name);
      if (found) {
        owner.uid = found.uid;
        owner.gid = found.gid;
      }
    }
  }
  const g = chown.group;
  if (g) {
    if ('id' in g) {
      owner.gid = g.id;
    } else {
      // "0:NAME": the group part alone decides the gid.
      const found = await lookup(rootfsOf(g, rootfsFor, 'group'), `0:${g.name}`);
      if (found) owner.gid = found.gid;
    }
  }
  return owner;
}
