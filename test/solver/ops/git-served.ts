// A git repository served over HTTP for the git source tests (git's dumb protocol from a
// static file server on loopback): a work tree to commit in, the bare copy the server serves.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';

export interface ServedRepo {
  /** http://127.0.0.1:<port>/repo.git */
  url: string;
  work: string;
  /** git -C <work> …, committing as t <t@t>; its trimmed output. */
  git(...args: string[]): string;
  /** Pushes main and the tags of the work tree to the served copy. */
  publish(): void;
  /** Called with each request's path once it is answered (set by a test). */
  onRequest?: (url: string) => void;
  close(): void;
}

const ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

/** Makes <repos>/work (branch main), lets `fill` commit in it, then serves a bare copy. */
export async function serveGitRepo(repos: string, fill: (repo: Pick<ServedRepo, 'git' | 'work'>) => void): Promise<ServedRepo> {
  const work = path.join(repos, 'work');
  const bare = path.join(repos, 'repo.git');
  const git = (...args: string[]): string => execFileSync('git', ['-C', work, ...args], { env: ENV }).toString().trim();
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  fill({ git, work });
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  execFileSync('git', ['-C', bare, 'update-server-info']);
  const server = createServer((req, res) => {
    res.on('finish', () => served.onRequest?.(req.url ?? '/'));
    const file = path.join(repos, decodeURIComponent((req.url ?? '/').split('?')[0]!));
    readFile(file).then((b) => res.end(b), () => res.writeHead(404).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const served: ServedRepo = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/repo.git`,
    work,
    git,
    publish: () => {
      git('push', '-q', '--tags', bare, 'main');
      execFileSync('git', ['-C', bare, 'update-server-info']);
    },
    close: () => server.close(),
  };
  return served;
}
