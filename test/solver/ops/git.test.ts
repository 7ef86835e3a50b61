// Git source through solve(): a repository served over HTTP (git's dumb protocol from a
// static file server), cloned at a ref into a one-layer snapshot, .git kept only on request.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marshal } from '../../../src/llb/marshal.js';
import { git } from '../../../src/llb/sources.js';
import { solve } from '../../../src/solver/solve.js';
import { tempDir } from '../build/slipway.js';

describe('git source', () => {
  let root: string;
  let repos: string;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    root = tempDir('git-root');
    repos = tempDir('git-repos');
    const work = path.join(repos, 'work');
    const g = (...args: string[]) => execFileSync('git', ['-C', work, ...args], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    writeFileSync(path.join(work, 'README'), 'v1\n');
    execFileSync('mkdir', ['-p', path.join(work, 'sub')]);
    writeFileSync(path.join(work, 'sub', 'inner.txt'), 'inner\n');
    g('add', '.');
    g('commit', '-qm', 'one');
    g('tag', 'v1');
    writeFileSync(path.join(work, 'README'), 'v2\n');
    g('commit', '-qam', 'two');
    execFileSync('git', ['clone', '-q', '--bare', work, path.join(repos, 'repo.git')]);
    execFileSync('git', ['-C', path.join(repos, 'repo.git'), 'update-server-info']);
    server = createServer((req, res) => {
      const file = path.join(repos, decodeURIComponent((req.url ?? '/').split('?')[0]!));
      readFile(file).then((b) => res.end(b), () => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/repo.git`;
  });
  afterAll(() => {
    server.close();
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
    const sub = await solve(marshal(git(url, 'main:sub')), { root });
    const subDir = sub.snapshotter.layerDir(sub.ref.kind === 'layers' ? sub.ref.layers[0]!.snapshotId : '');
    expect(readFileSync(path.join(subDir, 'inner.txt'), 'utf8')).toBe('inner\n');
    expect(existsSync(path.join(subDir, 'README'))).toBe(false);
  });

  it('a moved branch is another cache key: the new commit is cloned, not the cached one', async () => {
    const first = await solve(marshal(git(url, 'main')), { root });
    const layerOf = (r: typeof first) => r.snapshotter.layerDir(r.ref.kind === 'layers' ? r.ref.layers[0]!.snapshotId : '');
    expect(readFileSync(path.join(layerOf(first), 'README'), 'utf8')).toBe('v2\n');
    // A new commit on main in the served repository.
    const work = path.join(repos, 'work');
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    writeFileSync(path.join(work, 'README'), 'v3\n');
    execFileSync('git', ['-C', work, 'commit', '-qam', 'three'], { env });
    execFileSync('git', ['-C', work, 'push', '-q', path.join(repos, 'repo.git'), 'main'], { env });
    execFileSync('git', ['-C', path.join(repos, 'repo.git'), 'update-server-info']);
    const second = await solve(marshal(git(url, 'main')), { root });
    expect(readFileSync(path.join(layerOf(second), 'README'), 'utf8')).toBe('v3\n');
  });
});
