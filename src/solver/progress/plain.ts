// BuildKit's `--progress=plain` format (progressui's textMux): a vertex gets its number when
// first printed; `#N name` opens a group; `#N 0.123 line` (seconds since the vertex started),
// `#N status`, `#N CACHED`, `#N DONE 0.3s`, `#N ERROR: …` follow; leaving a group whose vertex
// is still running prints `#N ...`; groups are separated by a blank line. Output lines are
// printed when complete, so concurrent vertices never interleave within a line.
import type { ProgressEvent, ProgressRenderer, ProgressSink } from './events.js';
import { VertexLog } from './vertex-log.js';

/** BuildKit keeps the last 10 lines of each vertex for the error box. */
const ERROR_LINES = 10;

interface VertexState {
  n: number;
  name: string;
  started: number;
  log: VertexLog;
  completed: boolean;
}

export class PlainRenderer implements ProgressRenderer {
  private readonly vertices = new Map<string, VertexState>();
  private next = 1;
  /** The vertex whose group is open (started, not completed). */
  private current: string | undefined;
  private printed = false;

  constructor(private readonly write: (text: string) => void) {}

  readonly sink: ProgressSink = (e) => this.handle(e);

  lastLines(id: string): string[] | undefined {
    return this.vertices.get(id)?.log.tail.slice();
  }

  private vertex(id: string, name: string, time: number): VertexState {
    let v = this.vertices.get(id);
    if (!v) {
      v = { n: this.next++, name, started: time, log: new VertexLog(ERROR_LINES), completed: false };
      this.vertices.set(id, v);
    }
    return v;
  }

  /** Makes `id` the open group: closes the previous one with `#N ...`, blank line, header. */
  private open(id: string, v: VertexState): void {
    if (this.current === id) return;
    if (this.current !== undefined) this.write(`#${this.vertices.get(this.current)!.n} ...\n`);
    if (this.printed) this.write('\n');
    this.printed = true;
    this.write(`#${v.n} ${v.name}\n`);
    this.current = id;
  }

  private close(id: string, v: VertexState, line: string): void {
    this.open(id, v);
    this.write(`#${v.n} ${line}\n`);
    v.completed = true;
    this.current = undefined;
  }

  private handle(e: ProgressEvent): void {
    switch (e.type) {
      case 'vertex-start': {
        const v = this.vertex(e.id, e.name, e.time);
        v.started = e.time;
        v.completed = false;
        this.open(e.id, v);
        return;
      }
      case 'vertex-cached': {
        this.close(e.id, this.vertex(e.id, e.name, e.time), 'CACHED');
        return;
      }
      case 'vertex-log': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        const lines = v.log.push(e.data, e.time - v.started);
        if (lines.length === 0) return;
        this.open(e.id, v);
        for (const line of lines) this.write(`#${v.n} ${line}\n`);
        return;
      }
      case 'vertex-status':
      case 'vertex-miss': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        this.open(e.id, v);
        this.write(e.type === 'vertex-miss' ? `#${v.n} MISS: ${e.reason}\n` : `#${v.n} ${e.text}\n`);
        return;
      }
      case 'vertex-done':
      case 'vertex-error': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        const rest = v.log.flush();
        if (rest !== undefined) {
          this.open(e.id, v);
          this.write(`#${v.n} ${rest}\n`);
        }
        this.close(e.id, v, e.type === 'vertex-done' ? `DONE ${(e.time - v.started).toFixed(1)}s` : `ERROR: ${e.error}`);
        return;
      }
    }
  }

  /** BuildKit prints nothing after the last group (a blank line only ever opens the next one). */
  finish(): void {
    this.current = undefined;
  }
}
