// Solved outputs of LLB vertices (SOLVER CONTRACT). A result is either a chain
// of layer snapshots or the build context read in place.

/** One layer: its directory is <root>/snapshots/<snapshotId>/fs (overlay format). */
export interface LayerRef {
  snapshotId: string;
}

export type SolvedRef =
  /** Bottom layer first; [] = scratch (empty filesystem). */
  | { kind: 'layers'; layers: LayerRef[] }
  /** The build context, read in place, never copied. */
  | {
      kind: 'local';
      dir: string;
      includePatterns: string[];
      excludePatterns: string[];
      followPaths: string[];
    };

export type LayersRef = Extract<SolvedRef, { kind: 'layers' }>;
export type LocalRef = Extract<SolvedRef, { kind: 'local' }>;

/** Facts memoized in <root>/snapshots/<id>/layer.json (atomic write). */
export interface LayerMeta {
  diffID?: string;
  /** Uncompressed tar bytes. */
  size?: number;
  /** Keyed by compression, e.g. gzip, gzip-9, zstd, uncompressed. */
  blobs?: { [compressionKey: string]: import('../content/descriptor.js').Descriptor };
}

export const scratchRef = (): LayersRef => ({ kind: 'layers', layers: [] });
