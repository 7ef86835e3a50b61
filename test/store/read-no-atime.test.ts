import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileNoAtime, readFileNoAtimeSync } from '../../src/store/read-no-atime.js';

describe('reads that are not uses (cache records for builder prune)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-noatime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leave the access time where a build read would move it (relatime: atime not after mtime)', async () => {
    const file = path.join(dir, 'rec.json');
    writeFileSync(file, '{"k":1}');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(file, hourAgo, hourAgo);
    const before = statSync(file).atimeMs;
    expect(readFileNoAtimeSync(file)).toBe('{"k":1}');
    expect(await readFileNoAtime(file)).toBe('{"k":1}');
    expect(statSync(file).atimeMs).toBe(before);
    await expect(readFileNoAtime(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
