// Turns a non-local context (stdin, git, http) into a directory under <root>/tmp (named with
// our pid, so a killed build's leftovers are pruned by the next one) and removes it after
// the build.
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { buildTempDir } from '../../solver/ops/context.js';
import type { ContextSpec } from './context-spec.js';

export interface PreparedContext {
  dir: string;
  /** The Dockerfile, when it came instead of a context (stdin or a URL that is not an archive). */
  dockerfileText?: string;
  cleanup(): Promise<void>;
}

export interface PrepareOptions {
  stdin: Readable;
  signal?: AbortSignal;
  /** Git contexts keep their .git directory. */
  keepGitDir?: boolean;
}

export async function prepareRemoteContext(spec: Exclude<ContextSpec, { kind: 'local' | 'missing' }>, root: string,
  opts: PrepareOptions): Promise<PreparedContext> {
  const work = buildTempDir(root, 'context');
  const cleanup = (): Promise<void> => rm(work, { recursive: true, force: true });
  try {
    const dir = path.join(work, 'context');
    await mkdir(dir);
    switch (spec.kind) {
      case 'stdin': {
        const { readStdinContext } = await import('./stdin-context.js');
        return { dir, ...(await readStdinContext(opts.stdin, work, dir)), cleanup };
      }
      case 'http': {
        const { fetchHttpContext } = await import('./http-context.js');
        return { dir, ...(await fetchHttpContext(spec.url, work, dir, opts.signal)), cleanup };
      }
      case 'git': {
        const { fetchGitContext } = await import('./git-context.js');
        return { dir: await fetchGitContext(spec, work, opts.keepGitDir === true), cleanup };
      }
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
}
