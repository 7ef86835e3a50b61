// The builders compared by bench/compare.mjs. Each has wipe() (back to an empty store: no
// cache, no base images) and build(ctx) → ms. Slipway and buildah get a private root per
// benchmark; BuildKit is the refenv dockerd, wiped the way ../shared/refenv/bench.sh does it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { quiet, timed } from './run.mjs';

const TAG = 'slipway-bench/out:latest';

export function slipwayBuilder(bin) {
  let root;
  return {
    name: 'slipway',
    wipe() {
      if (root) rmSync(root, { recursive: true, force: true });
      root = mkdtempSync('/var/tmp/slipway-bench-root-');
    },
    build(ctx) {
      return timed(bin, ['--root', root, 'build', '--network=none', '--progress=plain', '-t', TAG, ctx]);
    },
    done() {
      if (root) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `buildah bud --layers` with overlay storage in a private --root (chroot isolation, as refenv's buildah-overlay). */
export function buildahBuilder() {
  let dir;
  const base = () => ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'overlay'];
  const drop = () => {
    if (!dir) return;
    quiet('buildah', [...base(), 'rm', '--all']);
    quiet('buildah', [...base(), 'rmi', '-a', '-f']);
    // overlay storage can leave its own mount behind; lazily detach before deleting
    quiet('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    name: 'buildah',
    wipe() {
      drop();
      dir = mkdtempSync('/var/tmp/slipway-bench-buildah-');
    },
    build(ctx) {
      return timed('buildah', [...base(), 'bud', '--layers', '--isolation', 'chroot', '--tls-verify=false', '-t', TAG, ctx]);
    },
    done: drop,
  };
}

const SOCK = '/run/docker-ref.sock';
const DOCKER = '/usr/bin/docker'; // the 20.10 client (refenv README: the 28.x one wants buildx)
const dockerEnv = { DOCKER_HOST: `unix://${SOCK}`, DOCKER_BUILDKIT: '1' };

export function dockerAnswers() {
  return existsSync(SOCK) && existsSync(DOCKER) && quiet(DOCKER, ['version'], dockerEnv).status === 0;
}

export function buildkitBuilder() {
  return {
    name: 'buildkit',
    wipe() {
      const ids = quiet(DOCKER, ['images', '-aq'], dockerEnv).stdout.split('\n').filter(Boolean);
      if (ids.length) quiet(DOCKER, ['rmi', '-f', ...new Set(ids)], dockerEnv);
      quiet(DOCKER, ['builder', 'prune', '-af'], dockerEnv);
    },
    build(ctx) {
      return timed(DOCKER, ['build', '--network=none', '--progress=plain', '-t', TAG, ctx], dockerEnv);
    },
    done() {},
  };
}
