// Resolves a Dockerfile USER / --chown spec ("name", "uid", "uid:gid", "name:group") through
// the root filesystem's /etc/passwd and /etc/group, read inside the rootfs (symlinks are
// resolved against the rootfs, never the host), with runc's GetExecUser rules. The two small
// files are read synchronously: a RUN step waits for them, and threadpool round trips for
// open, stat, read and close cost more than the reads.
import { readFileSync } from 'node:fs';
import { resolveInRootSync } from '../layer/root-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /**
   * Supplementary groups as BuildKit passes them to the runtime: the primary gid first, then
   * the groups listing the user as a member (those only when no group was given).
   */
  additionalGids: number[];
}

export class UserLookupError extends Error {}

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

const NUMERIC = /^\d+$/;

function readDbFile(rootfs: string, file: string): string | undefined {
  try {
    return readFileSync(resolveInRootSync(rootfs, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw err;
  }
}

function rows(text: string | undefined): string[][] {
  if (!text) return [];
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

function parsePasswd(text: string | undefined): PasswdEntry[] {
  return rows(text).filter((r) => r.length >= 4 && NUMERIC.test(r[2] ?? '') && NUMERIC.test(r[3] ?? ''))
    .map((r) => ({ name: r[0] ?? '', uid: Number(r[2]), gid: Number(r[3]) }));
}

function parseGroup(text: string | undefined): GroupEntry[] {
  return rows(text).filter((r) => r.length >= 3 && NUMERIC.test(r[2] ?? ''))
    .map((r) => ({ name: r[0] ?? '', gid: Number(r[2]), members: (r[3] ?? '').split(',').filter(Boolean) }));
}

function checkId(n: number, what: string, spec: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xfffffffe) throw new UserLookupError(`invalid ${what} in user spec ${JSON.stringify(spec)}`);
  return n;
}

/** `spec` as given to USER; '' means root. */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [userPart = '', groupPart, ...extra] = spec.split(':');
  if (extra.length) throw new UserLookupError(`invalid user spec ${JSON.stringify(spec)}`);
  const userName = userPart === '' ? 'root' : userPart;
  const passwd = parsePasswd(await readDbFile(rootfs, '/etc/passwd'));

  let uid: number;
  let gid = 0;
  let name: string | undefined;
  const byName = passwd.find((e) => e.name === userName);
  if (NUMERIC.test(userName)) {
    uid = checkId(Number(userName), 'uid', spec);
    const entry = passwd.find((e) => e.uid === uid);
    if (entry) ({ gid, name } = entry);
  } else if (byName) {
    ({ uid, gid, name } = byName);
  } else if (userPart === '') {
    uid = 0; // no passwd file at all: root is still root
  } else {
    throw new UserLookupError(`unable to find user ${userName}: no matching entries in passwd file`);
  }

  const groups = parseGroup(await readDbFile(rootfs, '/etc/group'));
  if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart)) {
      gid = checkId(Number(groupPart), 'gid', spec);
    } else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw new UserLookupError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
    return { uid, gid, additionalGids: [gid] };
  }
  const member = name === undefined ? [] : groups.filter((g) => g.members.includes(name as string)).map((g) => g.gid);
  // containerd's ensureAdditionalGids: the primary group leads the supplementary set.
  return { uid, gid, additionalGids: [...new Set([gid, ...member])] };
}
