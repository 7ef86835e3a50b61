// Whether overlayfs can be mounted here (root or a user namespace with mount rights, and a
// filesystem that can hold an upperdir). Probed by mounting a throwaway overlay, once per
// directory per process, and, given a record file (the snapshotter's is
// <root>/cache/overlay-probe.json), once per environment: the answer is kept under a key of
// kernel release, uid and mount namespace, so a build does not pay a mount and an unmount
// (through the syscall helper, or two spawns without it) every time.
// SLIPWAY_SNAPSHOTTER=overlay|copy overrides.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import path from 'node:path';
import { mountOverlay, unmount } from './overlay-mount.js';

const probes = new Map<string, Promise<boolean>>();

async function probe(dir: string): Promise<boolean> {
  const base = path.join(dir, `.tmp-${process.pid}-probe-${randomBytes(4).toString('hex')}`);
  try {
    await Promise.all(['lower', 'fs', 'work', 'merged'].map((d) => mkdir(path.join(base, d), { recursive: true })));
    await mountOverlay({ base, lowers: [path.join(base, 'lower')], upper: 'fs', work: 'work', target: path.join(base, 'merged') });
    await unmount(path.join(base, 'merged'));
    return true;
  } catch {
    return false;
  } finally {
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** What the answer depends on besides the directory's filesystem. */
async function environmentKey(): Promise<string> {
  const mntns = await readlink('/proc/self/ns/mnt').catch(() => 'unknown');
  return `${release()} uid=${process.getuid?.() ?? -1} ${mntns}`;
}

async function probeRemembered(dir: string, file: string): Promise<boolean> {
  const key = await environmentKey();
  try {
    const rec = JSON.parse(await readFile(file, 'utf8')) as { key?: unknown; overlay?: unknown };
    if (rec.key === key && typeof rec.overlay === 'boolean') return rec.overlay;
  } catch {
    // none yet, or unreadable: probe
  }
  const ok = await probe(dir);
  const tmp = `${file}.${process.pid}`;
  await mkdir(path.dirname(file), { recursive: true })
    .then(() => writeFile(tmp, JSON.stringify({ key, overlay: ok })))
    .then(() => rename(tmp, file))
    .catch(() => rm(tmp, { force: true }).catch(() => undefined));
  return ok;
}

export function overlaySupported(dir: string, recordFile?: string): Promise<boolean> {
  const forced = process.env.SLIPWAY_SNAPSHOTTER;
  if (forced === 'overlay' || forced === 'copy') return Promise.resolve(forced === 'overlay');
  const key = path.resolve(dir);
  let p = probes.get(key);
  if (!p) {
    p = recordFile ? probeRemembered(key, recordFile) : probe(key);
    probes.set(key, p);
  }
  return p;
}
