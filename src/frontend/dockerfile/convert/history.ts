// Image history entries as BuildKit's Dockerfile frontend writes them (commitToHistory):
// one per instruction, `created_by` in BuildKit's words, `empty_layer` for metadata-only steps.
import { HISTORY_COMMENT, type Image } from '../image-config.js';

export interface HistoryOptions {
  /** True when the step produced a layer. */
  withLayer: boolean;
  /** True for steps that ran an op (RUN/COPY/ADD): BuildKit appends ` # buildkit`. */
  fromOp?: boolean;
  /** RFC 3339 time from SOURCE_DATE_EPOCH; otherwise the exporter stamps the build time. */
  created?: string;
}

export function commitToHistory(img: Image, createdBy: string, opts: HistoryOptions): void {
  const entry: NonNullable<Image['history']>[number] = {};
  if (opts.created) entry.created = opts.created;
  entry.created_by = opts.fromOp ? `${createdBy} # buildkit` : createdBy;
  entry.comment = HISTORY_COMMENT;
  if (!opts.withLayer) entry.empty_layer = true;
  (img.history ??= []).push(entry);
}

/** A build arg as seen by a RUN: its name and the value it had when declared. */
export interface BuildArgValue {
  key: string;
  value: string | undefined;
}

/**
 * The RUN history text: `|N K=V … args…` when build args are in scope (BuildKit's
 * runCommandString). A value overridden by a later ENV shows the ENV value, as in BuildKit.
 */
export function runCommandString(args: readonly string[], buildArgs: readonly BuildArgValue[], env: { get(k: string): string | undefined }): string {
  const pairs: string[] = [];
  const at = new Map<string, number>();
  for (const arg of buildArgs) {
    const v = env.get(arg.key) ?? arg.value ?? '';
    const idx = at.get(arg.key);
    if (idx !== undefined) pairs[idx] = `${arg.key}=${v}`;
    else {
      at.set(arg.key, pairs.length);
      pairs.push(`${arg.key}=${v}`);
    }
  }
  const prefix = pairs.length > 0 ? [`|${pairs.length}`, ...pairs] : [];
  return [...prefix, ...args].join(' ');
}
