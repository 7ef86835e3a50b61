// Expectations confirmed with the reference docker (20.10 + BuildKit): a context with the
// .dockerignore below, `COPY . /ctx` and `RUN find /ctx`. Where current fsutil differs
// from the 20.10 sender (wildcard exceptions now make it enter excluded directories),
// the case says so and expects current BuildKit's answer.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContextFilter } from '../../src/context/context-filter.js';
import { readDockerignore } from '../../src/context/dockerignore.js';
import { walkContext } from '../../src/context/walk-context.js';

function makeTree(files: string[], dockerignore: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'walkctx-'));
  for (const f of files) {
    const abs = path.join(dir, f);
    if (f.endsWith('/')) mkdirSync(abs, { recursive: true });
    else {
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, f);
    }
  }
  writeFileSync(path.join(dir, '.dockerignore'), dockerignore);
  return dir;
}

async function walked(dir: string, dockerignore: string, includes: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walkContext(dir, { excludes: readDockerignore(dockerignore), includes })) out.push(e.rel);
  return out;
}

const cases: { name: string; files: string[]; ignore: string; want: string[] }[] = [
  {
    name: 'allowlist: ** then one deep file (docker-ref)',
    files: ['folder/subfolder/file', 'folder/subfolder/nope', 'folder/other/file', 'top'],
    ignore: '**\n!folder/subfolder/file\n',
    want: ['folder', 'folder/subfolder', 'folder/subfolder/file'],
  },
  {
    name: 'alternating exclusions and exceptions (docker-ref)',
    files: ['subdir/file', 'subdir/subdir1/file', 'subdir/subdir1/subdir2/file', 'subdir/subdir1/subdir2/subdir3/file',
      'subdir/subdir1/subdir2/subdir3/subdir4/file', 'subdir/subdir1/subdir2/subdir3/subdir4/subdir5/file', 'top'],
    ignore: '**\n!subdir\nsubdir/subdir1\n!subdir/subdir1/subdir2\nsubdir/subdir1/subdir2/subdir3\n!subdir/subdir1/subdir2/subdir3/subdir4\nsubdir/subdir1/subdir2/subdir3/subdir4/subdir5\n!subdir/subdir1/subdir2/subdir3/subdir4/subdir5/file\n',
    want: ['subdir', 'subdir/file', 'subdir/subdir1', 'subdir/subdir1/subdir2', 'subdir/subdir1/subdir2/file',
      'subdir/subdir1/subdir2/subdir3', 'subdir/subdir1/subdir2/subdir3/subdir4', 'subdir/subdir1/subdir2/subdir3/subdir4/file',
      'subdir/subdir1/subdir2/subdir3/subdir4/subdir5', 'subdir/subdir1/subdir2/subdir3/subdir4/subdir5/file'],
  },
  {
    name: 'syntax: leading / and ./, dir/, comments, **, classes, escapes (docker-ref)',
    files: ['a.txt', 'b/c.txt', 'b/keep', 'd/f', 'e/x/y/f.txt', 'e/f.txt', 'x.log', 'e/x/z.log', 'y1.md', 'a1.md', 'g*h', 'gXh', ' # notcomment', '#hash'],
    ignore: '/a.txt\n./b/c.txt\nd/\n#hash\n # notcomment\ne/**/f.txt\n**/*.log\n[x-z]*.md\ng\\*h\n\n  \n',
    want: [' # notcomment', '#hash', '.dockerignore', 'a1.md', 'b', 'b/keep', 'e', 'e/x', 'e/x/y', 'gXh'],
  },
  {
    name: 'dir/* with an exception below (docker-ref)',
    files: ['stuff/huge/usr/bin/sh', 'stuff/huge/lib/libc', 'stuff/huge/top', 'stuff/keep'],
    ignore: 'stuff/huge/*\n!stuff/huge/usr/bin/*\n',
    want: ['.dockerignore', 'stuff', 'stuff/huge', 'stuff/huge/usr', 'stuff/huge/usr/bin', 'stuff/huge/usr/bin/sh', 'stuff/keep'],
  },
  {
    name: '* then !dir then dir/sub (docker-ref)',
    files: ['keep/sub/a', 'keep/b', 'other/c', 'top'],
    ignore: '*\n!keep\nkeep/sub\n',
    want: ['keep', 'keep/b'],
  },
  {
    name: 'excluded dir, exception deep inside: parents come back (docker-ref)',
    files: ['dir/sub/file', 'dir/sub/deeper/f', 'dir/other/g', 'dir/h'],
    ignore: 'dir\n!dir/sub/file\n',
    want: ['.dockerignore', 'dir', 'dir/sub', 'dir/sub/file'],
  },
  {
    // docker 20.10 skipped subdir entirely (its sender only entered excluded dirs for
    // literal exceptions); current fsutil enters it because the exception has wildcards.
    name: 'wildcard exception inside an excluded dir (current fsutil)',
    files: ['subdir/sub1', 'subdir/sub2', 'subdir/sub1dir/x', 'other/sub1', 'top'],
    ignore: 'subdir\n!*/sub1*\n',
    want: ['.dockerignore', 'other', 'other/sub1', 'subdir', 'subdir/sub1', 'subdir/sub1dir', 'subdir/sub1dir/x', 'top'],
  },
  {
    // docker 20.10: only .dockerignore (volume/ skipped); current fsutil enters volume/.
    name: 'dir/ with a **/ exception (current fsutil)',
    files: ['volume/oneline.txt', 'volume/a/oneline.txt', 'volume/b.txt'],
    ignore: 'volume/\n!**/oneline.txt\n',
    want: ['.dockerignore', 'volume', 'volume/a', 'volume/a/oneline.txt', 'volume/oneline.txt'],
  },
  {
    // docker 20.10 printed a, a/b (it never entered a/b/c); a/** does not match 'a' itself.
    name: '** forms with a deep wildcard exception (current fsutil)',
    files: ['a/b/c/d.tmp', 'a/e.tmp', 'f.tmp', 'a/b/keep', 'node_modules/x/i', 'src/node_modules/y/j', 'src/main'],
    ignore: '**/*.tmp\n**/node_modules\na/**\n!a/b/**/d.tmp\n',
    want: ['.dockerignore', 'a', 'a/b', 'a/b/c', 'a/b/c/d.tmp', 'src', 'src/main'],
  },
];

