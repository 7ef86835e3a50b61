// Cache keys must be the same on every machine (issue 8): a context's checksum depends on file
// content and mode, never on the owner of the checkout (docker/buildx send it as 0:0), the
// directory it sits in, or mtimes.
import { chownSync, cpSync, mkdtempSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectionsFromLocal } from '../../src/solver/cache/keys.js';
import { StatCache } from '../../src/solver/contenthash/stat-cache.js';
import type { Op } from '../../src/llb/types.js';
import type { LocalRef } from '../../src/solver/result.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slipway-keys-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const wholeDir = { kind: 'source', inputs: [], source: { identifier: 'local://context' } } as unknown as Op;

async function contextSum(dir: string): Promise<string[]> {
  const local: LocalRef = { kind: 'local', dir, includePatterns: [], excludePatterns: [], followPaths: [] };
  const cache = new StatCache(path.join(mkdtempSync(path.join(tmp, 'sc-')), 'cache.json'));
  return (await selectionsFromLocal(wholeDir, 0, local, cache)).digests;
}

describe('context checksums are machine-independent', () => {
  it('owner, location and mtimes do not change the key; content and mode do', async () => {
    const a = path.join(tmp, 'a');
    mkdirSync(path.join(a, 'sub'), { recursive: true });
    writeFileSync(path.join(a, 'sub', 'f.txt'), 'hello\n');
    writeFileSync(path.join(a, 'g.txt'), 'world\n', { mode: 0o644 });
    const base = await contextSum(a);

    const b = path.join(tmp, 'elsewhere', 'b');
    cpSync(a, b, { recursive: true });
    for (const p of ['', 'sub', 'sub/f.txt', 'g.txt']) {
      chownSync(path.join(b, p), 1234, 4321);
      utimesSync(path.join(b, p), new Date(1e9 * 1000), new Date(1e9 * 1000));
    }
    expect(await contextSum(b)).toEqual(base);

    writeFileSync(path.join(b, 'g.txt'), 'world!\n');
    expect(await contextSum(b)).not.toEqual(base);
  });
});
