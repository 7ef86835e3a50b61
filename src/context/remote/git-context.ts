// A git context through the git CLI: a shallow fetch of the one ref (a commit id that the
// server will not hand out shallowly falls back to a full fetch), checked out with its
// submodules, .git removed (as BuildKit does unless told to keep it), then `subdir`.
import { execFile } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { GitContext } from './context-spec.js';

function git(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, {
      cwd, maxBuffer: 16 * 1024 * 1024,
      // Never wait for a password or host-key prompt: a CI job would hang (an ssh agent still works).
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes' },
    }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const msg = String(stderr).trim().split('\n').filter(Boolean).pop() ?? err.message;
      reject(new Error(`git ${args[0]}: ${msg}`));
    });
  });
}

/**
 * Checks out `g` under `work` and returns the context directory (the repo root or its subdir).
 * `keepGitDir` (build arg BUILDKIT_CONTEXT_KEEP_GIT_DIR, as BuildKit) leaves .git in place.
 */
export async function fetchGitContext(g: GitContext, work: string, keepGitDir = false): Promise<string> {
  const repo = path.join(work, 'repo');
  try {
    await git(['init', '--quiet', repo], work);
    await git(['remote', 'add', 'origin', g.remote], repo);
    const ref = g.ref || 'HEAD';
    try {
      await git(['fetch', '--quiet', '--depth=1', '--no-tags', 'origin', ref], repo);
      await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', 'FETCH_HEAD'], repo);
    } catch (err) {
      if (!/^[0-9a-f]{7,40}$/.test(ref)) throw err;
      await git(['fetch', '--quiet', '--tags', 'origin'], repo);
      await git(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', ref], repo);
    }
    if (await stat(path.join(repo, '.gitmodules')).then(() => true, () => false)) {
      await git(['submodule', 'update', '--init', '--recursive', '--depth=1', '--quiet'], repo);
    }
  } catch (err) {
    throw new Error(`failed to fetch git context ${g.url}: ${(err as Error).message}`);
  }
  if (!keepGitDir) await rm(path.join(repo, '.git'), { recursive: true, force: true });
  if (!g.subdir) return repo;
  const sub = path.join(repo, path.posix.normalize(`/${g.subdir}`));
  if (!(await stat(sub).then((s) => s.isDirectory(), () => false))) {
    throw new Error(`git context ${g.url}: subdirectory ${JSON.stringify(g.subdir)} not found at ${g.ref || 'HEAD'}`);
  }
  return sub;
}
