// Progress events the solver emits while it works (BuildKit's SolveStatus, reduced): a vertex
// starts, is found in the cache, finishes or fails; its process writes output; a cache miss
// is explained. Renderers (plain, and later tty/rawjson) subscribe through a ProgressSink.

export type ProgressEvent =
  | { type: 'vertex-start'; id: string; name: string; time: number }
  | { type: 'vertex-cached'; id: string; name: string; time: number }
  | { type: 'vertex-done'; id: string; time: number }
  | { type: 'vertex-error'; id: string; error: string; time: number }
  | { type: 'vertex-log'; id: string; stream: 1 | 2; data: Buffer; time: number }
  | { type: 'vertex-status'; id: string; text: string; time: number }
  | { type: 'vertex-miss'; id: string; reason: string; time: number };

export type ProgressSink = (event: ProgressEvent) => void;

export const silentProgress: ProgressSink = () => undefined;

/** Seconds since the Unix epoch with sub-millisecond precision. */
export function nowSeconds(): number {
  // Date, not performance: perf_hooks would load on every build for sub-millisecond precision.
  return Date.now() / 1000;
}

/** Wraps a sink with helpers for one vertex. */
export class VertexProgress {
  private startedAt = 0;
  constructor(readonly sink: ProgressSink, readonly id: string, readonly name: string) {}

  start(): void {
    this.startedAt = nowSeconds();
    this.sink({ type: 'vertex-start', id: this.id, name: this.name, time: this.startedAt });
  }

  cached(): void {
    this.sink({ type: 'vertex-cached', id: this.id, name: this.name, time: nowSeconds() });
  }

  done(): void {
    this.sink({ type: 'vertex-done', id: this.id, time: nowSeconds() });
  }

  error(message: string): void {
    this.sink({ type: 'vertex-error', id: this.id, error: message, time: nowSeconds() });
  }

  log(stream: 1 | 2, data: Buffer): void {
    this.sink({ type: 'vertex-log', id: this.id, stream, data, time: nowSeconds() });
  }

  status(text: string): void {
    this.sink({ type: 'vertex-status', id: this.id, text, time: nowSeconds() });
  }

  miss(reason: string): void {
    this.sink({ type: 'vertex-miss', id: this.id, reason, time: nowSeconds() });
  }
}

/** A progress display: receives events, ends with finish(), and keeps each vertex's last output lines. */
export interface ProgressRenderer {
  readonly sink: ProgressSink;
  finish(): void;
  /** The last output lines of a vertex (`0.123 text`), for the error box after a failure. */
  lastLines(id: string): string[] | undefined;
}
