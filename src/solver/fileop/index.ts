// Native file operations of the solver (LLB FileOp actions) on plain directories.
export { copy, type CopyOptions } from './copy.js';
export { mkdir, mkfile, rm, symlink } from './simple-actions.js';
export { resolveChown, type RootfsFor } from './chown.js';
export { FileOpError } from './errors.js';
export type { Owner } from './fs-meta.js';
export type { SourceFilter } from './source-filter.js';
