// Extra CAs from certs.d: a registry with a private CA is trusted only through its ca.crt.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSettings } from '../../src/registry/hosts.js';
import { pemCertificates } from '../../src/registry/extra-ca.js';
import { httpRequest, readBody } from '../../src/registry/http.js';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'slipway');

/** Runs bin/slipway without blocking this process, which serves the HTTPS requests. */
function slipway(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
let server: https.Server;
let url: string;
let cert: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = await readFile(path.join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ cert, key: await readFile(path.join(dir, 'key.pem')) }, (req, res) => {
    if (req.url === '/rootfs.tar') {
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      res.end(Buffer.alloc(1024)); // an empty tar archive
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  delete process.env.SLIPWAY_CERTS_D;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('TLS with certs.d CAs', () => {
  it('loads <certs.d>/<host>/*.crt for HTTPS registries only', async () => {
    process.env.SLIPWAY_CERTS_D = path.join(dir, 'certs.d');
    await mkdir(path.join(dir, 'certs.d', 'reg.example:5443'), { recursive: true });
    await writeFile(path.join(dir, 'certs.d', 'reg.example:5443', 'ca.crt'), cert);
    expect(hostSettings('reg.example:5443')).toMatchObject({ baseUrl: 'https://reg.example:5443', ca: [cert] });
    expect(hostSettings('other.example').ca).toBeUndefined();
  });

  it('a private-CA server is rejected without the CA and accepted with it', async () => {
    await expect(httpRequest(url)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    const res = await httpRequest(url, { ca: [cert] });
    expect(res.status).toBe(200);
    expect((await readBody(res)).toString()).toBe('{}');
  });
});

describe('NODE_EXTRA_CA_CERTS', () => {
  // bin/slipway keeps Node from parsing the file at start-up; Slipway's own TLS clients must
  // still trust what it names.
  it('is trusted by slipway although Node does not load it at start-up', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'slipway-extra-ca-'));
    try {
      const tarUrl = new URL('/rootfs.tar', url).toString();
      const env = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      const untrusted = await slipway(['--root', root, 'import', tarUrl, 'extra-ca:1'], env);
      expect(untrusted.status).not.toBe(0);
      expect(untrusted.stderr).toMatch(/self[- ]signed|unable to verify|certificate/i);
      const trusted = await slipway(['--root', root, 'import', tarUrl, 'extra-ca:1'], { ...env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') });
      expect(trusted.stderr).toBe('');
      expect(trusted.status).toBe(0);
      expect(trusted.stdout).toMatch(/^sha256:[0-9a-f]{64}$/m);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('splits a bundle into its PEM certificates', () => {
    const bundle = `# comment\n${cert}\nnoise\n${cert}`;
    expect(pemCertificates(bundle)).toEqual([cert.trim(), cert.trim()]);
    expect(pemCertificates('no certificates')).toEqual([]);
  });
});
