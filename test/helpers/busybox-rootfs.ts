// Builds a small busybox root filesystem in a temp dir (as refenv's setup.sh does) for the
// snapshot and executor tests. Missing prerequisites fail loudly: these tests must not skip.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, chmodSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BUSYBOX = '/bin/busybox';

export { requireTool } from './require-tool.js';

/** Creates `<dir>/rootfs` (or a new temp dir) holding busybox with its applet symlinks. */
export function makeBusyboxRootfs(dir?: string): string {
  try {
    accessSync(BUSYBOX, constants.X_OK);
  } catch {
    throw new Error(`test prerequisite missing: ${BUSYBOX} (install busybox-static: apt-get install busybox-static)`);
  }
  const root = dir ?? path.join(mkdtempSync(path.join(tmpdir(), 'slipway-bb-')), 'rootfs');
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'home', 'var']) {
    mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  }
  copyFileSync(BUSYBOX, path.join(root, 'bin/busybox'));
  chmodSync(path.join(root, 'bin/busybox'), 0o755);
  // Same result as `busybox --install -s` in a chroot: absolute links (/bin/sh -> /bin/busybox).
  const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = path.join(root, applet);
    mkdirSync(path.dirname(link), { recursive: true });
    if (applet !== 'bin/busybox') symlinkSync('/bin/busybox', link);
  }
  chmodSync(path.join(root, 'tmp'), 0o1777);
  chmodSync(path.join(root, 'root'), 0o700);
  writeFileSync(path.join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' +
    'app:x:1000:1000:app:/home/app:/bin/sh\n');
  writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nstaff:x:50:app\nwheel:x:10:root,app\n');
  return root;
}