describe('walkContext', () => {
  it.each(cases)('$name', async ({ files, ignore, want }) => {
    const dir = makeTree(files, ignore);
    expect(await walked(dir, ignore)).toEqual(want);
  });

  it('include patterns select subtrees and the directories leading to them', async () => {
    const dir = makeTree(['src/a.ts', 'src/lib/b.ts', 'docs/x.md', 'pkg/one/c', 'pkg/two/d'], 'src/lib\n');
    expect(await walked(dir, 'src/lib\n', ['src', 'pkg/one'])).toEqual(['pkg', 'pkg/one', 'pkg/one/c', 'src', 'src/a.ts']);
    expect(await walked(dir, '', ['**/*.ts'])).toEqual(['src', 'src/a.ts', 'src/lib', 'src/lib/b.ts']);
  });

  it('skips excluded directories without reading them when no exception can reach inside', async () => {
    const dir = makeTree(['big/a', 'small/b'], '');
    const filter = makeContextFilter([], ['big']);
    expect(filter.descend('big')).toBe(false);
    expect(makeContextFilter([], ['big', '!big/keep']).descend('big')).toBe(true);
    expect(makeContextFilter([], ['big', '!big/keep']).descend('other')).toBe(true);
    expect(makeContextFilter([], ['big', '!other/keep']).descend('big')).toBe(false);
    expect(makeContextFilter([], ['big', '!*/keep']).descend('big')).toBe(true);
    expect(makeContextFilter(['src/lib'], []).descend('src')).toBe(true);
    expect(makeContextFilter(['src/lib'], []).descend('docs')).toBe(false);
    expect(await walked(dir, 'big\n')).toEqual(['.dockerignore', 'small', 'small/b']);
  });

  it('followPaths select a symlinked Dockerfile and its target inside the context', async () => {
    const dir = makeTree(['build/Dockerfile.real', 'src/a'], '');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('build/Dockerfile.real', path.join(dir, 'Dockerfile'));
    const out: string[] = [];
    for await (const e of walkContext(dir, { includes: ['src'], followPaths: ['Dockerfile'] })) out.push(e.rel);
    expect(out).toEqual(['Dockerfile', 'build', 'build/Dockerfile.real', 'src', 'src/a']);
    const only: string[] = [];
    for await (const e of walkContext(dir, { followPaths: ['Dockerfile'] })) only.push(e.rel);
    expect(only).toEqual(['Dockerfile', 'build', 'build/Dockerfile.real']);
  });

  it('makeContextFilter answers per entry', () => {
    const f = makeContextFilter([], readDockerignore('node_modules\n*.log\n!important.log\n'));
    expect(f('node_modules', true)).toBe(false);
    expect(f('node_modules/x/y.js', false)).toBe(false);
    expect(f('a.log', false)).toBe(false);
    expect(f('important.log', false)).toBe(true);
    expect(f('src/a.log', false)).toBe(true);
    expect(f('src', true)).toBe(true);
  });
});
