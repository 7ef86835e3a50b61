// Every kind of build context through the real CLI: a local directory (.dockerignore and
// <Dockerfile>.dockerignore), a Dockerfile or a tar (plain, gzip) on stdin, a git repository
// served by `git daemon` on loopback (branch, tag, subdir), an http tarball and an http
// Dockerfile from a loopback server. Scratch images exported with -o type=local, so no
// registry or container is involved.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../solver/build/slipway.js';
import { makeTar } from '../reliability/evil-tar.js';
import { slipway, slipwayAsync } from './cli.js';

let work: string;
let root: string;

/** Files under `dir`, relative, sorted (directories end with /). */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(path.join(d, e.name), r);
      } else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

function makeContext(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

interface Built {
  /** The exported /ctx. */
  out: string;
  status: number | null;
  stderr: string;
}

function buildArgs(args: string[]): { out: string; argv: string[] } {
  const out = tempDir('ux-ctx-out');
  return { out, argv: ['build', '--progress=plain', '-o', `type=local,dest=${out}`, ...args] };
}

function buildTo(args: string[], input?: string | Buffer): Built {
  const { out, argv } = buildArgs(args);
  const r = slipway(root, argv, input !== undefined ? { input } : {});
  return { out: path.join(out, 'ctx'), status: r.status, stderr: r.stderr };
}

/** For builds that talk to a server in this process (spawnSync would block it). */
async function buildToAsync(args: string[]): Promise<Built> {
  const { out, argv } = buildArgs(args);
  const r = await slipwayAsync(root, argv);
  return { out: path.join(out, 'ctx'), status: r.status, stderr: r.stderr };
}

/** No context working directories are left under <root>/tmp. */
function noTempLeft(): void {
  let names: string[] = [];
  try {
    names = readdirSync(path.join(root, 'tmp'));
  } catch {
    // never created
  }
  expect(names.filter((n) => n.includes('-context-'))).toEqual([]);
}

// Everything lands under /ctx (the exported directory's ctx/).
const COPY_ALL = 'FROM scratch\nCOPY . /ctx/\n';

beforeAll(() => {
  work = tempDir('ux-ctx');
  root = path.join(work, 'root');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('local directory contexts', () => {
  it('applies .dockerignore (with ! exceptions and **) at the context root', () => {
    const ctx = makeContext('local', {
      Dockerfile: COPY_ALL, 'a.txt': 'a', 'logs/x.log': 'x', 'logs/keep.log': 'k', 'deep/er/y.tmp': 'y', 'deep/z.txt': 'z',
      '.dockerignore': 'logs/*.log\n!logs/keep.log\n**/*.tmp\n',
    });
    const r = buildTo([ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['.dockerignore', 'Dockerfile', 'a.txt', 'deep/', 'deep/er/', 'deep/z.txt', 'logs/', 'logs/keep.log']);
  });

  it('prefers <Dockerfile>.dockerignore beside a Dockerfile given with -f', () => {
    const ctx = makeContext('local2', {
      'build/App.Dockerfile': COPY_ALL, 'build/App.Dockerfile.dockerignore': 'secret.txt\nbuild\n', '.dockerignore': 'a.txt\n',
      'a.txt': 'a', 'secret.txt': 's',
    });
    const r = buildTo(['-f', path.join(ctx, 'build', 'App.Dockerfile'), ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['.dockerignore', 'a.txt']);
  });
});

describe('standard input contexts', () => {
  it('- with a Dockerfile on stdin builds with an empty context', () => {
    const r = buildTo(['-'], COPY_ALL);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual([]);
    expect(r.stderr).toMatch(/^#1 \[internal\] load build context from standard input\n#1 DONE \d\.\ds$/m);
    noTempLeft();
  });

  it('- with a plain tar, and with a gzip tar, uses it as the context (and its .dockerignore)', () => {
    const ctx = makeContext('tarred', { Dockerfile: COPY_ALL, 'a.txt': 'a', 'sub/b.txt': 'b', 'skip.me': 's', '.dockerignore': '*.me\n' });
    const tar = execFileSync('tar', ['-C', ctx, '-cf', '-', '.']);
    for (const input of [tar, gzipSync(tar)]) {
      const r = buildTo(['-'], input);
      expect(r.status, r.stderr).toBe(0);
      expect(tree(r.out)).toEqual(['.dockerignore', 'Dockerfile', 'a.txt', 'sub/', 'sub/b.txt']);
      expect(readFileSync(path.join(r.out, 'sub', 'b.txt'), 'utf8')).toBe('b');
    }
    noTempLeft();
  });

  it('a tar on stdin with -f names a Dockerfile inside it', () => {
    const ctx = makeContext('tarred2', { 'docker/Alt': 'FROM scratch\nCOPY a.txt /ctx/only\n', 'a.txt': 'a' });
    const r = buildTo(['-f', 'docker/Alt', '-'], execFileSync('tar', ['-C', ctx, '-cf', '-', '.']));
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['only']);
  });

  it('a Dockerfile on stdin takes only the context\'s .dockerignore, not Dockerfile.dockerignore (buildx writes it to a temp dir)', () => {
    const ctx = makeContext('stdin-ignore', { 'a.txt': 'a', 'b.txt': 'b', '.dockerignore': 'b.txt\n', 'Dockerfile.dockerignore': 'a.txt\n' });
    const r = buildTo(['-f', '-', ctx], COPY_ALL);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['.dockerignore', 'Dockerfile.dockerignore', 'a.txt']);
  });

  it('refuses stdin for both the context and the Dockerfile', () => {
    const both = slipway(root, ['build', '-f', '-', '-'], { input: COPY_ALL });
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("can't use stdin for both build context and dockerfile");
    const ambiguous = slipway(root, ['build', '-f', 'Dockerfile', '-'], { input: COPY_ALL });
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain('ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles');
    noTempLeft();
  });

  it('unpacks a tar context as BuildKit does: entries climbing out with ../ land inside it', async () => {
    const evil = await makeTar([
      { name: 'Dockerfile', body: COPY_ALL },
      { name: '../escape.txt', body: 'x\n' },
      { name: '../../abs/deep.txt', body: 'y\n' },
    ]);
    const r = buildTo(['-'], evil);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['Dockerfile', 'abs/', 'abs/deep.txt', 'escape.txt']);
    expect(() => readFileSync(path.join(root, 'tmp', 'escape.txt'))).toThrow();
    noTempLeft();
  });
});

describe('git contexts (git daemon on loopback)', () => {
  let daemon: ChildProcess;
  let port: number;
  beforeAll(async () => {
    const srv = path.join(work, 'git');
    mkdirSync(srv);
    const git = (args: string[], cwd: string) => execFileSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', ...args], { cwd, stdio: 'pipe' });
    git(['init', '-q', '--bare', '-b', 'main', 'repo.git'], srv);
    const wc = makeContext('git-wc', { 'app/Dockerfile': COPY_ALL, 'app/v.txt': 'one', 'README': 'top' });
    git(['init', '-q', '-b', 'main'], wc);
    git(['add', '.'], wc);
    git(['commit', '-qm', 'one'], wc);
    git(['tag', 'v1'], wc);
    writeFileSync(path.join(wc, 'app', 'v.txt'), 'two');
    git(['commit', '-qam', 'two'], wc);
    git(['push', '-q', path.join(srv, 'repo.git'), 'main', 'v1'], wc);
    // A free port: bind 0 with a throwaway server, then hand it to git daemon.
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    daemon = spawn('git', ['daemon', '--reuseaddr', `--base-path=${srv}`, '--export-all', '--listen=127.0.0.1', `--port=${port}`, srv], { stdio: 'ignore' });
    // Ready when it accepts a ls-remote.
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('git', ['ls-remote', `git://127.0.0.1:${port}/repo.git`], { stdio: 'pipe' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('git daemon did not start');
  });
  afterAll(() => {
    daemon?.kill();
  });

  it('builds git://host/repo.git#branch:subdir from a shallow checkout, without .git', () => {
    const r = buildTo([`git://127.0.0.1:${port}/repo.git#main:app`]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['Dockerfile', 'v.txt']);
    expect(readFileSync(path.join(r.out, 'v.txt'), 'utf8')).toBe('two');
    expect(r.stderr).toContain(`#1 [internal] load git source git://127.0.0.1:${port}/repo.git#main:app`);
    noTempLeft();
  });

  it('checks out a tag, and the whole repository with -f for a Dockerfile inside it', () => {
    const tag = buildTo([`git://127.0.0.1:${port}/repo.git#v1:app`]);
    expect(tag.status, tag.stderr).toBe(0);
    expect(readFileSync(path.join(tag.out, 'v.txt'), 'utf8')).toBe('one');
    const whole = buildTo(['-f', 'app/Dockerfile', `git://127.0.0.1:${port}/repo.git`]);
    expect(whole.status, whole.stderr).toBe(0);
    expect(tree(whole.out)).toEqual(['README', 'app/', 'app/Dockerfile', 'app/v.txt']);
  });

  it('keeps .git with BUILDKIT_CONTEXT_KEEP_GIT_DIR=1, as BuildKit', () => {
    const r = buildTo(['-f', 'app/Dockerfile', '--build-arg', 'BUILDKIT_CONTEXT_KEEP_GIT_DIR=1', `git://127.0.0.1:${port}/repo.git#main`]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toContain('.git/');
    expect(readFileSync(path.join(r.out, '.git', 'HEAD'), 'utf8')).toMatch(/^[0-9a-f]{40}\n$/);
  });

  it('a missing ref or subdir fails the build (exit 1) naming it', () => {
    const ref = buildTo([`git://127.0.0.1:${port}/repo.git#nope`]);
    expect(ref.status).toBe(1);
    expect(ref.stderr).toMatch(/failed to fetch git context .*: git fetch: .*nope/);
    const sub = buildTo([`git://127.0.0.1:${port}/repo.git#main:nodir`]);
    expect(sub.status).toBe(1);
    expect(sub.stderr).toContain('subdirectory "nodir" not found');
    noTempLeft();
  });
});

describe('http(s) contexts (loopback server)', () => {
  let server: Server;
  let base: string;
  const hits: string[] = [];
  beforeAll(async () => {
    const ctx = makeContext('http-ctx', { Dockerfile: COPY_ALL, 'h.txt': 'http', '.dockerignore': 'ignored\n', ignored: 'no' });
    const tgz = gzipSync(execFileSync('tar', ['-C', ctx, '-cf', '-', '.']));
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/ctx.tar.gz') res.end(tgz);
      else if (req.url === '/Dockerfile') res.end(COPY_ALL);
      else if (req.url === '/moved') res.writeHead(302, { location: '/ctx.tar.gz' }).end();
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('downloads a tarball (following redirects) and uses it as the context', async () => {
    const r = await buildToAsync([`${base}/moved`]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual(['.dockerignore', 'Dockerfile', 'h.txt']);
    expect(hits).toContain('/ctx.tar.gz');
    noTempLeft();
  });

  it('a URL that is not an archive is the Dockerfile, with an empty context', async () => {
    const r = await buildToAsync([`${base}/Dockerfile`]);
    expect(r.status, r.stderr).toBe(0);
    expect(tree(r.out)).toEqual([]);
  });

  it('an HTTP error fails the build with the status', async () => {
    const r = await buildToAsync([`${base}/missing.tar`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`failed to download context ${base}/missing.tar: HTTP 404`);
  });
});
