// Small hand-made images written straight into a store with the ContentStore (no registry,
// no builder): layers are tar-stream archives gzipped with zlib.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ContentStore } from '../../src/content/store.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../../src/content/descriptor.js';
import { MediaType } from '../../src/content/media-types.js';
import { ImageStore } from '../../src/store/image-store.js';

export const bin = fileURLToPath(new URL('../../bin/slipway', import.meta.url));

export function tempRoot(): string {
  return mkdtempSync(path.join(tmpdir(), 'slipway-store-'));
}

export interface Layer {
  tar: Buffer;
  gz: Buffer;
  diffId: string;
  digest: string;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function makeTar(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const name of Object.keys(files).sort()) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, files[name]!, (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export async function makeLayer(files: Record<string, string>): Promise<Layer> {
  const tar = await makeTar(files);
  const gz = gzipSync(tar, { level: 6 });
  return { tar, gz, diffId: sha(tar), digest: sha(gz) };
}

export interface ImageSpec {
  layers: Layer[];
  created?: string;
  labels?: Record<string, string>;
  history?: ImageConfig['history'];
  cmd?: string[];
}

export interface MadeImage {
  id: string;
  manifest: Descriptor;
}

/** Writes layers, config and manifest into `<root>/store`; tags it when `name` is given. */
export async function makeImage(root: string, spec: ImageSpec, name?: string): Promise<MadeImage> {
  const content = new ContentStore(root);
  for (const l of spec.layers) await content.writeBytes(l.gz, { digest: l.digest });
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    created: spec.created ?? '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'], ...(spec.cmd ? { Cmd: spec.cmd } : {}), ...(spec.labels ? { Labels: spec.labels } : {}) },
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
    history: spec.history ?? spec.layers.map((_, i) => ({ created: spec.created ?? '2024-01-01T00:00:00Z', created_by: `step ${i}` })),
  };
  const c = await content.writeBytes(JSON.stringify(config));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: { mediaType: MediaType.OCI_CONFIG, digest: c.digest, size: c.size },
    layers: spec.layers.map((l) => ({ mediaType: MediaType.OCI_LAYER_GZIP, digest: l.digest, size: l.gz.length })),
  };
  const m = await content.writeBytes(JSON.stringify(manifest));
  const desc: Descriptor = { mediaType: MediaType.OCI_MANIFEST, digest: m.digest, size: m.size };
  const store = new ImageStore(root, content);
  if (name) await store.tag(name, desc);
  else await store.addUntagged(desc);
  return { id: c.digest, manifest: desc };
}

export function openStore(root: string): ImageStore {
  return new ImageStore(root, new ContentStore(root));
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs ./bin/slipway with `--root root`. */
export function slipway(root: string, args: string[], input?: string | Buffer, env?: Record<string, string>): RunResult {
  const r = spawnSync(bin, ['--root', root, ...args], { encoding: 'utf8', input, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like slipway() but without blocking this process (needed when the test itself serves HTTP). */
export function slipwayAsync(root: string, args: string[], env?: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, ['--root', root, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export { requireTool } from '../helpers/require-tool.js';
