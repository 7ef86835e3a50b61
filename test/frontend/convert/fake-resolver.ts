// Base image configs for converter tests: a fixed set of images (the refenv busybox config
// pulled with skopeo, plus hand-made ones), each with a stable digest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConvertOptions, ImageConfigResolver } from '../../../src/frontend/dockerfile/convert/index.js';
import { convertDockerfile } from '../../../src/frontend/dockerfile/convert/index.js';
import type { Image } from '../../../src/frontend/dockerfile/image-config.js';

export const TESTDATA = fileURLToPath(new URL('../../../testdata/convert/', import.meta.url));

const busybox = JSON.parse(readFileSync(`${TESTDATA}images/busybox.config.json`, 'utf8')) as Image;

const layer = { type: 'layers', diff_ids: ['sha256:ced1b79f072f72c1240fb7bb0cd3671c8b52919cc1e3b054c1cbc2b798e0193c'] };

/** Images by normalized reference. */
export const IMAGES: Record<string, Image> = {
  'docker.io/library/busybox:latest': busybox,
  '127.0.0.1:5000/library/busybox:latest': busybox,
  // A configured application image: everything a child stage inherits.
  '127.0.0.1:5000/test/app:1': {
    architecture: 'amd64',
    os: 'linux',
    author: 'base author',
    config: {
      User: 'app',
      Env: ['PATH=/opt/bin:/usr/bin:/bin', 'LANG=C.UTF-8'],
      Entrypoint: ['/entry'],
      Cmd: ['serve'],
      WorkingDir: '/srv',
      Labels: { base: 'yes' },
      ExposedPorts: { '8080/tcp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      ArgsEscaped: true,
      Healthcheck: { Test: ['CMD', '/health'], Interval: 10_000_000_000 },
      Shell: ['/bin/bash', '-c'],
    },
    rootfs: layer,
    history: [{ created_by: 'base layer' }],
  },
  // An image whose ONBUILD triggers must run in the child.
  '127.0.0.1:5000/test/onbuild:1': {
    architecture: 'amd64',
    os: 'linux',
    config: {
      Env: ['PATH=/usr/bin:/bin'],
      OnBuild: ['ENV TRIGGERED=1', 'RUN echo triggered $TRIGGERED', 'COPY --from=helper /h /h'],
    },
    rootfs: layer,
  },
  // No layers at all: BuildKit treats it as scratch.
  '127.0.0.1:5000/test/empty:1': {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['FOO=bar'] },
    rootfs: { type: 'layers', diff_ids: [] },
  },
};

/** The refenv registry's real manifest digest, so step names match the reference builder's. */
const REAL_DIGESTS: Record<string, string> = {
  '127.0.0.1:5000/library/busybox:latest': 'sha256:1daf9b9f5ff049a17ad7444ff9777676489410d97e9e598888f9f8f44c6fd25b',
};

export function digestOfImage(img: Image): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(img)).digest('hex');
}

/** Resolves from IMAGES; records every lookup in `calls`. */
export function fakeResolver(calls: string[] = []): ImageConfigResolver {
  return async (ref) => {
    calls.push(ref);
    const img = IMAGES[ref];
    if (!img) throw new Error(`pull access denied, repository does not exist: ${ref}`);
    return { ref, digest: REAL_DIGESTS[ref] ?? digestOfImage(img), config: structuredClone(img) };
  };
}

/** convertDockerfile with the fake resolver. */
export function convert(text: string, opts: Partial<ConvertOptions> = {}) {
  return convertDockerfile(text, { resolveImageConfig: fakeResolver(), ...opts });
}

/** Ops of a definition, decoded, with their progress names. */
export function opsOf(def: { ops: { digest: string; data: string }[]; metadata: Record<string, { description?: Record<string, string> }> }) {
  return def.ops.map((o) => ({
    digest: o.digest,
    op: JSON.parse(o.data) as Record<string, any>,
    name: def.metadata[o.digest]?.description?.['llb.customname'] ?? '',
  }));
}
