// `--progress=rawjson`: one JSON object per event in the shape of BuildKit's SolveStatus (what
// `buildx --progress=rawjson` prints), so tools written for it can read ours: `vertexes` with
// the whole vertex each time (digest, name, started, completed, cached, error), `statuses`,
// and `logs` (data in base64). --explain-cache reasons go in an extra `cacheMisses` list.
import type { ProgressEvent, ProgressRenderer, ProgressSink } from './events.js';

interface Vertex {
  digest: string;
  name: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export class RawJSONRenderer implements ProgressRenderer {
  private readonly vertices = new Map<string, Vertex>();

  constructor(private readonly write: (text: string) => void) {}

  readonly sink: ProgressSink = (e) => {
    const status = this.status(e);
    if (status) this.write(`${JSON.stringify(status)}\n`);
  };

  private vertex(id: string, name?: string): Vertex {
    let v = this.vertices.get(id);
    if (!v) {
      v = { digest: id, name: name ?? id };
      this.vertices.set(id, v);
    }
    return v;
  }

  private status(e: ProgressEvent): Record<string, unknown> | undefined {
    switch (e.type) {
      case 'vertex-start': {
        const v = this.vertex(e.id, e.name);
        v.started = iso(e.time);
        delete v.completed;
        return { vertexes: [{ ...v }] };
      }
      case 'vertex-cached': {
        const v = this.vertex(e.id, e.name);
        v.started ??= iso(e.time);
        v.completed = iso(e.time);
        v.cached = true;
        return { vertexes: [{ ...v }] };
      }
      case 'vertex-done':
      case 'vertex-error': {
        const v = this.vertex(e.id);
        v.completed = iso(e.time);
        if (e.type === 'vertex-error') v.error = e.error;
        return { vertexes: [{ ...v }] };
      }
      case 'vertex-log':
        return { logs: [{ vertex: e.id, stream: e.stream, data: e.data.toString('base64'), timestamp: iso(e.time) }] };
      case 'vertex-status':
        return { statuses: [{ id: e.text, vertex: e.id, timestamp: iso(e.time), started: iso(e.time), completed: iso(e.time) }] };
      case 'vertex-miss':
        return { cacheMisses: [{ vertex: e.id, reason: e.reason, timestamp: iso(e.time) }] };
    }
  }

  finish(): void {}

  lastLines(): undefined {
    return undefined;
  }
}
