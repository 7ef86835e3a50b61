// Git source through solve(): a repository served over HTTP (git's dumb protocol from a
// static file server), cloned at a ref into a one-layer snapshot, .git kept only on request.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marshal } from '../../../src/llb/marshal.js';
import { git } from '../../../src/llb/sources.js';
import { solve } from '../../../src/solver/solve.js';
import { tempDir } from '../build/slipway.js';
import { serveGitRepo, type ServedRepo } from './git-served.js';

describe('git source', () => {
  let root: string;
  let repos: string;
  let repo: ServedRepo;
  let url: string;
  beforeAll(async () => {
    root = tempDir('git-root');
    repos = tempDir('git-repos');
    repo = await serveGitRepo(repos, ({ git: g, work }) => {
      writeFileSync(path.join(work, 'README'), 'v1\n');
      mkdirSync(path.join(work, 'sub'));
      writeFileSync(path.join(work, 'sub', 'inner.txt'), 'inner\n');
      g('add', '.');
      g('commit', '-qm', 'one');
      g('tag', 'v1');
      writeFileSync(path.join(work, 'README'), 'v2\n');
      symlinkSync('/etc', path.join(work, 'host-etc'));
      g('add', '.');
      g('commit', '-qam', 'two');
    });
    url = repo.url;
  });
  afterAll(() => {
    repo.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(repos, { recursive: true, force: true });
  });

  it('clones the ref into a layer without .git', async () => {
    const res = await solve(marshal(git(url, 'v1')), { root });
    expect(res.ref.kind).toBe('layers');
    const layers = res.ref.kind === 'layers' ? res.ref.layers : [];
    expect(layers).toHaveLength(1);
    const dir = res.snapshotter.layerDir(layers[0]!.snapshotId);
    expect(readFileSync(path.join(dir, 'README'), 'utf8')).toBe('v1\n');
    expect(readFileSync(path.join(dir, 'sub', 'inner.txt'), 'utf8')).toBe('inner\n');
    expect(existsSync(path.join(dir, '.git'))).toBe(false);
  });

  it('keeps .git with keepGitDir and takes a subdirectory', async () => {
    const keep = await solve(marshal(git(url, 'main', { keepGitDir: true })), { root });
    const dir = keep.snapshotter.layerDir(keep.ref.kind === 'layers' ? keep.ref.layers[0]!.snapshotId : '');
    expect(readFileSync(path.join(dir, 'README'), 'utf8')).toBe('v2\n');
    expect(existsSync(path.join(dir, '.git'))).toBe(true);
    // A branch ref is checked out as the branch (HEAD detached only when the ref moved meanwhile).
    expect(readFileSync(path.join(dir, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    const sub = await solve(marshal(git(url, 'main:sub')), { root });
    const subDir = sub.snapshotter.layerDir(sub.ref.kind === 'layers' ? sub.ref.layers[0]!.snapshotId : '');
    expect(readFileSync(path.join(subDir, 'inner.txt'), 'utf8')).toBe('inner\n');
    expect(existsSync(path.join(subDir, 'README'))).toBe(false);
  });

  it('a subdirectory that is a symlink resolves inside the checkout, not on the host', async () => {
    const res = await solve(marshal(git(url, 'main:host-etc')), { root }).catch((err: Error) => err);
    // BuildKit's RootPath gives <checkout>/etc, which does not exist: the host's /etc is not copied.
    expect(res).toBeInstanceOf(Error);
  });

  it('a moved branch is another cache key: the new commit is cloned, not the cached one', async () => {
    const first = await solve(marshal(git(url, 'main')), { root });
    const layerOf = (r: typeof first) => r.snapshotter.layerDir(r.ref.kind === 'layers' ? r.ref.layers[0]!.snapshotId : '');
    expect(readFileSync(path.join(layerOf(first), 'README'), 'utf8')).toBe('v2\n');
    // A new commit on main in the served repository.
    writeFileSync(path.join(repo.work, 'README'), 'v3\n');
    repo.git('commit', '-qam', 'three');
    repo.publish();
    const second = await solve(marshal(git(url, 'main')), { root });
    expect(readFileSync(path.join(layerOf(second), 'README'), 'utf8')).toBe('v3\n');
  });

  it('checks out the commit the cache key names, even when the branch moves before the clone', async () => {
    // The branch moves right after the key's ls-remote (the first request for the refs).
    repo.onRequest = () => {
      repo.onRequest = undefined;
      writeFileSync(path.join(repo.work, 'README'), 'v5\n');
      repo.git('commit', '-qam', 'five');
      repo.publish();
    };
    writeFileSync(path.join(repo.work, 'README'), 'v4\n');
    repo.git('commit', '-qam', 'four');
    repo.publish();
    const res = await solve(marshal(git(url, 'main')), { root });
    expect(repo.onRequest).toBeUndefined();
    const dir = res.snapshotter.layerDir(res.ref.kind === 'layers' ? res.ref.layers[0]!.snapshotId : '');
    // v4 is what ls-remote said main was: the record keyed by v4's commit holds v4's tree.
    expect(readFileSync(path.join(dir, 'README'), 'utf8')).toBe('v4\n');
  });
});
