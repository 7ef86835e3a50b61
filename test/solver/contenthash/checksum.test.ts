import { execFileSync } from 'node:child_process';
import { chmodSync, lchownSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContextFilter } from '../../../src/context/context-filter.js';
import { ChecksumNotFoundError, checksumPath, type ChecksumOptions } from '../../../src/solver/contenthash/checksum.js';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'contenthash-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (rel.endsWith('/')) mkdirSync(abs, { recursive: true });
    else writeFileSync(abs, content);
  }
  return dir;
}

const sum = (dir: string, p = '/', opts: ChecksumOptions = {}): Promise<string> => checksumPath(dir, p, opts);

describe('checksumPath', () => {
  it('is stable for the same tree and ignores timestamps', async () => {
    const files = { 'a.txt': 'A', 'dir/b.txt': 'B', 'dir/sub/c': 'C' };
    const d1 = tree(files);
    const d2 = tree(files);
    const h = await sum(d1);
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await sum(d2)).toBe(h);
    utimesSync(path.join(d1, 'dir/b.txt'), new Date(1e9), new Date(1e9));
    utimesSync(path.join(d1, 'dir'), new Date(2e9), new Date(2e9));
    expect(await sum(d1)).toBe(h);
    expect(await sum(d1, '/dir/b.txt')).toBe(await sum(d2, '/dir/b.txt'));
  });

  it('changes with content, mode, owner, symlink target, xattrs and names', async () => {
    const base = { 'a.txt': 'A', 'dir/b.txt': 'B' };
    const ref = await sum(tree(base));
    const variants: [string, (d: string) => void][] = [
      ['content', (d) => writeFileSync(path.join(d, 'dir/b.txt'), 'b')],
      ['mode', (d) => chmodSync(path.join(d, 'a.txt'), 0o755)],
      ['dir mode', (d) => chmodSync(path.join(d, 'dir'), 0o700)],
      ['uid', (d) => chownSync(path.join(d, 'a.txt'), 1234, 0)],
      ['gid', (d) => chownSync(path.join(d, 'a.txt'), 0, 1234)],
      ['rename', (d) => renameSync(path.join(d, 'a.txt'), path.join(d, 'z.txt'))],
      ['new empty file', (d) => writeFileSync(path.join(d, 'dir/empty'), '')],
      ['xattr', (d) => execFileSync('setfattr', ['-n', 'user.k', '-v', 'v', path.join(d, 'a.txt')])],
    ];
    const seen = new Set([ref]);
    for (const [name, change] of variants) {
      const d = tree(base);
      change(d);
      const h = await sum(d);
      expect(seen.has(h), name).toBe(false);
      seen.add(h);
    }
    // security.* xattrs (other than capabilities) never count.
    const d = tree(base);
    execFileSync('setfattr', ['-n', 'security.selinux', '-v', 'x', path.join(d, 'a.txt')]);
    expect(await sum(d)).toBe(ref);
  });

  it('hashes symlinks by target, resolves them inside the root, never on the host', async () => {
    const d = tree({ 'real/f': 'F', 'top': 'T' });
    symlinkSync('../real', path.join(d, 'real-link-rel'));
    symlinkSync('/real', path.join(d, 'real-link-abs'));
    symlinkSync('/etc/passwd', path.join(d, 'escape'));
    symlinkSync('../../../../top', path.join(d, 'real/up'));
    const withLinks = await sum(d);
    // Following: through a link in a parent component, and the trailing one when asked.
    expect(await sum(d, '/real-link-abs/f')).toBe(await sum(d, '/real/f'));
    expect(await sum(d, '/real-link-rel', { followLinks: true })).toBe(await sum(d, '/real'));
    expect(await sum(d, '/real-link-rel')).not.toBe(await sum(d, '/real'));
    // '..' is clamped at the root: real/up leads to <root>/top.
    expect(await sum(d, '/real/up', { followLinks: true })).toBe(await sum(d, '/top'));
    // An absolute link names a path inside the root, so /etc/passwd is not found.
    await expect(sum(d, '/escape', { followLinks: true })).rejects.toThrow('"/escape": not found');
    // Changing a link target changes the tree's digest.
    rmSync(path.join(d, 'real-link-rel'));
    symlinkSync('real', path.join(d, 'real-link-rel'));
    expect(await sum(d)).not.toBe(withLinks);
  });

  it('a root given through a symlink is read as the directory it names', async () => {
    const d = tree({ 'a': 'A', 'dir/b': 'B' });
    const link = d + '-link';
    symlinkSync(d, link);
    expect(await sum(link)).toBe(await sum(d));
    expect(await sum(link, '/dir/b')).toBe(await sum(d, '/dir/b'));
  });

  it('a missing path is a clear error naming it', async () => {
    const d = tree({ 'a': 'A' });
    const err = await sum(d, 'missing/file.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumNotFoundError);
    expect((err as Error).message).toBe('"/missing/file.txt": not found');
    expect((err as ChecksumNotFoundError).path).toBe('/missing/file.txt');
  });

  it('selects several paths with wildcards', async () => {
    const d = tree({ 'a.txt': 'A', 'b.txt': 'B', 'c.md': 'C', 'sub/d.txt': 'D' });
    const one = await sum(d, '/a*.txt', { wildcard: true });
    // A literal selector with wildcards allowed is the plain path (also for directories)...
    expect(await sum(d, '/a.txt', { wildcard: true })).toBe(await sum(d, '/a.txt'));
    expect(await sum(d, '/sub', { wildcard: true })).toBe(await sum(d, '/sub'));
    // ...one match whose name equals the selector's base is that file's own digest...
    expect(await sum(d, '/s?b/d.txt', { wildcard: true })).toBe(await sum(d, '/sub/d.txt'));
    // ...otherwise names and digests are combined.
    expect(one).not.toBe(await sum(d, '/a.txt'));
    const txt = await sum(d, '*.txt', { wildcard: true });
    expect(txt).not.toBe(one);
    writeFileSync(path.join(d, 'c.md'), 'changed');
    expect(await sum(d, '*.txt', { wildcard: true })).toBe(txt);
    writeFileSync(path.join(d, 'sub/d.txt'), 'changed');
    expect(await sum(d, '*.txt', { wildcard: true })).toBe(txt);
    writeFileSync(path.join(d, 'b.txt'), 'changed');
    expect(await sum(d, '*.txt', { wildcard: true })).not.toBe(txt);
    expect(await sum(d, '/nomatch*', { wildcard: true })).toBe(EMPTY);
    expect(await sum(d, '/s?b/*.txt', { wildcard: true })).not.toBe(EMPTY);
  });

  it('include/exclude patterns (COPY --exclude) hide exactly the excluded files', async () => {
    const d = tree({ 'app/main.go': 'm', 'app/main_test.go': 't', 'app/vendor/x/y.go': 'y' });
    const opts = { excludePatterns: ['*_test.go', 'vendor'] };
    const h = await sum(d, '/app', opts);
    writeFileSync(path.join(d, 'app/main_test.go'), 'changed');
    writeFileSync(path.join(d, 'app/vendor/x/y.go'), 'changed');
    expect(await sum(d, '/app', opts)).toBe(h);
    writeFileSync(path.join(d, 'app/main.go'), 'changed');
    expect(await sum(d, '/app', opts)).not.toBe(h);
    const inc = await sum(d, '/app', { includePatterns: ['vendor'] });
    writeFileSync(path.join(d, 'app/main.go'), 'again');
    expect(await sum(d, '/app', { includePatterns: ['vendor'] })).toBe(inc);
    // A trailing slash leaves out the directory's own header.
    chmodSync(path.join(d, 'app'), 0o700);
    const withSlash = await sum(d, '/app/', opts);
    chmodSync(path.join(d, 'app'), 0o755);
    expect(await sum(d, '/app/', opts)).toBe(withSlash);
    expect(await sum(d, '/app', opts)).not.toBe(await sum(d, '/app/', opts));
  });

  it('a context filter (.dockerignore) hides entries from the whole-tree digest', async () => {
    const d = tree({ 'src/a': 'A', 'node_modules/x': 'X', 'keep/.env': 'E' });
    const filter = makeContextFilter([], ['node_modules', '**/.env']);
    const h = await sum(d, '/', { filter });
    writeFileSync(path.join(d, 'node_modules/x'), 'changed');
    writeFileSync(path.join(d, 'keep/.env'), 'changed');
    expect(await sum(d, '/', { filter })).toBe(h);
    await expect(sum(d, '/node_modules/x', { filter })).rejects.toThrow('"/node_modules/x": not found');
    writeFileSync(path.join(d, 'src/a'), 'changed');
    expect(await sum(d, '/', { filter })).not.toBe(h);
  });

  it('reports the per-file digests of the selection', async () => {
    const d = tree({ 'a': 'A', 'dir/b': 'B' });
    const fileHashes = new Map<string, string>();
    await sum(d, '/', { fileHashes });
    expect([...fileHashes.keys()].sort()).toEqual(['a', 'dir/', 'dir/b']);
    const before = new Map(fileHashes);
    writeFileSync(path.join(d, 'dir/b'), 'changed');
    fileHashes.clear();
    await sum(d, '/', { fileHashes });
    const changed = [...fileHashes].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
    expect(changed).toEqual(['dir/b']);
    expect(fileHashes.get('a')).toBe(await sum(d, '/a'));
  });

  it('hashes fifos by their header without reading them', async () => {
    const d = tree({ 'x': '' });
    const h = await sum(d);
    rmSync(path.join(d, 'x'));
    execFileSync('mkfifo', [path.join(d, 'x')]);
    chmodSync(path.join(d, 'x'), 0o644);
    const reads: string[] = [];
    expect(await sum(d, '/', { onContentRead: (r) => reads.push(r) })).not.toBe(h);
    expect(reads).toEqual([]);
  });

  it('follows uid/gid of symlinks themselves (lchown)', async () => {
    const d = tree({ 'f': 'x' });
    symlinkSync('f', path.join(d, 'l'));
    const h = await sum(d);
    lchownSync(path.join(d, 'l'), 42, 42);
    expect(await sum(d)).not.toBe(h);
  });
});
