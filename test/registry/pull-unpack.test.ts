// A build pulling its base unpacks each layer while it downloads (src/solver/ops/image.ts):
// what it unpacks must be what a plain pull-then-unpack gives, a download cut in the middle
// must still end in the right tree (the retried blob is unpacked from the store), and a
// corrupt blob must leave no snapshot behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, describeTree } from '../solver/build/slipway.js';
import { RegistryProxy } from '../helpers/proxy.js';
import { testEnv } from '../helpers/testenv.js';

const temps: string[] = [];
const proxies: RegistryProxy[] = [];
afterAll(async () => {
  for (const p of proxies) await p.close();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `slipway-${prefix}-`));
  temps.push(d);
  return d;
}

/** Runs a build without blocking this process (the proxy serves from it). */
function build(root: string, ctx: string, out: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['--root', root, 'build', '--progress=plain', '--output', `type=local,dest=${out}`, ctx], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function setup(): Promise<{ proxy: RegistryProxy; ctx: string; layer: RegExp }> {
  const env = testEnv();
  const proxy = await RegistryProxy.start(env.registries.plain);
  proxies.push(proxy);
  const ctx = temp('ctx');
  writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${proxy.host}/library/busybox:latest\n`);
  // The layer: the biggest blob of the test image (the config is a few hundred bytes).
  const dir = path.join(env.images.busybox.layout, 'blobs', 'sha256');
  const big = readdirSync(dir).map((h) => ({ h, size: statSync(path.join(dir, h)).size })).sort((a, b) => b.size - a.size)[0]!.h;
  return { proxy, ctx, layer: new RegExp(`/blobs/sha256:${big}`) };
}

describe('build: base layers unpacked while they download', () => {
  it('gives the tree a pull-then-unpack gives, also after a download cut in the middle', async () => {
    const { proxy, ctx, layer } = await setup();
    const clean = temp('out-clean');
    const r1 = await build(temp('root'), ctx, clean);
    expect(r1.status, r1.stderr).toBe(0);

    proxy.addFault({ method: 'GET', path: layer, kind: 'reset', afterBytes: 50_000, times: 1 });
    const root = temp('root');
    const cut = temp('out-cut');
    const r2 = await build(root, ctx, cut);
    expect(r2.status, r2.stderr).toBe(0);
    expect(proxy.count('GET', layer)).toBe(3); // clean build, cut attempt, retry
    expect(describeTree(cut)).toEqual(describeTree(clean));
    const snaps = readdirSync(path.join(root, 'snapshots'));
    expect(snaps.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(snaps.filter((n) => n.startsWith('l-'))).toHaveLength(1);
  }, 120_000);

  it('a corrupt layer fails the build and leaves no snapshot', async () => {
    const { proxy, ctx, layer } = await setup();
    proxy.addFault({ method: 'GET', path: layer, kind: 'corrupt' });
    const root = temp('root');
    const r = await build(root, ctx, temp('out'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/digest mismatch/);
    const snaps = readdirSync(path.join(root, 'snapshots'));
    expect(snaps.filter((n) => n.startsWith('l-') || n.startsWith('.tmp-'))).toEqual([]);
  }, 120_000);
});
