// Each op kind and RUN mount type through the real CLI, against a local HTTP server and a
// local SSH agent socket (any unix socket: the step only checks it is forwarded).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyContext, parseSteps, tempDir } from '../build/slipway.js';

function build(root: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['--root', root, 'build', '--progress=plain', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('op and mount kinds', () => {
  let root: string;
  let ctx: string;
  let out: string;
  let http: Server;
  let agent: NetServer;
  let sock: string;
  let base: string;
  let hits = 0;
  let helloBody = 'hello over http\n';
  beforeAll(async () => {
    root = tempDir('features-root');
    ctx = copyContext('features');
    out = tempDir('features-out');
    const sockDir = tempDir('features-ssh');
    sock = path.join(sockDir, 'agent.sock');
    http = createHttpServer((req, res) => {
      hits++;
      if (req.url === '/files/hello.txt') {
        res.writeHead(200, { 'last-modified': 'Tue, 14 Nov 2023 22:13:20 GMT' });
        res.end(helloBody);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    agent = createNetServer(() => undefined);
    await new Promise<void>((r) => agent.listen(sock, () => r()));
  });
  afterAll(() => {
    http.close();
    agent.close();
    for (const d of [root, ctx, out, path.dirname(sock)]) rmSync(d, { recursive: true, force: true });
  });

  it('builds every feature and the results are where BuildKit puts them', async () => {
    const r = await build(root, ['--build-arg', `HTTP_BASE=${base}`, '--ssh', `default=${sock}`, '-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const hello = path.join(out, 'dl', 'hello.txt');
    expect(readFileSync(hello, 'utf8')).toBe('hello over http\n');
    const st = statSync(hello);
    expect(st.mode & 0o777).toBe(0o600); // BuildKit's default for ADD <url>
    expect(st.mtime.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    // --network=none: only the loopback device (2 header lines + lo).
    expect(readFileSync(path.join(out, 'netdev-lines'), 'utf8').trim()).toBe('3');
    expect(readFileSync(path.join(out, 'tmpfs-seen'), 'utf8')).toContain('/scratch tmpfs');
    expect(readFileSync(path.join(out, 'from-bind'), 'utf8')).toBe('from the context\n');
    expect(readFileSync(path.join(out, 'n'), 'utf8')).toBe('1\n');
    expect(readFileSync(path.join(out, 'linked', 'ctx.txt'), 'utf8')).toBe('from the context\n');
    expect(readFileSync(path.join(out, 'ssh'), 'utf8')).toBe('ssh-ok\n');
    // A cache mount with uid/gid/mode starts as a directory with that owner and mode.
    expect(readFileSync(path.join(out, 'owned-stat'), 'utf8')).toBe('1234:2345:700\n');
    // A writable bind of a context file: the step sees its writes, the context never does.
    expect(readFileSync(path.join(out, 'rw-seen'), 'utf8')).toBe('from the context\nscribble\n');
    expect(readFileSync(path.join(ctx, 'ctx.txt'), 'utf8')).toBe('from the context\n');
    // Mount targets and tmpfs contents stay out of the result.
    expect(() => statSync(path.join(out, 'scratch', 't'))).toThrow();
    expect(() => statSync(path.join(out, 'cache', 'n'))).toThrow();
  });

  it('the cache mount persists across builds; a bind-mounted context file is part of the key', async () => {
    mkdirSync(out, { recursive: true });
    const again = await build(root, ['--build-arg', `HTTP_BASE=${base}`, '--ssh', `default=${sock}`, '--no-cache', '-o', `type=local,dest=${out}`, ctx]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'n'), 'utf8')).toBe('2\n');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(ctx, 'ctx.txt'), 'changed\n');
    const third = await build(root, ['--build-arg', `HTTP_BASE=${base}`, '--ssh', `default=${sock}`, '--explain-cache', ctx]);
    expect(third.status, third.stderr).toBe(0);
    const steps = parseSteps(third.stderr);
    const state = (prefix: string) => [...steps].find(([n]) => n.includes(prefix))?.[1];
    expect(state('RUN --network=none')).toBe('CACHED');
    expect(state('RUN --mount=type=bind')).toBe('DONE');
    expect(state('COPY --link')).toBe('DONE');
    expect(third.stderr).toMatch(/MISS: context file changed: ctx\.txt/);
    expect(hits).toBeGreaterThan(0);
  });

  it('a failed ADD <url> names the URL (Go\'s `Get "<url>": …`)', async () => {
    const bad = tempDir('features-badurl');
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path.join(bad, 'Dockerfile'), 'FROM scratch\nADD http://127.0.0.1:1/refused.txt /b\n');
      const r = await build(root, ['--progress=plain', bad]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('Get "http://127.0.0.1:1/refused.txt": connect ECONNREFUSED');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('ADD <url> is keyed by the downloaded content: a changed remote file is never served from an older result', async () => {
    // BuildKit's HTTP source cache key is the content digest (same Last-Modified, no ETag here).
    helloBody = 'changed over http\n';
    const out2 = tempDir('features-out2');
    try {
      const r = await build(root, ['--build-arg', `HTTP_BASE=${base}`, '--ssh', `default=${sock}`, '-o', `type=local,dest=${out2}`, ctx]);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(path.join(out2, 'dl', 'hello.txt'), 'utf8')).toBe('changed over http\n');
    } finally {
      rmSync(out2, { recursive: true, force: true });
    }
  });
});
