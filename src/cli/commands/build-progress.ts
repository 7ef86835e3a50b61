// The build's progress output, chosen by --progress, and BuildKit's "[internal]" vertices
// for the work done before the solve (reading the Dockerfile and .dockerignore, resolving
// base image metadata), so plain output reads like BuildKit's from its first line.
import { nowSeconds, type ProgressRenderer, type ProgressSink, VertexProgress } from '../../solver/progress/events.js';
import { PlainRenderer } from '../../solver/progress/plain.js';
import type { ExecRequest } from './build-exec-options.js';
import { stderrIsTTY, writeStderr } from '../stdio.js';

export type BuildProgress = ProgressRenderer;

const quietProgress: BuildProgress = { sink: () => undefined, finish: () => undefined, lastLines: () => undefined };

/**
 * The renderer for --progress (`auto`: tty on a terminal, plain otherwise); tty loads chalk
 * only when used. Plain and rawjson text goes to fd 2 without process.stderr (../stdio.ts).
 */
export async function createProgress(mode: ExecRequest['progress']): Promise<BuildProgress> {
  if (mode === 'quiet') return quietProgress;
  if (mode === 'rawjson') return new (await import('../../solver/progress/rawjson.js')).RawJSONRenderer(writeStderr);
  if (mode === 'tty' || (mode === 'auto' && stderrIsTTY())) {
    const { TTYRenderer } = await import('../../solver/progress/tty.js');
    const out = process.stderr;
    return new TTYRenderer({
      write: (t) => void out.write(t), isTTY: out.isTTY === true,
      get columns() { return out.columns; },
      get rows() { return out.rows; },
    });
  }
  return new PlainRenderer(writeStderr);
}

/** An "[internal] …" vertex that is already finished, with one status line. */
export function internalStep(sink: ProgressSink, id: string, name: string, status?: string): void {
  const v = new VertexProgress(sink, id, name);
  v.start();
  if (status) v.status(status);
  v.done();
}

/** Wraps a base-image metadata lookup in an "[internal] load metadata for REF" vertex. */
export function metadataStep<T>(sink: ProgressSink, ref: string, fn: () => Promise<T>): Promise<T> {
  return timedStep(sink, `internal:metadata:${ref}:${nowSeconds()}`, `[internal] load metadata for ${ref}`, fn);
}

/** Runs `fn` as a vertex of its own: started, then done or failed with its error. */
export async function timedStep<T>(sink: ProgressSink, id: string, name: string, fn: () => Promise<T>): Promise<T> {
  const v = new VertexProgress(sink, id, name);
  v.start();
  try {
    const out = await fn();
    v.done();
    return out;
  } catch (err) {
    v.error((err as Error).message);
    throw err;
  }
}
