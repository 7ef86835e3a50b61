import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveUser } from '../../../src/solver/executor/user.js';

const root = mkdtempSync(path.join(tmpdir(), 'slipway-user-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rootfs(name: string, passwd?: string, group?: string): string {
  const r = path.join(root, name);
  mkdirSync(path.join(r, 'etc'), { recursive: true });
  if (passwd !== undefined) writeFileSync(path.join(r, 'etc/passwd'), passwd);
  if (group !== undefined) writeFileSync(path.join(r, 'etc/group'), group);
  return r;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001::/home/app:/bin/sh\nsvc:x:999:999::/:/bin/false\n';
const GROUP = 'root:x:0:\napp:x:1001:\nstaff:x:50:app,svc\nwheel:x:10:app\ndocker:x:998:svc\n';

describe('resolveUser', () => {
  const r = rootfs('plain', PASSWD, GROUP);

  it('resolves names, numbers and groups like runc/BuildKit', async () => {
    expect(await resolveUser(r, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(r, 'root')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(r, 'app')).toEqual({ uid: 1000, gid: 1001, additionalGids: [1001, 50, 10] });
    expect(await resolveUser(r, '1000')).toEqual({ uid: 1000, gid: 1001, additionalGids: [1001, 50, 10] });
    expect(await resolveUser(r, 'app:staff')).toEqual({ uid: 1000, gid: 50, additionalGids: [50] });
    expect(await resolveUser(r, 'svc:7')).toEqual({ uid: 999, gid: 7, additionalGids: [7] });
    expect(await resolveUser(r, '5000')).toEqual({ uid: 5000, gid: 0, additionalGids: [0] });
    expect(await resolveUser(r, '5000:5001')).toEqual({ uid: 5000, gid: 5001, additionalGids: [5001] });
  });

  it('names what it cannot find', async () => {
    await expect(resolveUser(r, 'nobody')).rejects.toThrow('unable to find user nobody: no matching entries in passwd file');
    await expect(resolveUser(r, 'app:nogroup')).rejects.toThrow('unable to find group nogroup: no matching entries in group file');
    // strings.Cut at the first colon: the group is `b:c`, and no group has that name.
    await expect(resolveUser(r, 'app:b:c')).rejects.toThrow('unable to find group b:c: no matching entries in group file');
    await expect(resolveUser(r, '3000000000')).rejects.toThrow(/uids and gids must be in range 0-2147483647/);
  });

  it('works without /etc/passwd for root and numeric ids', async () => {
    const empty = rootfs('empty');
    expect(await resolveUser(empty, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(empty, '12:34')).toEqual({ uid: 12, gid: 34, additionalGids: [34] });
    await expect(resolveUser(empty, 'app')).rejects.toThrow(/unable to find user app/);
  });

  it('reads the rootfs files, following symlinks inside the rootfs only', async () => {
    // An absolute link must resolve against the rootfs, not the host's /etc/passwd.
    const linked = rootfs('linked', undefined, GROUP);
    mkdirSync(path.join(linked, 'data'));
    writeFileSync(path.join(linked, 'data/passwd'), 'root:x:0:0::/:/bin/sh\nonlyhere:x:77:78::/:/bin/sh\n');
    symlinkSync('/data/passwd', path.join(linked, 'etc/passwd'));
    expect(await resolveUser(linked, 'onlyhere')).toMatchObject({ uid: 77, gid: 78 });
    const escaping = rootfs('escaping');
    writeFileSync(path.join(root, 'host-passwd'), 'root:x:0:0::/:/bin/sh\n');
    symlinkSync('../../host-passwd', path.join(escaping, 'etc/passwd'));
    // On the host this would reach <tmp>/host-passwd; inside the rootfs it is <rootfs>/host-passwd (missing).
    await expect(resolveUser(escaping, 'root')).rejects.toThrow(/unable to find user root/);
  });

  it('takes uid:gid (numbers or `root`) without reading the files (ParseUIDGID fast path)', async () => {
    const empty = rootfs('fast-empty');
    expect(await resolveUser(empty, 'root:5')).toEqual({ uid: 0, gid: 5, additionalGids: [5] });
    expect(await resolveUser(empty, '1005:root')).toEqual({ uid: 1005, gid: 0, additionalGids: [0] });
    expect(await resolveUser(empty, 'root:root')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    // Even where the files say otherwise: no supplementary groups from membership.
    expect(await resolveUser(r, '1000:1001')).toEqual({ uid: 1000, gid: 1001, additionalGids: [1001] });
    expect(await resolveUser(r, '4294967295:0')).toEqual({ uid: 4294967295, gid: 0, additionalGids: [0] });
  });

  it('fails as BuildKit does when a file GetExecUser parses is missing (a nil *os.File reads EINVAL)', async () => {
    const noPasswd = rootfs('no-passwd', undefined, GROUP);
    await expect(resolveUser(noPasswd, '123')).rejects.toThrow('unable to find user 123: invalid argument');
    await expect(resolveUser(noPasswd, '0')).rejects.toThrow('unable to find user 0: invalid argument');
    await expect(resolveUser(noPasswd, ':50')).rejects.toThrow('unable to find user 0: invalid argument');
    const noGroup = rootfs('no-group', PASSWD);
    await expect(resolveUser(noGroup, 'app')).rejects.toThrow('unable to find groups for spec app: invalid argument');
    await expect(resolveUser(noGroup, '1000')).rejects.toThrow('unable to find groups for spec app: invalid argument');
    await expect(resolveUser(noGroup, '5000:app')).rejects.toThrow('unable to find groups for spec : invalid argument');
    // No passwd entry matched and no group named: /etc/group is never parsed.
    expect(await resolveUser(noGroup, '5000')).toEqual({ uid: 5000, gid: 0, additionalGids: [0] });
    const dirGroup = rootfs('dir-group', PASSWD);
    mkdirSync(path.join(dirGroup, 'etc/group'));
    await expect(resolveUser(dirGroup, 'app')).rejects.toThrow('unable to find groups for spec app: read /etc/group: is a directory');
    // The default user falls back to 0:0 on any lookup error.
    expect(await resolveUser(noGroup, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(rootfs('none'), '')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
  });

  it('parses fields as Go parseLine does, and numbers as Atoi', async () => {
    const odd = rootfs('odd',
      'root:x:0:0::/:/bin/sh\nbad:x:abc:def::/:/bin/sh\nshort:x:1020\n#c:x:30:31::/:/bin/sh\nu5:x:1005:1006::/:/bin/sh\n',
      '#u5s:x:77:u5\ng7:x:1007:u5,short\ng8:x:1008:root\nzz:x:nan:u5\n');
    expect(await resolveUser(odd, 'bad')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(odd, 'short')).toEqual({ uid: 1020, gid: 0, additionalGids: [0, 1007] });
    // passwd has no comment syntax: `#c` is a user; group skips `#` lines.
    expect(await resolveUser(odd, '#c')).toEqual({ uid: 30, gid: 31, additionalGids: [31] });
    expect(await resolveUser(odd, '+1005')).toEqual({ uid: 1005, gid: 1006, additionalGids: [1006, 1007, 0] });
    expect(await resolveUser(odd, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0, 1008] });
    // The primary gid among the supplementary ones stays where it is.
    expect(await resolveUser(odd, 'root')).toEqual({ uid: 0, gid: 0, additionalGids: [0, 1008] });
    expect(await resolveUser(odd, 'u5:g8')).toEqual({ uid: 1005, gid: 1008, additionalGids: [1008] });
  });
});
