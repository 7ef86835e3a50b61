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
    await expect(resolveUser(r, 'a:b:c')).rejects.toThrow(/invalid user spec/);
  });

  it('works without /etc/passwd for root and numeric ids', async () => {
    const empty = rootfs('empty');
    expect(await resolveUser(empty, '')).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(await resolveUser(empty, '12:34')).toEqual({ uid: 12, gid: 34, additionalGids: [34] });
    await expect(resolveUser(empty, 'app')).rejects.toThrow(/unable to find user app/);
  });

  it('reads the rootfs files, following symlinks inside the rootfs only', async () => {
    // An absolute link must resolve against the rootfs, not the host's /etc/passwd.
    const linked = rootfs('linked');
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
});
