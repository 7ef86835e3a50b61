// Cache keys as BuildKit builds them: the op's digest without metadata (exec: without proxy
// env and mount selectors) chained with its inputs' keys; an input read from the build
// context through a selector enters by a content checksum of exactly the selected files
// instead, so the context's key depends only on the paths used.
import { createHash } from 'node:crypto';
import { execOpForCacheKey } from '../../llb/cache-basis.js';
import { digestOf, encodeOp } from '../../llb/canonical.js';
import type { Digest, Input, Op } from '../../llb/types.js';
import type { SolvedRef } from '../result.js';
import { checksumSelection, type StatCache } from './context-checksum.js';

export function opCacheDigest(op: Op, digest: Digest): string {
  return op.kind === 'exec' ? digestOf(encodeOp({ ...op, exec: execOpForCacheKey(op.exec) })) : digest;
}

export function outputKey(vertexKey: string, index: number): string {
  return index === 0 ? vertexKey : `sha256:${createHash('sha256').update(`${vertexKey}:${index}`).digest('hex')}`;
}

export interface ContentSelection {
  /** Per selector: its checksum. */
  digests: string[];
  files: Record<string, string>;
}

/**
 * Checksums of what `op` reads from input `i`, a local directory: COPY sources for file
 * ops, bind mount selectors for exec, the whole directory otherwise.
 */
export function selectionsFromLocal(op: Op, i: number, local: Extract<SolvedRef, { kind: 'local' }>, cache: StatCache): ContentSelection {
  const out: ContentSelection = { digests: [], files: {} };
  const add = (selector: string, extra: Parameters<typeof checksumSelection>[3] = {}): void => {
    const sum = checksumSelection(local.dir, selector, cache, { excludePatterns: local.excludePatterns, owner: { uid: 0, gid: 0 }, ...extra });
    out.digests.push(`${selector}=${sum.digest}`);
    Object.assign(out.files, sum.files);
  };
  if (op.kind === 'file') {
    for (const a of op.file.actions) {
      if (a.input === i) add('');
      if (a.secondaryInput === i && a.action.type === 'copy') {
        const c = a.action;
        add(c.src, {
          wildcard: c.allowWildcard,
          allowEmpty: c.allowWildcard && c.allowEmptyWildcard,
          actionIncludes: c.includePatterns,
          actionExcludes: c.excludePatterns,
        });
      }
    }
  } else if (op.kind === 'exec') {
    for (const m of op.exec.mounts) if (m.input === i) add(m.selector);
  } else {
    add('');
  }
  return out;
}

export function vertexKey(opDigest: string, inputKeys: readonly string[], content: readonly string[]): string {
  const h = createHash('sha256').update(JSON.stringify({ v: 1, op: opDigest, inputs: inputKeys, content }));
  return `sha256:${h.digest('hex')}`;
}

export type { Input };
