import type { Descriptor } from '../content/descriptor.js';

/** One image in the store: a manifest and every name that points at it. */
export interface ImageRecord {
  /** Image ID: the config digest, as Docker shows it. */
  id: string;
  /** The manifest (or index) descriptor, without per-name annotations. */
  target: Descriptor;
  /** Full tagged names (`docker.io/library/busybox:latest`), sorted. */
  tags: string[];
  /** Full `repo@sha256:…` names (Docker's RepoDigests), sorted. */
  digests: string[];
  /** The config's `created` (RFC 3339), if any. */
  created?: string;
  /** Latest tag time over all names, if any. */
  lastTagTime?: string;
}

export function isDangling(r: ImageRecord): boolean {
  return r.tags.length === 0;
}
