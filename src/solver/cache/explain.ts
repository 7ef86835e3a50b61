// --explain-cache: one line saying why a step ran instead of coming from the cache, from
// the basis recorded the last time the same step (same Dockerfile, stage and position)
// was built, compared with the current one. Most specific cause first.
import type { CacheBasis } from './basis.js';

export type MissCause =
  | { kind: 'no-cache' }
  | { kind: 'ignore-cache'; stage?: string }
  | { kind: 'input-rerun'; name: string }
  | { kind: 'no-record' }
  | { kind: 'result-missing' };

function changedKeys(prev: Record<string, string>, cur: Record<string, string>): { changed: string[]; added: string[]; removed: string[] } {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const [k, v] of Object.entries(cur)) {
    if (!(k in prev)) added.push(k);
    else if (prev[k] !== v) changed.push(k);
  }
  for (const k of Object.keys(prev)) if (!(k in cur)) removed.push(k);
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}

function list(names: string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** The reason a step missed: `prev` is its last recorded basis, or undefined if none. */
export function explainMiss(prev: CacheBasis | undefined, cur: CacheBasis, cause?: MissCause): string {
  if (cause?.kind === 'no-cache') return 'cache disabled by --no-cache';
  if (cause?.kind === 'ignore-cache') return cause.stage ? `cache disabled by --no-cache-filter for stage ${cause.stage}` : 'cache disabled for this step';
  if (cause?.kind === 'input-rerun') return `input re-run without the cache: ${cause.name}`;
  if (!prev) return 'no cache record for this step (first build)';
  if (prev.baseImage !== cur.baseImage && cur.baseImage) return `base image changed: ${prev.baseImage ?? 'none'} -> ${cur.baseImage}`;
  const args = changedKeys(prev.buildArgs, cur.buildArgs);
  if (args.changed.length) return `build arg changed: ${list(args.changed)}`;
  if (args.added.length) return `build arg added: ${list(args.added)}`;
  if (args.removed.length) return `build arg removed: ${list(args.removed)}`;
  const files = changedKeys(prev.contextFiles, cur.contextFiles);
  if (files.changed.length) return `context file changed: ${list(files.changed)}`;
  if (files.added.length) return `context file added: ${list(files.added)}`;
  if (files.removed.length) return `context file removed: ${list(files.removed)}`;
  if (prev.opDigest !== cur.opDigest) return 'instruction changed';
  for (let i = 0; i < cur.inputKeys.length; i++) {
    if (prev.inputKeys[i] !== cur.inputKeys[i]) return `input changed: ${cur.inputNames[i] || `input ${i}`}`;
  }
  if (cause?.kind === 'result-missing') return 'cached result was removed';
  return 'no cache record for this key';
}
