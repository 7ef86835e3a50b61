// Manifests and image configs this process already fetched and verified, by registry host,
// repository and digest. A build resolves each base image's metadata (manifest by tag, then
// its config) and later pulls the image by digest, which would otherwise fetch both again.
import type { FetchedManifest } from './client.js';

const manifests = new Map<string, FetchedManifest>();
const blobs = new Map<string, Buffer>();

const key = (host: string, repo: string, digest: string): string => `${host}/${repo}@${digest}`;

export function rememberManifest(host: string, repo: string, m: FetchedManifest): void {
  manifests.set(key(host, repo, m.digest), m);
}

export function recallManifest(host: string, repo: string, digest: string): FetchedManifest | undefined {
  return manifests.get(key(host, repo, digest));
}

/** Only small blobs (configs): the caller checked `bytes` against `digest`. */
export function rememberBlob(host: string, repo: string, digest: string, bytes: Buffer): void {
  blobs.set(key(host, repo, digest), bytes);
}

export function recallBlob(host: string, repo: string, digest: string): Buffer | undefined {
  return blobs.get(key(host, repo, digest));
}
