// Whether overlayfs can be mounted here (root or a user namespace with mount rights, and a
// filesystem that can hold an upperdir). Probed once per directory per process by mounting
// a throwaway overlay; SLIPWAY_SNAPSHOTTER=overlay|copy overrides the probe.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
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

export function overlaySupported(dir: string): Promise<boolean> {
  const forced = process.env.SLIPWAY_SNAPSHOTTER;
  if (forced === 'overlay' || forced === 'copy') return Promise.resolve(forced === 'overlay');
  const key = path.resolve(dir);
  let p = probes.get(key);
  if (!p) {
    p = probe(key);
    probes.set(key, p);
  }
  return p;
}
