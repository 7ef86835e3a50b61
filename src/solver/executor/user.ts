// Resolves a Dockerfile USER spec for a RUN step as BuildKit's executor does
// (executor/oci/user.go GetUser, then moby/sys/user GetExecUser on the rootfs's /etc/passwd
// and /etc/group, read inside the rootfs: symlinks resolve against it, never the host):
//  - `uid:gid` with both parts numbers (or the word `root`) is taken as is, no file read:
//    `USER 1000:root` or `USER root:0` works in a rootfs with no /etc/passwd or /etc/group;
//  - anything else goes through GetExecUser, which always parses /etc/passwd, and /etc/group
//    when a group is named or a passwd entry matched (for the supplementary groups). BuildKit
//    hands it the files as *os.File, nil when the open failed, so a missing file is not
//    "no data" but a read error: `USER 123` without /etc/passwd fails with `unable to find
//    user 123: invalid argument`, `USER nobody` without /etc/group with `unable to find groups
//    for spec nobody: invalid argument`;
//  - the default user (no USER: spec '') is looked up as uid 0, and any error gives 0:0;
//  - passwd/group fields are parsed as Go's parseLine does (a field that is not a number reads
//    as 0, missing fields stay empty; /etc/group skips `#` lines, /etc/passwd does not);
//  - a numeric user or group beyond 2^31-1 is refused (ErrRange).
// The two small files are read synchronously: a RUN step waits for them, and threadpool round
// trips for open, stat, read and close cost more than the reads.
import { readFileSync } from 'node:fs';
import { atoi } from '../fileop/chown.js';
import { fsPath } from '../layer/byte-names.js';
import { resolveInRootSync } from '../layer/root-path.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  /**
   * Supplementary groups as BuildKit passes them to the runtime: the primary gid first
   * (ensureAdditionalGids), then the groups listing the matched user as a member (only when
   * no group was given).
   */
  additionalGids: number[];
}

export class UserLookupError extends Error {}

const MAX_ID = 2 ** 31 - 1;
const RANGE = `uids and gids must be in range 0-${MAX_ID}`;

/** A user database file: its text, or the error reading it gives (Go reads a nil *os.File: EINVAL). */
type DbFile = { text: string } | { error: string };

function readDbFile(rootfs: string, file: string): DbFile {
  // os.Open (or fs.RootPath before it) failed: BuildKit passes the nil *os.File on, and its
  // Read says EINVAL.
  const unopened = { error: 'invalid argument' };
  let host: string;
  try {
    host = resolveInRootSync(rootfs, file);
  } catch {
    return unopened;
  }
  try {
    return { text: readFileSync(fsPath(host), 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    // Opened, but not readable as a file (a directory): the read's own error.
    if (code === 'EISDIR') return { error: `read ${file}: is a directory` };
    return unopened;
  }
}

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

function lines(text: string, skipComments: boolean): string[][] {
  const out: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || (skipComments && line.startsWith('#'))) continue;
    out.push(line.split(':'));
  }
  return out;
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text, false).map((f) => ({ name: f[0] ?? '', uid: atoi(f[2]), gid: atoi(f[3]) }));
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text, true).map((f) => ({
    name: f[0] ?? '', gid: atoi(f[2]), members: f[3] ? f[3].split(',') : [],
  }));
}

/** BuildKit's parseUID: `root` or a decimal uint32 (strconv.ParseUint(s, 10, 32)). */
function parseUid(s: string): number | undefined {
  if (s === 'root') return 0;
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}

/** moby/sys/user parseNumeric: a number in 0..2^31-1, a name, or (a number out of range) an error. */
function parseNumeric(s: string, spec: string): number | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) throw new UserLookupError(`${RANGE} (user spec ${JSON.stringify(spec)})`);
  return n;
}

/** Go's uint32(int) conversion of an id read from passwd/group. */
function uint32(n: number): number {
  return Number(BigInt.asUintN(32, BigInt(n)));
}

/** moby/sys/user GetExecUser with zero defaults. */
function getExecUser(spec: string, passwd: DbFile, group: DbFile): { uid: number; gid: number; sgids: number[] } {
  const colon = spec.indexOf(':');
  const usr = colon < 0 ? spec : spec.slice(0, colon);
  const grp = colon < 0 ? '' : spec.slice(colon + 1);
  const userArg = usr === '' ? undefined : { name: usr, id: parseNumeric(usr, spec) };
  const groupArg = grp === '' ? undefined : { name: grp, id: parseNumeric(grp, spec) };

  let uid = 0;
  let gid = 0;
  let sgids: number[] = [];
  if ('error' in passwd) throw new UserLookupError(`unable to find user ${usr === '' ? '0' : usr}: ${passwd.error}`);
  const user = parsePasswd(passwd.text).find((u) => {
    if (!userArg) return u.uid === 0;
    return userArg.id !== undefined ? u.uid === userArg.id : u.name === userArg.name;
  });
  let matchedName = '';
  if (user) {
    matchedName = user.name;
    ({ uid, gid } = user);
  } else if (userArg) {
    if (userArg.id === undefined) throw new UserLookupError(`unable to find user ${userArg.name}: no matching entries in passwd file`);
    uid = userArg.id;
  }

  if (groupArg || matchedName !== '') {
    if ('error' in group) throw new UserLookupError(`unable to find groups for spec ${matchedName}: ${group.error}`);
    const groups = parseGroup(group.text).filter((g) => {
      if (!groupArg) return g.members.includes(matchedName);
      return groupArg.id !== undefined ? g.gid === groupArg.id : g.name === groupArg.name;
    });
    if (groupArg) {
      const first = groups[0];
      if (first) gid = first.gid;
      else if (groupArg.id === undefined) throw new UserLookupError(`unable to find group ${groupArg.name}: no matching entries in group file`);
      else gid = groupArg.id;
    } else {
      sgids = groups.map((g) => g.gid);
    }
  }
  return { uid, gid, sgids };
}

/** containerd's ensureAdditionalGids, as BuildKit's WithUIDGID applies it. */
function withPrimary(uid: number, gid: number, sgids: number[]): ResolvedUser {
  return { uid, gid, additionalGids: sgids.includes(gid) ? sgids : [gid, ...sgids] };
}

/** `spec` as given to USER; '' means the default user (root). */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const isDefault = spec === '';
  const username = isDefault ? '0' : spec;
  // ParseUIDGID's fast path: both parts given and numeric (or `root`), no file read.
  const colon = username.indexOf(':');
  if (colon >= 0) {
    const uid = parseUid(username.slice(0, colon));
    const gid = parseUid(username.slice(colon + 1));
    if (uid !== undefined && gid !== undefined) return withPrimary(uid, gid, []);
  }
  let found: { uid: number; gid: number; sgids: number[] };
  try {
    found = getExecUser(username, readDbFile(rootfs, '/etc/passwd'), readDbFile(rootfs, '/etc/group'));
  } catch (err) {
    if (isDefault && err instanceof UserLookupError) return withPrimary(0, 0, []);
    throw err;
  }
  return withPrimary(uint32(found.uid), uint32(found.gid), found.sgids.map(uint32));
}
