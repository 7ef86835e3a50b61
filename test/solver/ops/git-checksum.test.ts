// ADD --checksum of a git source and the checkout's modes, as BuildKit's git source: the
// checksum is checked against what ls-remote says the ref names (resolveMetadata), and git
// runs under umask 022 whatever Slipway's own (gitCLI's runWithStandardUmask).
import { spawn } from 'node:child_process';
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marshal } from '../../../src/llb/marshal.js';
import { git } from '../../../src/llb/sources.js';
import { checkGitChecksum } from '../../../src/solver/ops/git.js';
import { solve } from '../../../src/solver/solve.js';
import { BIN, tempDir } from '../build/slipway.js';
import { serveGitRepo, type ServedRepo } from './git-served.js';

const C1 = '1111111111111111111111111111111111111111';
const C2 = '2222222222222222222222222222222222222222';
const TAG = '3333333333333333333333333333333333333333';

describe('checkGitChecksum (BuildKit resolveMetadata)', () => {
  const lsRemote = (out: string) => async () => out;
  it('matches a hex prefix of the commit a branch or tag names', async () => {
    await checkGitChecksum('r', 'main', '1111', lsRemote(`${C1}\trefs/heads/main\n`));
    await checkGitChecksum('r', 'v1', C2, lsRemote(`${C2}\trefs/tags/v1\n`));
    await expect(checkGitChecksum('r', 'main', '2222', lsRemote(`${C1}\trefs/heads/main\n`)))
      .rejects.toThrow(`expected checksum to match 2222, got ${C1}`);
  });
  it('an annotated tag matches by the commit it points to; the message keeps BuildKit\'s "got  or"', async () => {
    const out = `${TAG}\trefs/tags/v2\n${C2}\trefs/tags/v2^{}\n`;
    await checkGitChecksum('r', 'v2', '2222', lsRemote(out));
    await checkGitChecksum('r', 'v2', '3333', lsRemote(out)); // the tag object's own name
    await expect(checkGitChecksum('r', 'v2', '4444', lsRemote(out))).rejects.toThrow(`got  or ${C2}`);
  });
  it('a branch wins over a tag of the same name', async () => {
    const out = `${C1}\trefs/heads/x\n${TAG}\trefs/tags/x\n${C2}\trefs/tags/x^{}\n`;
    await expect(checkGitChecksum('r', 'x', '2222', lsRemote(out))).rejects.toThrow(`got ${C1}`);
  });
  it('a commit ref is compared as given; bad checksums and missing refs fail', async () => {
    await checkGitChecksum('r', C1, '111', lsRemote('unused'));
    await expect(checkGitChecksum('r', C1, '222', lsRemote(''))).rejects.toThrow(`expected checksum to match 222, got ${C1}`);
    await expect(checkGitChecksum('r', 'main', 'xyz', lsRemote(''))).rejects.toThrow('invalid checksum xyz for Git URL, expected hex commit hash');
    await expect(checkGitChecksum('r', 'nope', 'abc', lsRemote(''))).rejects.toThrow('repository does not contain ref nope, output: ""');
  });
  it('no ref: the default branch from ls-remote --symref', async () => {
    const calls: string[][] = [];
    const ls = async (args: string[]) => {
      calls.push(args);
      return args.includes('--symref') ? `ref: refs/heads/trunk\tHEAD\n${C1}\tHEAD\n` : `${C1}\trefs/heads/trunk\n`;
    };
    await checkGitChecksum('r', '', '1111', ls);
    expect(calls[1]).toEqual(['ls-remote', 'r', 'trunk', 'trunk^{}']);
  });
});

describe('git source checksum and modes through solve and the CLI', () => {
  let root: string;
  let repos: string;
  let repo: ServedRepo;
  let url: string;
  let head = '';
  beforeAll(async () => {
    root = tempDir('gitsum-root');
    repos = tempDir('gitsum-repos');
    repo = await serveGitRepo(repos, ({ git: g, work }) => {
      writeFileSync(path.join(work, 'a.txt'), 'a\n');
      writeFileSync(path.join(work, 'run.sh'), '#!/bin/sh\n');
      chmodSync(path.join(work, 'run.sh'), 0o755);
      g('add', '.');
      g('commit', '-qm', 'one');
      head = g('rev-parse', 'HEAD');
    });
    url = repo.url;
  });
  afterAll(() => {
    repo.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(repos, { recursive: true, force: true });
  });

  it('a matching checksum solves; a wrong one fails with BuildKit\'s message', async () => {
    await solve(marshal(git(url, 'main', { checksum: head.slice(0, 10) })), { root });
    await expect(solve(marshal(git(url, 'main', { checksum: 'abcdef' })), { root }))
      .rejects.toThrow(`expected checksum to match abcdef, got ${head}`);
  });

  it('under umask 077 the checkout is still 0644/0755 (git runs under 022)', async () => {
    const ctx = tempDir('gitsum-ctx');
    const out = tempDir('gitsum-out');
    try {
      writeFileSync(path.join(ctx, 'Dockerfile'), `FROM scratch\nADD ${url}#main /src\n`);
      // Not spawnSync: the git server runs in this process.
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', BIN, '--root', root, 'build', '--progress=plain', '--no-cache',
          '-o', `type=local,dest=${out}`, ctx], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
        child.on('close', (status) => resolve({ status, stderr }));
      });
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(path.join(out, 'src')).mode & 0o777).toBe(0o755);
      expect(statSync(path.join(out, 'src', 'a.txt')).mode & 0o777).toBe(0o644);
      expect(statSync(path.join(out, 'src', 'run.sh')).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(ctx, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('resolveGitRef (what a cache key would name)', () => {
  it('names the commit of a branch, a tag object and its commit, or a commit ref as given', async () => {
    const { resolveGitRef } = await import('../../../src/solver/ops/git.js');
    expect(await resolveGitRef('r', 'main', async () => `${C1}\trefs/heads/main\n`)).toEqual({ sha: C1, annotatedTagSha: '' });
    expect(await resolveGitRef('r', 'v2', async () => `${TAG}\trefs/tags/v2\n${C2}\trefs/tags/v2^{}\n`)).toEqual({ sha: TAG, annotatedTagSha: C2 });
    expect(await resolveGitRef('r', C2, async () => { throw new Error('not asked'); })).toEqual({ sha: C2, annotatedTagSha: '' });
  });
});
