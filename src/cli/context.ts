import type { Command } from 'commander';
import { resolveRoot } from './root.js';

/** What every command's action gets besides its own options: the global settings. */
export interface GlobalOptions {
  root: string;
  debug: boolean;
}

export function globalsOf(cmd: Command): GlobalOptions {
  const all = cmd.optsWithGlobals() as { root?: string; debug?: boolean };
  return { root: resolveRoot(all.root), debug: Boolean(all.debug) };
}
