// The build's progress output, chosen by --progress, and BuildKit's "[internal]" vertices
// for the work done before the solve (reading the Dockerfile and .dockerignore, resolving
// base image metadata), so plain output reads like BuildKit's from its first line.
import { nowSeconds, type ProgressSink, VertexProgress } from '../../solver/progress/events.js';
import { PlainRenderer } from '../../solver/progress/plain.js';
import type { ExecRequest } from './build-exec-options.js';

export interface BuildProgress {
  sink: ProgressSink;
  finish(): void;
}

export function createProgress(mode: ExecRequest['progress']): BuildProgress {
  if (mode === 'quiet') return { sink: () => undefined, finish: () => undefined };
  if (mode === 'rawjson') {
    return {
      sink: (e) => process.stderr.write(`${JSON.stringify(e.type === 'vertex-log' ? { ...e, data: e.data.toString('base64') } : e)}\n`),
      finish: () => undefined,
    };
  }
  // tty arrives with the UX issue; until then every other mode prints the plain format.
  const r = new PlainRenderer((t) => process.stderr.write(t));
  return { sink: r.sink, finish: () => r.finish() };
}

/** An "[internal] …" vertex that is already finished, with one status line. */
export function internalStep(sink: ProgressSink, id: string, name: string, status?: string): void {
  const v = new VertexProgress(sink, id, name);
  v.start();
  if (status) v.status(status);
  v.done();
}

/** Wraps a base-image metadata lookup in an "[internal] load metadata for REF" vertex. */
export async function metadataStep<T>(sink: ProgressSink, ref: string, fn: () => Promise<T>): Promise<T> {
  const v = new VertexProgress(sink, `internal:metadata:${ref}:${nowSeconds()}`, `[internal] load metadata for ${ref}`);
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
