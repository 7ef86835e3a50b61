// Where ../shared (conformance data, corpus, refenv) is: beside the checkout, as CI lays it out.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

function findShared(): string {
  const candidates = [process.env.SLIPWAY_SHARED_DIR, resolve(repo, '..', 'shared'), '/work/shared'];
  for (const c of candidates) if (c && existsSync(join(c, 'conformance'))) return c;
  throw new Error(`../shared not found beside ${repo} (set SLIPWAY_SHARED_DIR): the conformance tests need it`);
}

export const SHARED_DIR = findShared();
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);
