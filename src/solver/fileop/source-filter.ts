// The build context's own selection (.dockerignore / local include patterns), applied by the
// caller: a path the filter rejects is treated as absent. Paths are relative to srcRoot,
// slash-separated, without a leading slash. A rejected directory hides its whole subtree.
export type SourceFilter = (relPath: string, isDir: boolean) => boolean;
