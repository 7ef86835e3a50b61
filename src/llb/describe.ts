// One-line human descriptions of ops, for --print-llb and progress fallbacks.

import { CUSTOM_NAME_KEY, type FileActionKind, type Op, type OpMetadata } from './types.js';

/** The custom name when there is one, else a summary of what the op does. */
export function describeOp(op: Op, metadata?: OpMetadata): string {
  const name = metadata?.description?.[CUSTOM_NAME_KEY];
  if (name) return name;
  switch (op.kind) {
    case 'source':
      return op.source.identifier;
    case 'exec':
      return op.exec.meta.args.join(' ');
    case 'file':
      return op.file.actions.map((a) => describeFileAction(a.action)).join('; ');
    case 'merge':
      return `merge ${op.merge.inputs.length} inputs`;
  }
}

function describeFileAction(a: FileActionKind): string {
  switch (a.type) {
    case 'copy':
      return `copy ${a.src} ${a.dest}`;
    case 'mkdir':
      return `mkdir ${a.path}`;
    case 'mkfile':
      return `mkfile ${a.path}`;
    case 'rm':
      return `rm ${a.path}`;
    case 'symlink':
      return `symlink ${a.oldpath} -> ${a.newpath}`;
  }
}
