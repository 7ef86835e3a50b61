// Hostile input: archives, contexts and Dockerfiles that try to write or read outside where
// they should, and registries that send monstrous manifests. Each gives a clear error or a
// safe result, and a sentinel directory outside the build is never touched.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scratch, base, errorLines, fsckRoot, listing, slipway, type Run } from './harness.js';
import { makeTar } from './evil-tar.js';

const HOST_SECRET = 'host-only-content-7d1f';
const scratch = new Scratch();
let sentinel: string;
let before: string;
let root: string;

beforeAll(() => {
  sentinel = scratch.dir('sentinel');
  writeFileSync(path.join(sentinel, 'secret.txt'), `${HOST_SECRET}\n`);
  writeFileSync(path.join(sentinel, 'target'), 'original\n');
  before = listing(sentinel);
  root = scratch.dir('hostile-root');
});
afterAll(() => {
  // Every test's promise: the sentinel is exactly as it was.
  expect(listing(sentinel)).toBe(before);
  expect(readFileSync(path.join(sentinel, 'target'), 'utf8')).toBe('original\n');
  scratch.cleanup();
});

/** A clear error: exit 1 with an ERROR line, and no JavaScript stack trace. */
function expectCleanFailure(r: Run, message: RegExp): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
}

/** Builds `files` and exports the result to a local dir; returns the run and the dir. */
async function buildLocal(files: Record<string, string | Buffer>): Promise<{ r: Run; out: string }> {
  const ctx = scratch.context('hostile-ctx', files);
  const out = scratch.dir('hostile-out');
  const r = await slipway(root, ['build', '--progress=plain', '-o', `type=local,dest=${out}`, ctx]);
  expect(listing(sentinel)).toBe(before);
  return { r, out };
}

const climb = (target: string): string => `${'../'.repeat(40)}${target.replace(/^\//, '')}`;

