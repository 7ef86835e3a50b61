// The integration test environment made by scripts/testenv/setup.sh (local registries and a
// deterministic busybox image). Tests that need it call `testEnv()`, which FAILS (never skips)
// with a message saying how to create the environment when it is missing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

export interface TestEnv {
  state: string;
  registries: { plain: string; auth: string };
  auth: { username: string; password: string };
  images: {
    busybox: {
      layout: string;
      rootfs: string;
      tag: string;
      manifestDigest: string;
      repository: string;
      v2s2Tag: string;
      v2s2ManifestDigest: string;
    };
  };
  tools: { skopeo: string; umoci: string; ociImageTool: string; runc: string; crun: string };
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STATE = process.env.SLIPWAY_TESTENV ?? path.join(REPO_ROOT, '.tmp', 'testenv');

let cached: TestEnv | undefined;

export function testEnv(): TestEnv {
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(path.join(STATE, 'env.json'), 'utf8');
  } catch {
    let why = '';
    try {
      why = ` (last setup error: ${readFileSync(path.join(STATE, 'error.txt'), 'utf8').trim()})`;
    } catch {
      // no error recorded: setup never ran
    }
    throw new Error(
      `test environment missing: ${path.join(STATE, 'env.json')} not found${why}. ` +
        `Run "sudo scripts/testenv/setup.sh" (./scripts/test does it) to install the registries and base images.`,
    );
  }
  cached = JSON.parse(text) as TestEnv;
  return cached;
}

/** `http://127.0.0.1:5100` for a registry host. */
export function registryUrl(host: string): string {
  return `http://${host}`;
}
