// Runs ./bin/slipway asynchronously (a request-counting proxy in this process must keep
// serving while the build talks to it), with the solver's counters (SLIPWAY_STATS_FILE).
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { BIN } from '../solver/build/slipway.js';

export interface Run {
  status: number | null;
  stderr: string;
  stats?: { containers: number; cached: number; executed: number };
}

export async function slipway(root: string, args: string[]): Promise<Run> {
  const statsFile = path.join(root, 'stats.json');
  await rm(statsFile, { force: true });
  const child = spawn(BIN, ['--root', root, ...args], { env: { ...process.env, SLIPWAY_STATS_FILE: statsFile }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const stats = await readFile(statsFile, 'utf8').then((t) => JSON.parse(t) as Run['stats'], () => undefined);
  return { status, stderr, ...(stats ? { stats } : {}) };
}

/** The manifest digest a name points at in a store. */
export async function storedManifest(root: string, name: string): Promise<string | undefined> {
  const index = JSON.parse(await readFile(path.join(root, 'store', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  return index.manifests.find((m) => m.annotations?.['io.containerd.image.name'] === name)?.digest;
}

/** A blob's bytes, decompressed when gzip. */
export function plain(bytes: Buffer): Buffer {
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json';

export async function registryGet(host: string, p: string): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${p}`, { headers: { accept: ACCEPT } });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
