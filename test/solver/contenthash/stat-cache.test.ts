import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { checksumPath } from '../../../src/solver/contenthash/checksum.js';
import { RACY_WINDOW_MS, StatCache } from '../../../src/solver/contenthash/stat-cache.js';

async function setup(): Promise<{ ctx: string; root: string }> {
  const base = mkdtempSync(path.join(tmpdir(), 'statcache-'));
  const ctx = path.join(base, 'ctx');
  mkdirSync(path.join(ctx, 'dir'), { recursive: true });
  writeFileSync(path.join(ctx, 'a.txt'), 'hello');
  writeFileSync(path.join(ctx, 'dir/b.txt'), 'world');
  writeFileSync(path.join(ctx, 'dir/empty'), '');
  // Entries younger than the racy window are hashed but not cached.
  await sleep(RACY_WINDOW_MS + 50);
  return { ctx, root: path.join(base, 'root') };
}

async function run(ctx: string, cache: StatCache): Promise<{ digest: string; reads: string[] }> {
  const reads: string[] = [];
  const digest = await checksumPath(ctx, '/', { statCache: cache, onContentRead: (r) => reads.push(r) });
  await cache.save();
  return { digest, reads: reads.sort() };
}

describe('StatCache', () => {
  it('lives in <root>/cache/contenthash/, one file per scope realpath', async () => {
    const { ctx, root } = await setup();
    const c = await StatCache.forScope(root, ctx);
    expect(path.dirname(c.file)).toBe(path.join(root, 'cache', 'contenthash'));
    expect(path.basename(c.file)).toMatch(/^[0-9a-f]{64}\.json$/);
    expect((await StatCache.forScope(root, ctx + '/dir/..')).file).toBe(c.file);
  });

  it('never re-reads an unchanged file, in the same or a new process', async () => {
    const { ctx, root } = await setup();
    const first = await run(ctx, await StatCache.forScope(root, ctx));
    expect(first.reads).toEqual(['a.txt', 'dir/b.txt']);
    const again = await run(ctx, await StatCache.forScope(root, ctx));
    expect(again).toEqual({ digest: first.digest, reads: [] });
    // A cache-less run gives the same digest: the cache only saves work.
    expect(await checksumPath(ctx, '/')).toBe(first.digest);
  });

  it('touch re-reads and keeps the digest; an edit gives a new digest', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    const first = await run(ctx, cache);
    utimesSync(path.join(ctx, 'a.txt'), new Date(), new Date());
    const touched = await run(ctx, cache);
    expect(touched).toEqual({ digest: first.digest, reads: ['a.txt'] });
    // Same size, old mtime restored: only ctime tells, and it is in the signature.
    const st = statSync(path.join(ctx, 'dir/b.txt'));
    writeFileSync(path.join(ctx, 'dir/b.txt'), 'WORLD');
    utimesSync(path.join(ctx, 'dir/b.txt'), st.atime, st.mtime);
    const edited = await run(ctx, cache);
    // a.txt was touched within the racy window, so it is read again too.
    expect(edited.reads).toEqual(['a.txt', 'dir/b.txt']);
    expect(edited.digest).not.toBe(first.digest);
  });

  it('writes only when something changed, atomically', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    await run(ctx, cache);
    const before = statSync(cache.file);
    await sleep(20);
    await run(ctx, await StatCache.forScope(root, ctx));
    const after = statSync(cache.file);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    const doc = JSON.parse(readFileSync(cache.file, 'utf8')) as { format: string; entries: Record<string, [string, string]> };
    expect(doc.format).toBe('slipway.statcache.v2');
    expect(Object.keys(doc.entries).sort()).toEqual(['a.txt', 'dir', 'dir/b.txt', 'dir/empty']);
  });

  it('a corrupt cache file is ignored and rebuilt', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    const first = await run(ctx, cache);
    for (const garbage of ['{"format":"slipway.statcache.v2","entries":{"a.txt":["x", 1]}', '\0\0\0', '{"format":"other"}', '{"format":"slipway.statcache.v2","entries":{"a.txt":[1,2]}}']) {
      writeFileSync(cache.file, garbage);
      const rebuilt = await run(ctx, await StatCache.forScope(root, ctx));
      expect(rebuilt.digest).toBe(first.digest);
      expect(rebuilt.reads.length).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(cache.file, 'utf8')).format).toBe('slipway.statcache.v2');
      expect((await run(ctx, await StatCache.forScope(root, ctx))).reads).toEqual([]);
    }
  });

  it('does not cache entries changed within the racy window', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    await run(ctx, cache);
    writeFileSync(path.join(ctx, 'a.txt'), 'fresh');
    expect((await run(ctx, cache)).reads).toEqual(['a.txt']);
    expect((await run(ctx, cache)).reads).toEqual(['a.txt']);
    await sleep(RACY_WINDOW_MS + 50);
    expect((await run(ctx, cache)).reads).toEqual(['a.txt']);
    expect((await run(ctx, cache)).reads).toEqual([]);
  });

  it('an xattr change is a miss, and misses in separate directories get their xattrs', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    const first = await run(ctx, cache);
    execFileSync('setfattr', ['-n', 'user.one', '-v', '1', path.join(ctx, 'a.txt')]);
    execFileSync('setfattr', ['-n', 'user.two', '-v', '2', path.join(ctx, 'dir/b.txt')]);
    const second = await run(ctx, cache);
    expect(second.reads).toEqual(['a.txt', 'dir/b.txt']);
    expect(second.digest).not.toBe(first.digest);
    // Same as hashing from scratch: both xattrs were seen.
    expect(await checksumPath(ctx, '/')).toBe(second.digest);
    execFileSync('setfattr', ['-x', 'user.two', path.join(ctx, 'dir/b.txt')]);
    expect((await run(ctx, cache)).digest).not.toBe(second.digest);
  });

  it('forgets deleted files when their directory is walked again', async () => {
    const { ctx, root } = await setup();
    const cache = await StatCache.forScope(root, ctx);
    await run(ctx, cache);
    rmSync(path.join(ctx, 'dir/b.txt'));
    await run(ctx, cache);
    const doc = JSON.parse(readFileSync(cache.file, 'utf8')) as { entries: Record<string, unknown> };
    expect(Object.keys(doc.entries)).not.toContain('dir/b.txt');
  });
});
