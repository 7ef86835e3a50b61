// What `slipway debug fsck` reports. Severities:
//  - error: the store is inconsistent (a reader could get wrong or missing data); exit 1.
//  - leftover: debris of a dead process that no reader looks at (ingest files, snapshot temp
//    dirs, temp files of atomic writes); harmless, listed so it can be cleaned.
//  - stale: a memo pointing at content garbage collection removed (layer.json blobs, export
//    memos); every reader checks before trusting it, so it is harmless too.
export type Severity = 'error' | 'leftover' | 'stale';

export interface Finding {
  severity: Severity;
  /** Path relative to the root, or a digest. */
  where: string;
  message: string;
}

export interface FsckCounts {
  blobs: number;
  images: number;
  cacheRecords: number;
  snapshots: number;
}

export interface FsckReport {
  root: string;
  counts: FsckCounts;
  findings: Finding[];
}

/** Collects findings for one check. */
export class Findings {
  readonly list: Finding[] = [];

  add(severity: Severity, where: string, message: string): void {
    this.list.push({ severity, where, message });
  }
}
