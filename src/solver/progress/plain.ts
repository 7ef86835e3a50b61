// BuildKit's `--progress=plain` format: each vertex gets a number on first appearance;
// `#N name`, `#N 0.123 output line` (seconds since the vertex started), `#N CACHED`,
// `#N DONE 0.3s`, `#N ERROR: …`, a blank line between groups. Partial output lines are
// buffered per vertex so concurrent vertices never interleave within a line.
import type { ProgressEvent, ProgressSink } from './events.js';

interface VertexState {
  n: number;
  name: string;
  started: number;
  partial: string;
}

export class PlainRenderer {
  private readonly vertices = new Map<string, VertexState>();
  private next = 1;
  private last: string | undefined;

  constructor(private readonly write: (text: string) => void) {}

  readonly sink: ProgressSink = (e) => this.handle(e);

  private vertex(id: string, name: string, time: number): VertexState {
    let v = this.vertices.get(id);
    if (!v) {
      v = { n: this.next++, name, started: time, partial: '' };
      this.vertices.set(id, v);
    }
    return v;
  }

  /** Starts a group for `id` (blank line + header) unless it is the current one. */
  private switchTo(id: string, v: VertexState, header: boolean): void {
    if (this.last === id) return;
    if (this.last !== undefined) this.write('\n');
    if (header) this.write(`#${v.n} ${v.name}\n`);
    this.last = id;
  }

  private handle(e: ProgressEvent): void {
    switch (e.type) {
      case 'vertex-start': {
        const v = this.vertex(e.id, e.name, e.time);
        v.started = e.time;
        this.groupHeader(e.id, v);
        return;
      }
      case 'vertex-cached': {
        const v = this.vertex(e.id, e.name, e.time);
        this.groupHeader(e.id, v);
        this.write(`#${v.n} CACHED\n`);
        return;
      }
      case 'vertex-log': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        const text = v.partial + e.data.toString('utf8');
        const lines = text.split('\n');
        v.partial = lines.pop() ?? '';
        if (lines.length === 0) return;
        this.groupHeader(e.id, v);
        const t = (e.time - v.started).toFixed(3);
        for (const line of lines) this.write(`#${v.n} ${t} ${line.replace(/\r$/, '')}\n`);
        return;
      }
      case 'vertex-status':
      case 'vertex-miss': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        this.groupHeader(e.id, v);
        this.write(e.type === 'vertex-miss' ? `#${v.n} MISS: ${e.reason}\n` : `#${v.n} ${e.text}\n`);
        return;
      }
      case 'vertex-done':
      case 'vertex-error': {
        const v = this.vertices.get(e.id);
        if (!v) return;
        this.groupHeader(e.id, v);
        if (v.partial) {
          this.write(`#${v.n} ${(e.time - v.started).toFixed(3)} ${v.partial}\n`);
          v.partial = '';
        }
        this.write(e.type === 'vertex-done'
          ? `#${v.n} DONE ${(e.time - v.started).toFixed(1)}s\n`
          : `#${v.n} ERROR: ${e.error}\n`);
        return;
      }
    }
  }

  private groupHeader(id: string, v: VertexState): void {
    this.switchTo(id, v, true);
  }

  /** Ends the output with a newline after the last group. */
  finish(): void {
    if (this.last !== undefined) this.write('\n');
    this.last = undefined;
  }
}