describe('ADD of hostile archives', () => {
  it('entries with ../ climbing out land inside the destination', async () => {
    const tar = await makeTar([{ name: 'ok.txt', body: 'ok\n' }, { name: climb(path.join(sentinel, 'evil')), body: 'evil\n' }]);
    const { r, out } = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\n`, 'evil.tar': tar });
    expect(r.status, r.stderr).toBe(0);
    // BuildKit unpacks in a chroot of the destination (chrootarchive.Untar): `..` stops at its root.
    expect(readFileSync(path.join(out, 'dest', 'ok.txt'), 'utf8')).toBe('ok\n');
    expect(readFileSync(path.join(out, 'dest', sentinel, 'evil'), 'utf8')).toBe('evil\n');
  });

  it('absolute entry names land inside the destination', async () => {
    const tar = await makeTar([{ name: path.join(sentinel, 'evil'), body: 'evil\n' }]);
    const { r, out } = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\n`, 'evil.tar': tar });
    expect(r.status, r.stderr).toBe(0);
    // Re-rooted as Docker's Untar does: DEST/<absolute name>.
    expect(readFileSync(path.join(out, 'dest', sentinel, 'evil'), 'utf8')).toBe('evil\n');
  });

  it('a symlink to outside followed by a write through it stays inside', async () => {
    const tar = await makeTar([
      { name: 'link', type: 'symlink', linkname: sentinel },
      { name: 'link/evil', body: 'evil\n' },
      { name: 'dotlink', type: 'symlink', linkname: climb(sentinel) },
      { name: 'dotlink/evil2', body: 'evil\n' },
    ]);
    const { r, out } = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\n`, 'evil.tar': tar });
    expect(r.status, r.stderr).toBe(0);
    // The links are kept as links; writes through them resolve inside the destination (the
    // archive's root, as Docker's chrooted Untar sees it).
    const dest = listing(path.join(out, 'dest')).split('\n');
    expect(dest).toContain(`link l ${sentinel.length} ${sentinel}`);
    expect(readFileSync(path.join(out, 'dest', sentinel, 'evil'), 'utf8')).toBe('evil\n');
    expect(readFileSync(path.join(out, 'dest', sentinel, 'evil2'), 'utf8')).toBe('evil\n');
  });

  it('hardlinks to outside files are refused or re-rooted, never linked to the host file', async () => {
    const tar = await makeTar([
      { name: 'h1', type: 'link', linkname: path.join(sentinel, 'target') },
    ]);
    const { r, out } = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\nRUN echo overwritten > /dest/h1 || true\n`, 'evil.tar': tar });
    void out;
    // An absolute link target is re-rooted into the destination, where it does not exist.
    expectCleanFailure(r, /hardlink target tmp\/slipway-sentinel-\w+\/target does not exist in the layer/);
    // A climbing one too: re-rooted (as in BuildKit's chroot), where it does not exist either.
    const tar2 = await makeTar([{ name: 'h2', type: 'link', linkname: climb(path.join(sentinel, 'target')) }]);
    const b = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\n`, 'evil.tar': tar2 });
    expectCleanFailure(b.r, /hardlink target tmp\/slipway-sentinel-\w+\/target does not exist in the layer/);
  });

  it('device files are created inside the layer only', async () => {
    const tar = await makeTar([
      { name: 'null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
      { name: 'fifo', type: 'fifo', mode: 0o644 },
    ]);
    const { r, out } = await buildLocal({ Dockerfile: `FROM ${base()}\nADD evil.tar /dest/\nRUN ls -l /dest\n`, 'evil.tar': tar });
    expect(r.status, r.stderr).toBe(0);
    // Created as nodes in the layer (as Docker does when running as root), nothing on the host.
    expect(listing(path.join(out, 'dest')).split('\n').filter(Boolean)).toEqual([' d 4096 ', 'fifo p 0 ', 'null c 0 ', 'sda b 0 ']);
  });
});

describe('contexts reaching outside', () => {
  it('a context symlink pointing outside never brings the host file in', async () => {
    const ctx = scratch.context('hostile-symctx', { Dockerfile: `FROM ${base()}\nCOPY link /x\nCOPY . /all/\n` });
    symlinkSync(path.join(sentinel, 'secret.txt'), path.join(ctx, 'link'));
    const out = scratch.dir('hostile-out');
    const r = await slipway(root, ['build', '--progress=plain', '-o', `type=local,dest=${out}`, ctx]);
    // Resolved inside the context (as BuildKit's checksum scope does), where it does not exist.
    expectCleanFailure(r, /failed to calculate checksum of ref: "\/link": not found/);
    const copyAll = scratch.context('hostile-symctx2', { Dockerfile: `FROM ${base()}\nCOPY . /all/\n` });
    symlinkSync(path.join(sentinel, 'secret.txt'), path.join(copyAll, 'link'));
    const r2 = await slipway(root, ['build', '-q', '-o', `type=local,dest=${out}`, copyAll]);
    expect(r2.status, r2.stderr).toBe(0);
    // The link itself is copied, never the file it names.
    expect(listing(path.join(out, 'all')).split('\n')).toContain(`link l ${path.join(sentinel, 'secret.txt').length} ${path.join(sentinel, 'secret.txt')}`);
  });

  it('COPY ../x does not climb out of the context', async () => {
    const parent = scratch.dir('hostile-parent');
    writeFileSync(path.join(parent, 'x'), `${HOST_SECRET}\n`);
    const ctx = path.join(parent, 'ctx');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${base()}\nCOPY ../x /x\n`);
    const out = scratch.dir('hostile-out');
    const r = await slipway(root, ['build', '--progress=plain', '-o', `type=local,dest=${out}`, ctx]);
    // ../x is cleaned to /x inside the context, as BuildKit does.
    expectCleanFailure(r, /failed to calculate checksum of ref: "\/x": not found/);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('hostile Dockerfiles', () => {
  it('a 1 MB line is a clear parse error', async () => {
    const { r } = await buildLocal({ Dockerfile: `FROM ${base()}\nRUN echo ${'a'.repeat(1 << 20)}\n` });
    expectCleanFailure(r, /ERROR: Dockerfile:2:1: dockerfile line greater than max allowed size of 65535\n/);
  });

  it('invalid UTF-8 does not crash the parser', async () => {
    const bad = Buffer.from([0xff, 0xfe, 0x80]);
    const df = Buffer.concat([Buffer.from(`FROM ${base()}\n# `), bad, Buffer.from(' comment\nRUN echo '), bad, Buffer.from(' > /bad\nLABEL k='), bad, Buffer.from('\n')]);
    const { r, out } = await buildLocal({ Dockerfile: df });
    expect(r.status, r.stderr).toBe(0);
    // Each invalid byte is read as U+FFFD (the parser decodes the file as UTF-8).
    expect(readFileSync(path.join(out, 'bad'), 'utf8')).toBe('\ufffd\ufffd\ufffd\n');
  });
});

describe('hostile registries', () => {
  let server: http.Server;
  let host: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '';
      if (url === '/v2/' || url === '/v2') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (url.startsWith('/v2/huge/manifests/')) {
        const body = Buffer.alloc(5 << 20, 0x20);
        body.write('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":"');
        body.write('"}', body.length - 2);
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(body.length) });
        if (req.method === 'HEAD') res.end();
        else res.end(body);
      } else if (url.startsWith('/v2/broken/manifests/')) {
        const body = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":';
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(body.length) });
        if (req.method === 'HEAD') res.end();
        else res.end(body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NAME_UNKNOWN","message":"no"}]}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a manifest over 4 MiB is refused', async () => {
    const { r } = await buildLocal({ Dockerfile: `FROM ${host}/huge:latest\nRUN true\n` });
    expectCleanFailure(r, /manifest too large \(5242880 bytes; the limit is 4194304\)/);
  });

  it('a malformed manifest is a clear error and writes nothing bad', async () => {
    const { r } = await buildLocal({ Dockerfile: `FROM ${host}/broken:latest\nRUN true\n` });
    expectCleanFailure(r, /invalid manifest: not valid JSON/);
    expect(errorLines(fsckRoot(root))).toEqual([]);
  });
});

