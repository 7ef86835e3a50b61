// ADD <url> as BuildKit's HTTP source and dockerfile frontend do it: the pinned --checksum is
// checked when the file is fetched ("digest mismatch <got>: <pinned>"), a reply status error
// has no Go `Get` prefix, the mtime is Last-Modified or else the Unix epoch, and the file name
// is path.Base of the URL's decoded path.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlBaseName } from '../../../src/frontend/dockerfile/convert/dispatch-copy.js';
import { httpModTime, parseGoInt, parseHTTPTime } from '../../../src/solver/ops/http.js';
import { tempDir } from '../build/slipway.js';
import { slipwayAsync } from '../../build-ux/cli.js';

// Not spawnSync: the HTTP server runs in this process.
const build = (root: string, args: string[]) => slipwayAsync(root, ['build', '--progress=plain', ...args]);

const BODY = 'hello from http\n';
const SUM = 'sha256:9347bf9e5b6f42fa181ab19631e9011b836363d3a08b05a8faf318868be5882e';

describe('ADD <url>', () => {
  let root: string;
  let server: Server;
  let base: string;
  let pinnedRequests = 0;
  const dirs: string[] = [];
  beforeAll(async () => {
    root = tempDir('http-url-root');
    server = createServer((req, res) => {
      if (req.url === '/dated.txt') res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }).end(BODY);
      else if (req.url === '/undated.txt' || req.url === '/a%2Fb.txt') res.writeHead(200).end(BODY);
      else if (req.url === '/pinned.txt') {
        pinnedRequests++;
        res.writeHead(200).end(BODY);
      }
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.close();
    for (const d of [root, ...dirs]) rmSync(d, { recursive: true, force: true });
  });
  const context = (dockerfile: string): string => {
    const d = tempDir('http-url-ctx');
    dirs.push(d);
    writeFileSync(path.join(d, 'Dockerfile'), dockerfile.replaceAll('$BASE', base));
    return d;
  };

  it('a matching checksum, the mtime rules and the decoded name', async () => {
    const ctx = context(
      `FROM scratch\nADD --checksum=${SUM} $BASE/dated.txt /sum/\nADD $BASE/undated.txt /u/\nADD $BASE/a%2Fb.txt /n/\n`,
    );
    const out = tempDir('http-url-out');
    dirs.push(out);
    const r = await build(root, ['--no-cache', '-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'sum', 'dated.txt'), 'utf8')).toBe(BODY);
    expect(statSync(path.join(out, 'sum', 'dated.txt')).mtime.toISOString()).toBe('2015-10-21T07:28:00.000Z');
    // No Last-Modified: BuildKit sets time.Unix(0, 0).
    expect(statSync(path.join(out, 'u', 'undated.txt')).mtimeMs).toBe(0);
    // Go's url.Parse decodes %2F in the path, and path.Base takes what follows it.
    expect(readdirSync(path.join(out, 'n'))).toEqual(['b.txt']);
  });

  it('a pinned checksum is the cache key: a cached build does not fetch the URL', async () => {
    const ctx = context(`FROM scratch\nADD --checksum=${SUM} $BASE/pinned.txt /p/\n`);
    const first = await build(root, [ctx]);
    expect(first.status, first.stderr).toBe(0);
    expect(pinnedRequests).toBe(1);
    const second = await build(root, [ctx]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/CACHED/);
    expect(pinnedRequests).toBe(1);
  });

  it('a checksum mismatch fails as BuildKit\'s HTTP source snapshot does', async () => {
    const want = `sha256:${'0'.repeat(64)}`;
    const r = await build(root, ['--no-cache', context(`FROM scratch\nADD --checksum=${want} $BASE/dated.txt /sum/\n`)]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`digest mismatch ${SUM}: ${want}`);
  });

  it('an error status is reported as BuildKit does, without Go\'s `Get "<url>":` prefix', async () => {
    const r = await build(root, ['--no-cache', context('FROM scratch\nADD $BASE/missing.txt /m/\n')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('invalid response status 404');
    expect(r.stderr).not.toContain('Get "');
    expect(r.stderr).not.toContain('404 for');
  });
});

describe('HTTP source helpers', () => {
  it('parseHTTPTime takes the three forms Go\'s http.ParseTime takes, and nothing else', () => {
    const t = Date.UTC(2015, 9, 21, 7, 28, 0);
    expect(parseHTTPTime('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(t);
    expect(parseHTTPTime('Wednesday, 21-Oct-15 07:28:00 GMT')).toBe(t);
    expect(parseHTTPTime('Wed Oct 21 07:28:00 2015')).toBe(t);
    expect(parseHTTPTime('Wed Oct  1 07:28:00 2015')).toBe(Date.UTC(2015, 9, 1, 7, 28, 0));
    expect(parseHTTPTime('2015-10-21T07:28:00Z')).toBeUndefined();
    expect(parseHTTPTime('Wed, 21 Oct 2015 07:28:00 +0000')).toBeUndefined();
    expect(parseHTTPTime('Wed, 31 Feb 2015 07:28:00 GMT')).toBeUndefined();
    expect(httpModTime(null).getTime()).toBe(0);
    expect(httpModTime('yesterday').getTime()).toBe(0);
  });

  it('parseGoInt reads http.perm/uid/gid as strconv.ParseInt(v, 0, 64)', () => {
    expect(parseGoInt('0644')).toBe(0o644);
    expect(parseGoInt('420')).toBe(420);
    expect(parseGoInt('0x1ff')).toBe(0o777);
    expect(parseGoInt('0o755')).toBe(0o755);
    expect(parseGoInt('0')).toBe(0);
    expect(() => parseGoInt('12a')).toThrow(/invalid syntax/);
  });

  it('urlBaseName is path.Base of the decoded URL path', () => {
    expect(urlBaseName('http://x/dir/f.txt?q=1#frag')).toBe('f.txt');
    expect(urlBaseName('http://x/a%20b.txt')).toBe('a b.txt');
    expect(urlBaseName('http://x/a%2Fb.txt')).toBe('b.txt');
    expect(urlBaseName('http://x/dir/')).toBe('dir');
    expect(urlBaseName('http://x/')).toBe('__unnamed__');
    expect(urlBaseName('http://x')).toBe('__unnamed__');
    expect(urlBaseName('http://x/%zz')).toBe('__unnamed__');
  });
});
